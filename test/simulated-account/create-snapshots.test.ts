import {
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  type CreateSnapshotsRequest,
  DescribeSnapshotsCommand,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import {
  EC2_DEFAULT_RATE_LIMITS,
  HANG,
  LOST_RESPONSE,
  PER_VOLUME_SNAPSHOT_INTERVAL_MS,
} from '../../local/simulated-account';
import { ec2ErrorFrom, givenAccount } from '../fixtures/account';

// CreateSnapshots as the simulated EC2 answers it, through the real EC2Client. Sources:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshots.html (parameters,
// SnapshotInfo), https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ebs-creating-snapshot.html
// ("Multi-volume snapshots"), https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html.
// Where EC2 documents no error code for a case, the simulator's choice is named in
// local/simulated-account/ec2-create-snapshots.ts.

const MARKER = { Key: 'Backup-Managed-By', Value: 'stack' };
const SET_ID = { Key: 'Backup-Set', Value: 'set-1' };

/** An instance with a root volume and two data volumes, each tagged with its role. */
function givenInstance(options: Parameters<typeof givenAccount>[0] = {}) {
  const setup = givenAccount(options);
  const { instanceId, volumeIds } = setup.sim.addInstance({
    name: 'db',
    volumes: [
      { sizeGiB: 8, tags: { Role: 'root' } },
      { sizeGiB: 100, tags: { Role: 'data' } },
      { sizeGiB: 50, tags: { Role: 'log' } },
    ],
  });
  const [root, data, log] = volumeIds;
  return { ...setup, instanceId, root, data, log };
}

function setOf(instanceId: string, extra: Partial<CreateSnapshotsRequest> = {}) {
  return new CreateSnapshotsCommand({ InstanceSpecification: { InstanceId: instanceId }, ...extra });
}

describe('CreateSnapshots: one point in time', () => {
  test('GIVEN an instance with three volumes WHEN CreateSnapshots THEN one pending snapshot per volume, one StartTime, the description and tags on each, no CreateTags', async () => {
    const { ec2, sim, clock, instanceId, root, data, log } = givenInstance();
    clock.advance(1234);

    const { Snapshots } = await ec2.send(
      setOf(instanceId, {
        Description: 'consistent set',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [MARKER, SET_ID] }],
      }),
    );

    expect(Snapshots?.map((s) => s.VolumeId)).toEqual([root, data, log]);
    expect(Snapshots?.map((s) => s.VolumeSize)).toEqual([8, 100, 50]);
    for (const snapshot of Snapshots ?? []) {
      expect(snapshot).toMatchObject({
        State: 'pending',
        Description: 'consistent set',
        Tags: [MARKER, SET_ID],
        OwnerId: '123456789012',
        Encrypted: false,
      });
      expect(snapshot.SnapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
      expect(snapshot.StartTime).toEqual(new Date(clock.now()));
    }
    expect(new Set(Snapshots?.map((s) => s.SnapshotId)).size).toBe(3);
    expect(sim.snapshotSetsOf(instanceId).map((set) => set.map((s) => s.SnapshotId))).toEqual([
      Snapshots?.map((s) => s.SnapshotId),
    ]);
    expect(sim.calls().CreateSnapshots).toEqual({ succeeded: 1, throttled: 0, failed: 0 });
    expect(sim.calls().CreateTags.succeeded).toBe(0);
  });

  test('GIVEN CopyTagsFromSource volume WHEN CreateSnapshots THEN each snapshot carries its own volume tags plus the request tags, the request winning on a shared key', async () => {
    const { ec2, sim, instanceId, root, data, log } = givenInstance();
    sim.tag(data, { 'Backup-Set': 'from-volume' });

    const { Snapshots } = await ec2.send(
      setOf(instanceId, {
        CopyTagsFromSource: 'volume',
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [MARKER, SET_ID] }],
      }),
    );

    const tagsOf = (volumeId: string) =>
      Object.fromEntries(
        (Snapshots?.find((s) => s.VolumeId === volumeId)?.Tags ?? []).map((t) => [t.Key, t.Value]),
      );
    expect(tagsOf(root)).toEqual({ Role: 'root', 'Backup-Managed-By': 'stack', 'Backup-Set': 'set-1' });
    expect(tagsOf(data)).toEqual({ Role: 'data', 'Backup-Managed-By': 'stack', 'Backup-Set': 'set-1' });
    expect(tagsOf(log)).toEqual({ Role: 'log', 'Backup-Managed-By': 'stack', 'Backup-Set': 'set-1' });
  });

  test('GIVEN ExcludeBootVolume or ExcludeDataVolumeIds WHEN CreateSnapshots THEN the excluded volumes are left out of the set', async () => {
    const { ec2, sim, clock, instanceId, root, data, log } = givenInstance();

    const withoutBoot = await ec2.send(
      setOf(instanceId, { InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: true } }),
    );
    clock.advance(PER_VOLUME_SNAPSHOT_INTERVAL_MS);
    const withoutLog = await ec2.send(
      setOf(instanceId, { InstanceSpecification: { InstanceId: instanceId, ExcludeDataVolumeIds: [log] } }),
    );

    expect(withoutBoot.Snapshots?.map((s) => s.VolumeId)).toEqual([data, log]);
    expect(withoutLog.Snapshots?.map((s) => s.VolumeId)).toEqual([root, data]);
    expect(sim.snapshotsOf(root)).toHaveLength(1);
    expect(sim.snapshotsOf(log)).toHaveLength(1);
  });

  test('GIVEN a Windows instance WHEN CreateSnapshots THEN its root device is /dev/sda1: left out by ExcludeBootVolume, refused by ID', async () => {
    const { ec2, sim } = givenAccount();
    const { instanceId, volumeIds } = sim.addInstance({ platform: 'windows', volumes: [{}, {}] });
    const [root, data] = volumeIds;

    const set = await ec2.send(
      setOf(instanceId, { InstanceSpecification: { InstanceId: instanceId, ExcludeBootVolume: true } }),
    );
    const byId = await ec2ErrorFrom(
      ec2.send(
        setOf(instanceId, {
          InstanceSpecification: { InstanceId: instanceId, ExcludeDataVolumeIds: [root] },
        }),
      ),
    );

    expect(set.Snapshots?.map((s) => s.VolumeId)).toEqual([data]);
    expect(byId.name).toBe('InvalidParameterValue');
  });

  test('GIVEN an encrypted data volume WHEN CreateSnapshots THEN its snapshot is encrypted with its key, the others not', async () => {
    const { account, ec2, sim } = givenAccount();
    const key = account.createKmsKey('us-east-1');
    const { instanceId, volumeIds } = sim.addInstance({ volumes: [{}, { kmsKeyId: key }] });

    const { Snapshots } = await ec2.send(setOf(instanceId));

    expect(Snapshots?.map((s) => s.Encrypted)).toEqual([false, true]);
    expect(sim.snapshotsOf(volumeIds[1])[0]).toMatchObject({ Encrypted: true, KmsKeyId: key });
  });

  test('GIVEN DryRun WHEN CreateSnapshots THEN DryRunOperation (412) and nothing is made', async () => {
    const { ec2, sim, instanceId } = givenInstance();

    const error = await ec2ErrorFrom(ec2.send(setOf(instanceId, { DryRun: true })));

    expect(error.name).toBe('DryRunOperation');
    expect(error.$metadata.httpStatusCode).toBe(412);
    expect(sim.allSnapshots()).toEqual([]);
  });
});

