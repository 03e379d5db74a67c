import { CreateVolumeCommand, type CreateVolumeRequest, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { ec2ErrorFrom, givenAccount } from '../fixtures/account';

const RESTORED = { Key: 'Backup-Restored-From', Value: 'snap-1' };

/** A 30 GiB volume with one completed and one pending snapshot. */
function givenSnapshots() {
  const setup = givenAccount();
  const volumeId = setup.sim.addVolume({ sizeGiB: 30 });
  const completed = setup.sim.addSnapshot({ volumeId });
  const pending = setup.sim.addSnapshot({ volumeId, state: 'pending' });
  return { ...setup, volumeId, completed, pending };
}

describe('CreateVolume', () => {
  test('GIVEN a completed snapshot WHEN a volume is created from it THEN it is in that zone, of the type, IOPS and throughput asked, tagged at creation, creating then available', async () => {
    const { ec2, sim, completed } = givenSnapshots();

    const created = await ec2.send(
      new CreateVolumeCommand({
        AvailabilityZone: 'us-east-1b',
        SnapshotId: completed,
        VolumeType: 'gp3',
        Iops: 4000,
        Throughput: 250,
        TagSpecifications: [{ ResourceType: 'volume', Tags: [RESTORED] }],
      }),
    );
    const described = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [created.VolumeId as string] }));

    expect(created).toMatchObject({
      State: 'creating',
      AvailabilityZone: 'us-east-1b',
      SnapshotId: completed,
      Size: 30,
      VolumeType: 'gp3',
      Iops: 4000,
      Throughput: 250,
      Tags: [RESTORED],
    });
    expect(created.VolumeId).toMatch(/^vol-[0-9a-f]{17}$/);
    expect(described.Volumes?.[0]).toMatchObject({ State: 'available', Attachments: [], Tags: [RESTORED] });
    expect(sim.calls().CreateTags.succeeded).toBe(0);
  });

  test('GIVEN no type WHEN created THEN gp2, as EC2 defaults, with its baseline IOPS; gp3 without IOPS THEN 3000 and 125 MiB/s', async () => {
    const { ec2, completed } = givenSnapshots();

    const gp2 = await ec2.send(
      new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', SnapshotId: completed }),
    );
    const gp3 = await ec2.send(
      new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 10, VolumeType: 'gp3' }),
    );

    expect(gp2).toMatchObject({ VolumeType: 'gp2', Size: 30, Iops: 100 });
    expect(gp2.Throughput).toBeUndefined();
    expect(gp3).toMatchObject({ VolumeType: 'gp3', Size: 10, Iops: 3000, Throughput: 125, SnapshotId: '' });
  });

  test('GIVEN a larger size than the snapshot THEN accepted; GIVEN a smaller one THEN InvalidParameterValue and nothing is created', async () => {
    const { ec2, sim, completed } = givenSnapshots();
    const before = sim.volumes().length;

    const larger = await ec2.send(
      new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', SnapshotId: completed, Size: 50 }),
    );
    const error = await ec2ErrorFrom(
      ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', SnapshotId: completed, Size: 29 })),
    );

    expect(larger.Size).toBe(50);
    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toContain(completed);
    expect(sim.volumes()).toHaveLength(before + 1);
  });

  test.each<{ problem: string; request: Partial<CreateVolumeRequest>; code: string }>([
    {
      problem: 'an unknown snapshot',
      request: { SnapshotId: 'snap-0000000000000dead' },
      code: 'InvalidSnapshot.NotFound',
    },
    {
      problem: 'a zone of another Region',
      request: { AvailabilityZone: 'eu-west-1a' },
      code: 'InvalidParameterValue',
    },
    { problem: 'no zone', request: { AvailabilityZone: undefined }, code: 'MissingParameter' },
    { problem: 'an unknown type', request: { VolumeType: 'gp9' as 'gp3' }, code: 'InvalidParameterValue' },
    {
      problem: 'IOPS on gp2',
      request: { VolumeType: 'gp2', Iops: 3000 },
      code: 'InvalidParameterCombination',
    },
    { problem: 'io1 without IOPS', request: { VolumeType: 'io1' }, code: 'InvalidParameterCombination' },
    {
      problem: 'throughput on io2',
      request: { VolumeType: 'io2', Iops: 1000, Throughput: 200 },
      code: 'InvalidParameterCombination',
    },
    {
      problem: 'gp3 IOPS over 500 per GiB',
      request: { VolumeType: 'gp3', Iops: 16_000 },
      code: 'InvalidParameterValue',
    },
    {
      problem: 'gp3 throughput out of range',
      request: { VolumeType: 'gp3', Throughput: 100 },
      code: 'InvalidParameterValue',
    },
    { problem: 'an st1 volume under 125 GiB', request: { VolumeType: 'st1' }, code: 'InvalidParameterValue' },
    {
      problem: 'a volume tag specification of another type',
      request: { TagSpecifications: [{ ResourceType: 'snapshot', Tags: [RESTORED] }] },
      code: 'InvalidParameterValue',
    },
  ])(
    'GIVEN $problem WHEN creating from a snapshot THEN $code and nothing is created',
    async ({ request, code }) => {
      const { ec2, sim, completed } = givenSnapshots();
      const before = sim.volumes().length;

      const error = await ec2ErrorFrom(
        ec2.send(
          new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', SnapshotId: completed, ...request }),
        ),
      );

      expect(error.name).toBe(code);
      expect(sim.volumes()).toHaveLength(before);
    },
  );

  test('GIVEN a pending snapshot WHEN a volume is created from it THEN IncorrectState naming its state', async () => {
    const { ec2, sim, pending } = givenSnapshots();
    const before = sim.volumes().length;

    const error = await ec2ErrorFrom(
      ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', SnapshotId: pending })),
    );

    expect(error.name).toBe('IncorrectState');
    expect(error.message).toMatch(/pending/);
    expect(sim.volumes()).toHaveLength(before);
  });

  test('GIVEN neither a size nor a snapshot THEN MissingParameter', async () => {
    const { ec2 } = givenAccount();

    const error = await ec2ErrorFrom(ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a' })));

    expect(error.name).toBe('MissingParameter');
  });

  test('GIVEN DryRun WHEN creating THEN DryRunOperation (412) and nothing is created', async () => {
    const { ec2, sim, completed } = givenSnapshots();
    const before = sim.volumes().length;

    const error = await ec2ErrorFrom(
      ec2.send(
        new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', SnapshotId: completed, DryRun: true }),
      ),
    );

    expect(error.name).toBe('DryRunOperation');
    expect(error.$metadata.httpStatusCode).toBe(412);
    expect(sim.volumes()).toHaveLength(before);
  });

  test('GIVEN a ClientToken WHEN the same request is sent again THEN the same volume; with other parameters THEN IdempotentParameterMismatch', async () => {
    const { ec2, sim, completed } = givenSnapshots();
    const request = { AvailabilityZone: 'us-east-1a', SnapshotId: completed, ClientToken: 'restore-1' };
    const before = sim.volumes().length;

    const first = await ec2.send(new CreateVolumeCommand(request));
    const again = await ec2.send(new CreateVolumeCommand(request));
    const other = await ec2ErrorFrom(ec2.send(new CreateVolumeCommand({ ...request, Size: 40 })));

    expect(again.VolumeId).toBe(first.VolumeId);
    expect(other.name).toBe('IdempotentParameterMismatch');
    expect(sim.volumes()).toHaveLength(before + 1);
  });

  test('GIVEN seeded volumes WHEN described THEN they carry their zone, type and performance', async () => {
    const { ec2, sim } = givenAccount();
    const io2 = sim.addVolume({
      sizeGiB: 100,
      volumeType: 'io2',
      iops: 5000,
      availabilityZone: 'us-east-1c',
    });
    const plain = sim.addVolume();

    const { Volumes = [] } = await ec2.send(new DescribeVolumesCommand({ VolumeIds: [io2, plain] }));

    expect(Volumes.find((v) => v.VolumeId === io2)).toMatchObject({
      VolumeType: 'io2',
      Iops: 5000,
      AvailabilityZone: 'us-east-1c',
      Size: 100,
    });
    expect(Volumes.find((v) => v.VolumeId === io2)?.Throughput).toBeUndefined();
    expect(Volumes.find((v) => v.VolumeId === plain)).toMatchObject({
      VolumeType: 'gp3',
      Iops: 3000,
      Throughput: 125,
      AvailabilityZone: 'us-east-1a',
      Size: 8,
    });
  });
});
