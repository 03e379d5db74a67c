import {
  CreateSnapshotCommand,
  CreateVolumeCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import { EC2_DEFAULT_RATE_LIMITS, ManualClock, SimulatedAccount } from '../../local/simulated-account';
import { ec2ErrorFrom, givenAccount } from '../fixtures/account';

const OTHER = 'eu-west-1';

async function snapshotIdsIn(ec2: ReturnType<SimulatedAccount['ec2Client']>): Promise<string[]> {
  const page = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
  return (page.Snapshots ?? []).map((snapshot) => snapshot.SnapshotId as string);
}

describe('an account of several Regions', () => {
  test('GIVEN no region option WHEN made THEN the home Region is us-east-1, ec2 is its EC2 and it is the only Region so far', async () => {
    const account = new SimulatedAccount();

    expect(account.region).toBe('us-east-1');
    expect(account.ec2.region).toBe('us-east-1');
    expect(account.ec2In('us-east-1')).toBe(account.ec2);
    expect(account.regions()).toEqual(['us-east-1']);
    expect(await account.ec2Client().config.region()).toBe('us-east-1');
  });

  test('GIVEN a home Region WHEN made THEN ec2, ec2Client() and the zones of seeded resources are that Region’s', async () => {
    const account = new SimulatedAccount({ region: 'eu-central-1' });
    const { instanceId, volumeIds } = account.ec2.addInstance();

    expect(account.region).toBe('eu-central-1');
    expect(account.ec2.region).toBe('eu-central-1');
    expect(await account.ec2Client().config.region()).toBe('eu-central-1');
    expect(account.ec2.instance(instanceId)?.Placement?.AvailabilityZone).toBe('eu-central-1a');
    expect(account.ec2.volume(volumeIds[0])?.AvailabilityZone).toBe('eu-central-1a');
  });

  test('GIVEN another Region WHEN first used THEN it is created once, empty, and listed after the home Region', async () => {
    const account = new SimulatedAccount();
    account.ec2.addInstance();

    const other = account.ec2In(OTHER);
    const again = account.ec2In(OTHER);
    const described = await account.ec2Client(OTHER).send(new DescribeInstancesCommand({}));

    expect(again).toBe(other);
    expect(other.region).toBe(OTHER);
    expect(other.instances()).toEqual([]);
    expect(described.Reservations).toEqual([]);
    expect(await account.ec2Client(OTHER).config.region()).toBe(OTHER);
    expect(account.regions()).toEqual(['us-east-1', OTHER]);
  });

  test('GIVEN a snapshot made and one seeded in the home Region WHEN another Region is described THEN neither is there, and no id is shared', async () => {
    const { account, ec2 } = givenAccount();
    const [volumeId] = account.ec2.addInstance().volumeIds;
    const seeded = account.ec2.addSnapshot({ volumeId });
    const created = (await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }))).SnapshotId as string;
    const [otherVolume] = account.ec2In(OTHER).addInstance().volumeIds;
    const otherSnapshot = account.ec2In(OTHER).addSnapshot({ volumeId: otherVolume });

    const home = await snapshotIdsIn(ec2);
    const other = await snapshotIdsIn(account.ec2Client(OTHER));
    const named = await ec2ErrorFrom(
      account.ec2Client(OTHER).send(new DescribeSnapshotsCommand({ SnapshotIds: [created] })),
    );

    expect(home.sort()).toEqual([seeded, created].sort());
    expect(other).toEqual([otherSnapshot]);
    expect(named.name).toBe('InvalidSnapshot.NotFound');
    expect(otherVolume).not.toBe(volumeId);
    expect([seeded, created]).not.toContain(otherSnapshot);
  });

  test('GIVEN two Regions seeded alike WHEN ids are handed out THEN they differ between the Regions and repeat in a new account', () => {
    const seed = (account: SimulatedAccount) =>
      [account.ec2, account.ec2In(OTHER)].map((ec2) => ec2.addInstance().volumeIds[0]);

    const first = seed(new SimulatedAccount());
    const second = seed(new SimulatedAccount());

    expect(first[0]).not.toBe(first[1]);
    expect(second).toEqual(first);
  });

  test('GIVEN EC2 rate limits WHEN one Region’s CreateSnapshot bucket is drained THEN another Region is not throttled, and each counts its own calls', async () => {
    const clock = new ManualClock();
    const account = new SimulatedAccount({ now: clock.now, ec2: { rateLimits: EC2_DEFAULT_RATE_LIMITS } });
    const homeVolumes = Array.from({ length: 101 }, () => account.ec2.addVolume());
    const [otherVolume] = account.ec2In(OTHER).addInstance().volumeIds;
    const home = account.ec2Client();
    for (const volumeId of homeVolumes.slice(0, 100))
      await home.send(new CreateSnapshotCommand({ VolumeId: volumeId }));

    const throttled = await ec2ErrorFrom(
      home.send(new CreateSnapshotCommand({ VolumeId: homeVolumes[100] })),
    );
    await account.ec2Client(OTHER).send(new CreateSnapshotCommand({ VolumeId: otherVolume }));

    expect(throttled.name).toBe('RequestLimitExceeded');
    expect(account.ec2.calls().CreateSnapshot).toEqual({ succeeded: 100, throttled: 1, failed: 0 });
    expect(account.ec2In(OTHER).calls().CreateSnapshot).toEqual({ succeeded: 1, throttled: 0, failed: 0 });
  });

  test('GIVEN a fault injected in one Region WHEN both are called THEN only that Region fails', async () => {
    const { account, ec2 } = givenAccount();
    account.ec2In(OTHER).injectFault({ action: 'DescribeInstances', error: 'InternalError' });

    const failed = await ec2ErrorFrom(account.ec2Client(OTHER).send(new DescribeInstancesCommand({})));
    const home = await ec2.send(new DescribeInstancesCommand({}));

    expect(failed.name).toBe('InternalError');
    expect(home.Reservations).toEqual([]);
  });

  test('GIVEN another Region WHEN a volume is created in a zone of the home Region THEN refused; in its own zone THEN made', async () => {
    const { account } = givenAccount();
    const other = account.ec2Client(OTHER);

    const refused = await ec2ErrorFrom(
      other.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 8 })),
    );
    const made = await other.send(new CreateVolumeCommand({ AvailabilityZone: `${OTHER}b`, Size: 8 }));

    expect(refused.name).toBe('InvalidParameterValue');
    expect(made.AvailabilityZone).toBe(`${OTHER}b`);
  });

  test.each(['', 'nowhere', 'US-EAST-1', 'us-east'])(
    'GIVEN the Region %p WHEN asked for THEN refused',
    (region) => {
      const account = new SimulatedAccount();

      expect(() => account.ec2In(region)).toThrow('Region');
      expect(() => new SimulatedAccount({ region })).toThrow('Region');
    },
  );

  test('GIVEN KMS keys WHEN made per Region THEN each is an ARN of its Region, and each Region has its own default EBS key', () => {
    const account = new SimulatedAccount();

    const key = account.createKmsKey(OTHER);
    const defaults = [account.defaultEbsKmsKey(), account.defaultEbsKmsKey(OTHER)];

    expect(key).toMatch(/^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/);
    expect(defaults[0]).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    expect(defaults[1]).toMatch(/^arn:aws:kms:eu-west-1:123456789012:key\//);
    expect(new Set([key, ...defaults]).size).toBe(3);
    expect(account.defaultEbsKmsKey(OTHER)).toBe(defaults[1]);
  });
});