describe('CreateSnapshots: a set is managed as one', () => {
  test('GIVEN one volume whose snapshots end in error WHEN the set settles THEN every snapshot of the set is in error', async () => {
    const { ec2, sim, clock, instanceId, data } = givenInstance();
    sim.setSnapshotOutcome(data, 'error');

    const { Snapshots } = await ec2.send(setOf(instanceId));
    clock.advance(5 * 60_000);

    const ids = Snapshots?.map((s) => s.SnapshotId as string) ?? [];
    expect(ids.map((id) => sim.snapshot(id)?.State)).toEqual(['error', 'error', 'error']);
  });

  test('GIVEN volumes of different speeds WHEN the set settles THEN all complete together, when the slowest does', async () => {
    const { ec2, sim, clock, instanceId, log } = givenInstance();
    sim.setSnapshotOutcome(log, 'completed', { completionDelayMs: 30 * 60_000 });

    const { Snapshots } = await ec2.send(setOf(instanceId));
    const ids = Snapshots?.map((s) => s.SnapshotId as string) ?? [];
    clock.advance(30 * 60_000 - 1);
    const before = ids.map((id) => sim.snapshot(id)?.State);
    clock.advance(1);

    expect(before).toEqual(['pending', 'pending', 'pending']);
    expect(ids.map((id) => sim.snapshot(id)?.State)).toEqual(['completed', 'completed', 'completed']);
  });
});

