import {
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  paginateDescribeInstances,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
} from '@aws-sdk/client-ec2';
import fc from 'fast-check';
import { collect, ec2ErrorFrom, givenAccount } from '../fixtures/account';

function givenFleet(instances: number, maxPageSize?: number) {
  const setup = givenAccount({ maxPageSize });
  const seeded = Array.from({ length: instances }, (_, i) =>
    setup.sim.addInstance({ name: `host-${i}`, volumes: [{}, {}] }),
  );
  for (const volumeId of seeded.flatMap((instance) => instance.volumeIds)) {
    setup.sim.addSnapshot({ volumeId, description: `Auto Snapshot ${volumeId}` });
  }
  return { ...setup, seeded };
}

describe('pagination through the real SDK paginators', () => {
  test('GIVEN 23 instances, 46 volumes and 46 snapshots and a page cap of 5 WHEN paginating THEN each comes exactly once, over several pages', async () => {
    const { ec2, seeded } = givenFleet(23, 5);
    const instanceIds = seeded.map((instance) => instance.instanceId);
    const volumeIds = seeded.flatMap((instance) => instance.volumeIds);

    let instancePages = 0;
    const instances = await collect(paginateDescribeInstances({ client: ec2 }, {}), (page) => {
      instancePages += 1;
      expect(page.Reservations?.length).toBeLessThanOrEqual(5);
      return page.Reservations?.flatMap((reservation) => reservation.Instances ?? []);
    });
    const volumes = await collect(paginateDescribeVolumes({ client: ec2 }, {}), (page) => page.Volumes);
    const snapshots = await collect(
      paginateDescribeSnapshots({ client: ec2 }, { OwnerIds: ['self'] }),
      (page) => page.Snapshots,
    );

    expect(instancePages).toBe(5);
    expect(instances.map((instance) => instance.InstanceId).sort()).toEqual([...instanceIds].sort());
    expect(volumes.map((volume) => volume.VolumeId).sort()).toEqual([...volumeIds].sort());
    expect(snapshots.map((snapshot) => snapshot.VolumeId).sort()).toEqual([...volumeIds].sort());
  });

  test('GIVEN any fleet size, page cap and MaxResults WHEN paginating instances THEN the pages partition the fleet', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 40 }),
        fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }),
        fc.option(fc.integer({ min: 5, max: 1000 }), { nil: undefined }),
        async (count, maxPageSize, pageSize) => {
          const { ec2, seeded } = givenFleet(count, maxPageSize);
          const ids = await collect(paginateDescribeInstances({ client: ec2, pageSize }, {}), (page) =>
            page.Reservations?.flatMap((reservation) => reservation.Instances ?? []).map((i) => i.InstanceId),
          );
          expect(ids).toHaveLength(count);
          expect(new Set(ids)).toEqual(new Set(seeded.map((instance) => instance.instanceId)));
        },
      ),
      { numRuns: 60 },
    );
  });

  test('GIVEN no page cap and no MaxResults WHEN describing THEN everything comes in one page without NextToken', async () => {
    const { ec2 } = givenFleet(30);

    const page = await ec2.send(new DescribeVolumesCommand({}));

    expect(page.Volumes).toHaveLength(60);
    expect(page.NextToken).toBeUndefined();
  });

  test('GIVEN MaxResults 7 WHEN describing volumes THEN the page holds 7 and a NextToken', async () => {
    const { ec2 } = givenFleet(10);

    const page = await ec2.send(new DescribeVolumesCommand({ MaxResults: 7 }));

    expect(page.Volumes).toHaveLength(7);
    expect(page.NextToken).toEqual(expect.any(String));
  });

  test.each([
    {
      action: 'DescribeInstances',
      maxResults: 4,
      command: () => new DescribeInstancesCommand({ MaxResults: 4 }),
    },
    {
      action: 'DescribeInstances',
      maxResults: 1001,
      command: () => new DescribeInstancesCommand({ MaxResults: 1001 }),
    },
    {
      action: 'DescribeVolumes',
      maxResults: 501,
      command: () => new DescribeVolumesCommand({ MaxResults: 501 }),
    },
    {
      action: 'DescribeSnapshots',
      maxResults: 1001,
      command: () => new DescribeSnapshotsCommand({ MaxResults: 1001 }),
    },
  ])('GIVEN MaxResults $maxResults WHEN calling $action THEN InvalidParameterValue', async ({ command }) => {
    const { ec2 } = givenFleet(1);

    // biome-ignore lint/suspicious/noExplicitAny: one table for three command types.
    const error = await ec2ErrorFrom(ec2.send(command() as any));

    expect(error.name).toBe('InvalidParameterValue');
    expect(error.message).toMatch(/maxResults/);
  });

  test('GIVEN InstanceIds WHEN MaxResults is also given THEN InvalidParameterCombination, as EC2 does not page id lookups', async () => {
    const { ec2, seeded } = givenFleet(1);

    const error = await ec2ErrorFrom(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: [seeded[0].instanceId], MaxResults: 5 })),
    );

    expect(error.name).toBe('InvalidParameterCombination');
  });

  test('GIVEN a token EC2 never issued, or one from another action WHEN describing THEN InvalidPaginationToken', async () => {
    const { ec2 } = givenFleet(12, 5);
    const volumePage = await ec2.send(new DescribeVolumesCommand({}));

    const forged = await ec2ErrorFrom(ec2.send(new DescribeInstancesCommand({ NextToken: 'not-a-token' })));
    const foreign = await ec2ErrorFrom(
      ec2.send(new DescribeInstancesCommand({ NextToken: volumePage.NextToken })),
    );

    expect(forged.name).toBe('InvalidPaginationToken');
    expect(foreign.name).toBe('InvalidPaginationToken');
  });

  test('GIVEN a paging caller WHEN snapshots are deleted and created between pages THEN no remaining snapshot is skipped or repeated', async () => {
    const { ec2, sim, seeded } = givenFleet(10, 5);
    const first = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }));
    const seen = new Set(first.Snapshots?.map((snapshot) => snapshot.SnapshotId));
    const unseen = sim.allSnapshots().filter((snapshot) => !seen.has(snapshot.SnapshotId));
    for (const snapshot of first.Snapshots ?? []) {
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshot.SnapshotId }));
    }
    sim.addSnapshot({ volumeId: seeded[0].volumeIds[0] });

    const rest = await collect(
      paginateDescribeSnapshots({ client: ec2, startingToken: first.NextToken }, { OwnerIds: ['self'] }),
      (page) => page.Snapshots,
    );

    const restIds = rest.map((snapshot) => snapshot.SnapshotId);
    expect(new Set(restIds).size).toBe(restIds.length);
    expect(restIds).toEqual(expect.arrayContaining(unseen.map((snapshot) => snapshot.SnapshotId)));
    expect(restIds.filter((id) => seen.has(id))).toEqual([]);
  });

  test('GIVEN an empty InstanceIds list WHEN describing THEN every instance comes back, as the query protocol drops empty lists', async () => {
    const { ec2 } = givenFleet(3);

    const page = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [] }));

    expect(page.Reservations).toHaveLength(3);
  });
});
