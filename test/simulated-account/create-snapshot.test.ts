import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
} from '@aws-sdk/client-ec2';
import { PER_VOLUME_SNAPSHOT_INTERVAL_MS } from '../../local/simulated-account';
import { ec2ErrorFrom, givenAccount } from '../fixtures/account';

const MARKER = { Key: 'Backup-Managed-By', Value: 'stack' };

function givenVolume() {
  const setup = givenAccount();
  const [volumeId] = setup.sim.addInstance({ volumes: [{ sizeGiB: 30 }] }).volumeIds;
  return { ...setup, volumeId };
}

describe('CreateSnapshot', () => {
  test('GIVEN TagSpecifications WHEN creating THEN the snapshot carries the tags at once, in the response and in Describe, without CreateTags', async () => {
    const { ec2, sim, volumeId } = givenVolume();

    const created = await ec2.send(
      new CreateSnapshotCommand({
        VolumeId: volumeId,
        Description: `Auto Snapshot ${volumeId}(web)`,
        TagSpecifications: [{ ResourceType: 'snapshot', Tags: [MARKER, { Key: 'Name', Value: 'web' }] }],
      }),
    );
    const described = await ec2.send(
      new DescribeSnapshotsCommand({ SnapshotIds: [created.SnapshotId as string] }),
    );

    expect(created).toMatchObject({
      VolumeId: volumeId,
      State: 'pending',
      VolumeSize: 30,
      Description: `Auto Snapshot ${volumeId}(web)`,
      Tags: [MARKER, { Key: 'Name', Value: 'web' }],
    });
    expect(created.SnapshotId).toMatch(/^snap-[0-9a-f]{17}$/);
    expect(created.StartTime).toBeInstanceOf(Date);
    expect(described.Snapshots?.[0].Tags).toEqual([MARKER, { Key: 'Name', Value: 'web' }]);
    expect(sim.calls().CreateTags.succeeded).toBe(0);
  });

  test('GIVEN a snapshot of a volume WHEN another is asked within 15 s THEN SnapshotCreationPerVolumeRateExceeded; after 15 s THEN it succeeds', async () => {
    const { ec2, clock, sim, volumeId } = givenVolume();
    const [otherVolume] = sim.addInstance().volumeIds;
    await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    clock.advance(PER_VOLUME_SNAPSHOT_INTERVAL_MS - 1);

    const refused = await ec2ErrorFrom(ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId })));
    await ec2.send(new CreateSnapshotCommand({ VolumeId: otherVolume }));
    clock.advance(1);
    await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));

    expect(refused.name).toBe('SnapshotCreationPerVolumeRateExceeded');
    expect(refused.$metadata.httpStatusCode).toBe(400);
    expect(sim.snapshotsOf(volumeId)).toHaveLength(2);
  });

  test('GIVEN a gp3 volume with 5 snapshots pending or in error WHEN another is asked THEN ConcurrentSnapshotLimitExceeded; deleting one in error makes room', async () => {
    const { ec2, sim, volumeId } = givenVolume();
    sim.addSnapshot({ volumeId, state: 'completed' });
    const failed = [1, 2, 3].map(() => sim.addSnapshot({ volumeId, state: 'error' }));
    sim.addSnapshot({ volumeId, state: 'pending' });
    sim.addSnapshot({ volumeId, state: 'pending' });

    const refused = await ec2ErrorFrom(ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId })));
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: failed[0] }));
    await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));

    expect(refused.name).toBe('ConcurrentSnapshotLimitExceeded');
    expect(refused.message).toBe('Maximum allowed in-progress snapshots for a single volume exceeded.');
    expect(refused.$metadata.httpStatusCode).toBe(400);
    expect(sim.snapshotsOf(volumeId)).toHaveLength(6);
  });

  test('GIVEN an st1 volume with one snapshot pending WHEN another is asked THEN ConcurrentSnapshotLimitExceeded', async () => {
    const { ec2, sim } = givenAccount();
    const [volumeId] = sim.addInstance({ volumes: [{ volumeType: 'st1', sizeGiB: 500 }] }).volumeIds;
    sim.addSnapshot({ volumeId, state: 'pending' });

    const refused = await ec2ErrorFrom(ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId })));

    expect(refused.name).toBe('ConcurrentSnapshotLimitExceeded');
    expect(sim.snapshotsOf(volumeId)).toHaveLength(1);
  });

  test('GIVEN a volume that vanished after discovery WHEN snapshotting it THEN InvalidVolume.NotFound and nothing is created', async () => {
    const { ec2, sim, volumeId } = givenVolume();
    sim.deleteVolume(volumeId);

    const error = await ec2ErrorFrom(ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId })));

    expect(error.name).toBe('InvalidVolume.NotFound');
    expect(error.message).toContain(volumeId);
    expect(sim.allSnapshots()).toEqual([]);
  });

  test('GIVEN a description of 255 characters THEN accepted; GIVEN 256 THEN InvalidParameterValue and nothing is created', async () => {
    const { ec2, clock, sim, volumeId } = givenVolume();

    await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId, Description: 'x'.repeat(255) }));
    clock.advance(PER_VOLUME_SNAPSHOT_INTERVAL_MS);
    const error = await ec2ErrorFrom(
      ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId, Description: 'x'.repeat(256) })),
    );

    expect(error.name).toBe('InvalidParameterValue');
    expect(sim.snapshotsOf(volumeId)).toHaveLength(1);
  });

  test.each([
    { problem: 'a reserved aws: key', tags: [{ Key: 'aws:backup', Value: 'x' }] },
    { problem: 'a value over 256 characters', tags: [{ Key: 'Name', Value: 'n'.repeat(257) }] },
    { problem: 'a duplicate key', tags: [MARKER, MARKER] },
  ])(
    'GIVEN $problem in TagSpecifications WHEN creating THEN refused and nothing is created',
    async ({ tags }) => {
      const { ec2, sim, volumeId } = givenVolume();

      const error = await ec2ErrorFrom(
        ec2.send(
          new CreateSnapshotCommand({
            VolumeId: volumeId,
            TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
          }),
        ),
      );

      expect(error.name).toBe('InvalidParameterValue');
      expect(sim.allSnapshots()).toEqual([]);
    },
  );

  test('GIVEN DryRun WHEN creating THEN DryRunOperation (412) and nothing is created', async () => {
    const { ec2, sim, volumeId } = givenVolume();

    const error = await ec2ErrorFrom(
      ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId, DryRun: true })),
    );

    expect(error.name).toBe('DryRunOperation');
    expect(error.$metadata.httpStatusCode).toBe(412);
    expect(sim.allSnapshots()).toEqual([]);
  });

  test('GIVEN TagSpecifications for another resource type WHEN creating THEN InvalidParameterValue', async () => {
    const { ec2, volumeId } = givenVolume();

    const error = await ec2ErrorFrom(
      ec2.send(
        new CreateSnapshotCommand({
          VolumeId: volumeId,
          TagSpecifications: [{ ResourceType: 'volume', Tags: [MARKER] }],
        }),
      ),
    );

    expect(error.name).toBe('InvalidParameterValue');
  });
});

describe('CreateTags (adopting existing snapshots)', () => {
  test('GIVEN an untagged legacy snapshot WHEN tagged THEN the tags are added and existing ones overwritten', async () => {
    const { ec2, sim, volumeId } = givenVolume();
    const legacy = sim.addSnapshot({
      volumeId,
      description: `Auto Snapshot ${volumeId}`,
      tags: { Name: 'old' },
    });

    await ec2.send(
      new CreateTagsCommand({ Resources: [legacy], Tags: [MARKER, { Key: 'Name', Value: 'new' }] }),
    );

    expect(sim.snapshot(legacy)?.Tags).toEqual([{ Key: 'Name', Value: 'new' }, MARKER]);
  });

  test('GIVEN one unknown resource among several WHEN tagging THEN the call fails and no resource is tagged', async () => {
    const { ec2, sim, volumeId } = givenVolume();
    const legacy = sim.addSnapshot({ volumeId });

    const error = await ec2ErrorFrom(
      ec2.send(new CreateTagsCommand({ Resources: [legacy, 'snap-0000000000000dead'], Tags: [MARKER] })),
    );

    expect(error.name).toBe('InvalidSnapshot.NotFound');
    expect(sim.snapshot(legacy)?.Tags).toBeUndefined();
  });
});