describe('CreateSnapshots: refusals leave no snapshot', () => {
  test.each([
    {
      problem: 'no InstanceSpecification',
      request: () => ({}),
      code: 'MissingParameter',
    },
    {
      problem: 'an instance EC2 does not know',
      request: () => ({ InstanceSpecification: { InstanceId: 'i-0123456789abcdef0' } }),
      code: 'InvalidInstanceID.NotFound',
    },
    {
      problem: 'a malformed instance ID',
      request: () => ({ InstanceSpecification: { InstanceId: 'i-nope' } }),
      code: 'InvalidInstanceID.Malformed',
    },
    {
      problem: 'the root volume in ExcludeDataVolumeIds',
      request: (ids: Ids) => ({
        InstanceSpecification: { InstanceId: ids.instanceId, ExcludeDataVolumeIds: [ids.root] },
      }),
      code: 'InvalidParameterValue',
    },
    {
      problem: 'an excluded volume not attached to the instance',
      request: (ids: Ids) => ({
        InstanceSpecification: { InstanceId: ids.instanceId, ExcludeDataVolumeIds: [ids.elsewhere] },
      }),
      code: 'InvalidParameterValue',
    },
    {
      problem: 'every volume excluded',
      request: (ids: Ids) => ({
        InstanceSpecification: {
          InstanceId: ids.instanceId,
          ExcludeBootVolume: true,
          ExcludeDataVolumeIds: [ids.data, ids.log],
        },
      }),
      code: 'InvalidParameterValue',
    },
    {
      problem: 'more than 40 excluded volume IDs',
      request: (ids: Ids) => ({
        InstanceSpecification: {
          InstanceId: ids.instanceId,
          ExcludeDataVolumeIds: Array.from({ length: 41 }, () => ids.data),
        },
      }),
      code: 'InvalidParameterValue',
    },
    {
      problem: 'CopyTagsFromSource other than volume',
      request: (ids: Ids) => ({
        InstanceSpecification: { InstanceId: ids.instanceId },
        CopyTagsFromSource: 'instance' as 'volume',
      }),
      code: 'InvalidParameterValue',
    },
    {
      problem: 'TagSpecifications for another resource type',
      request: (ids: Ids) => ({
        InstanceSpecification: { InstanceId: ids.instanceId },
        TagSpecifications: [{ ResourceType: 'volume' as const, Tags: [MARKER] }],
      }),
      code: 'InvalidParameterValue',
    },
    {
      problem: 'a reserved aws: tag key',
      request: (ids: Ids) => ({
        InstanceSpecification: { InstanceId: ids.instanceId },
        TagSpecifications: [{ ResourceType: 'snapshot' as const, Tags: [{ Key: 'aws:x', Value: '1' }] }],
      }),
      code: 'InvalidParameterValue',
    },
    {
      problem: 'a description over 255 characters',
      request: (ids: Ids) => ({
        InstanceSpecification: { InstanceId: ids.instanceId },
        Description: 'd'.repeat(256),
      }),
      code: 'InvalidParameterValue',
    },
  ])('GIVEN $problem WHEN CreateSnapshots THEN $code and nothing is made', async ({ request, code }) => {
    const { ec2, sim, instanceId, root, data, log } = givenInstance();
    const [elsewhere] = sim.addInstance().volumeIds;

    const error = await ec2ErrorFrom(
      ec2.send(
        new CreateSnapshotsCommand(
          request({ instanceId, root, data, log, elsewhere }) as CreateSnapshotsRequest,
        ),
      ),
    );

    expect(error.name).toBe(code);
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(sim.allSnapshots()).toEqual([]);
    expect(sim.calls().CreateSnapshots).toEqual({ succeeded: 0, throttled: 0, failed: 1 });
  });

  test.each(['terminated', 'shutting-down'] as const)(
    'GIVEN an instance %s WHEN CreateSnapshots THEN IncorrectInstanceState and nothing is made',
    async (state) => {
      const { ec2, sim, instanceId } = givenInstance();
      sim.setInstanceState(instanceId, state);

      const error = await ec2ErrorFrom(ec2.send(setOf(instanceId)));

      expect(error.name).toBe('IncorrectInstanceState');
      expect(sim.allSnapshots()).toEqual([]);
    },
  );

  test('GIVEN a stopped instance WHEN CreateSnapshots THEN the set is made: its volumes are still attached', async () => {
    const { ec2, sim, instanceId } = givenInstance();
    sim.setInstanceState(instanceId, 'stopped');

    const { Snapshots } = await ec2.send(setOf(instanceId));

    expect(Snapshots).toHaveLength(3);
  });

  test('GIVEN volume tags and request tags over 50 together WHEN CreateSnapshots with CopyTagsFromSource THEN TagLimitExceeded and nothing is made', async () => {
    const { ec2, sim, instanceId, data } = givenInstance();
    sim.tag(data, Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, 'v'])));

    const error = await ec2ErrorFrom(
      ec2.send(
        setOf(instanceId, {
          CopyTagsFromSource: 'volume',
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [MARKER] }],
        }),
      ),
    );

    expect(error.name).toBe('TagLimitExceeded');
    expect(sim.allSnapshots()).toEqual([]);
  });

  test('GIVEN a snapshot of one volume less than 15 s ago WHEN CreateSnapshots THEN SnapshotCreationPerVolumeRateExceeded for the whole set; 15 s later it is made', async () => {
    const { ec2, sim, clock, instanceId, data } = givenInstance();
    await ec2.send(new CreateSnapshotCommand({ VolumeId: data }));
    clock.advance(PER_VOLUME_SNAPSHOT_INTERVAL_MS - 1);

    const refused = await ec2ErrorFrom(ec2.send(setOf(instanceId)));
    const countAfterRefusal = sim.allSnapshots().length;
    clock.advance(1);
    const { Snapshots } = await ec2.send(setOf(instanceId));

    expect(refused.name).toBe('SnapshotCreationPerVolumeRateExceeded');
    expect(countAfterRefusal).toBe(1);
    expect(Snapshots).toHaveLength(3);
  });

  test('GIVEN a set made less than 15 s ago WHEN CreateSnapshot of one of its volumes THEN SnapshotCreationPerVolumeRateExceeded', async () => {
    const { ec2, sim, instanceId, log } = givenInstance();
    await ec2.send(setOf(instanceId));

    const refused = await ec2ErrorFrom(ec2.send(new CreateSnapshotCommand({ VolumeId: log })));

    expect(refused.name).toBe('SnapshotCreationPerVolumeRateExceeded');
    expect(sim.snapshotsOf(log)).toHaveLength(1);
  });

  test('GIVEN an st1 member with a snapshot in progress WHEN CreateSnapshots THEN ConcurrentSnapshotLimitExceeded and no set', async () => {
    const { ec2, sim } = givenAccount();
    const { instanceId, volumeIds } = sim.addInstance({ volumes: [{}, { volumeType: 'st1', sizeGiB: 500 }] });
    sim.addSnapshot({ volumeId: volumeIds[1], state: 'pending' });

    const refused = await ec2ErrorFrom(ec2.send(setOf(instanceId)));

    expect(refused.name).toBe('ConcurrentSnapshotLimitExceeded');
    expect(sim.snapshotsOf(volumeIds[0])).toEqual([]);
    expect(sim.snapshotSetsOf(instanceId)).toEqual([]);
  });
});

type Ids = { instanceId: string; root: string; data: string; log: string; elsewhere: string };

describe('CreateSnapshots: listing lag, throttling and faults', () => {
  test('GIVEN a listing lag WHEN a set was just made THEN DescribeSnapshots shows none of it until the lag has passed', async () => {
    const { ec2, sim, clock, instanceId } = givenInstance({ visibilityLagMs: 20_000 });
    const filter = { OwnerIds: ['self'], Filters: [{ Name: 'tag:Backup-Set', Values: ['set-1'] }] };

    await ec2.send(setOf(instanceId, { TagSpecifications: [{ ResourceType: 'snapshot', Tags: [SET_ID] }] }));
    const early = await ec2.send(new DescribeSnapshotsCommand(filter));
    clock.advance(20_000);
    const late = await ec2.send(new DescribeSnapshotsCommand(filter));

    expect(early.Snapshots).toEqual([]);
    expect(late.Snapshots).toHaveLength(3);
    expect(sim.snapshotSetsOf(instanceId)[0]).toHaveLength(3);
  });

  test('GIVEN the default limits WHEN 101 sets of three volumes are asked at once THEN 100 pass (one token per call, not per volume) and the next gets RequestLimitExceeded; CreateSnapshot keeps its own bucket', async () => {
    const { ec2, sim } = givenAccount({ rateLimits: EC2_DEFAULT_RATE_LIMITS });
    const instances = Array.from({ length: 101 }, () => sim.addInstance({ volumes: [{}, {}, {}] }));

    for (const { instanceId } of instances.slice(0, 100)) await ec2.send(setOf(instanceId));
    const throttled = await ec2ErrorFrom(ec2.send(setOf(instances[100].instanceId)));
    await ec2.send(new CreateSnapshotCommand({ VolumeId: instances[100].volumeIds[0] }));

    expect(throttled.name).toBe('RequestLimitExceeded');
    expect(throttled.$metadata.httpStatusCode).toBe(503);
    expect(sim.allSnapshots()).toHaveLength(301);
    expect(sim.calls().CreateSnapshots).toEqual({ succeeded: 100, throttled: 1, failed: 0 });
  });

  test('GIVEN an empty CreateSnapshots bucket WHEN one second passes THEN exactly 5 more sets pass', async () => {
    const { ec2, sim, clock } = givenAccount({ rateLimits: EC2_DEFAULT_RATE_LIMITS });
    const instances = Array.from({ length: 110 }, () => sim.addInstance().instanceId);
    for (const instanceId of instances.slice(0, 100)) await ec2.send(setOf(instanceId));

    clock.advance(1000);
    const outcomes = await Promise.allSettled(instances.slice(100).map((id) => ec2.send(setOf(id))));

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
  });

  test('GIVEN a lost response aimed at one instance WHEN CreateSnapshots THEN the caller gets a TimeoutError, yet the whole set exists; another instance is untouched by the fault', async () => {
    const { ec2, sim, instanceId } = givenInstance();
    const other = sim.addInstance().instanceId;
    sim.injectFault({ action: 'CreateSnapshots', error: LOST_RESPONSE, instanceId });

    await ec2.send(setOf(other));
    const error = await ec2.send(setOf(instanceId)).then(
      () => undefined,
      (reason: Error) => reason,
    );

    expect(error).not.toBeInstanceOf(EC2ServiceException);
    expect(error?.name).toBe('TimeoutError');
    expect(sim.snapshotSetsOf(instanceId)[0]).toHaveLength(3);
    expect(sim.calls().CreateSnapshots).toEqual({ succeeded: 1, throttled: 0, failed: 1 });
  });

  test('GIVEN an injected InternalError WHEN CreateSnapshots THEN nothing is made; GIVEN a HANG THEN the set is made and the answer never comes', async () => {
    const { ec2, sim, instanceId } = givenInstance();
    sim.injectFault({ action: 'CreateSnapshots', error: 'InternalError' });
    sim.injectFault({ action: 'CreateSnapshots', error: HANG });

    const failed = await ec2ErrorFrom(ec2.send(setOf(instanceId)));
    const made = sim.allSnapshots().length;
    let settled = false;
    ec2.send(setOf(instanceId)).finally(() => {
      settled = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(failed.name).toBe('InternalError');
    expect(made).toBe(0);
    expect(settled).toBe(false);
    expect(sim.snapshotSetsOf(instanceId)).toHaveLength(1);
  });
});
