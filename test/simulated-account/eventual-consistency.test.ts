import {
  CreateSnapshotCommand,
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  type DescribeSnapshotsRequest,
} from '@aws-sdk/client-ec2';
import { SimulatedEc2 } from '../../local/simulated-account';
import { ec2ErrorFrom, givenAccount } from '../fixtures/account';

const LAG_MS = 2_000;
const EXECUTION = { Key: 'Backup-Execution', Value: 'run-1' };

function givenLaggingAccount(visibilityLagMs?: number) {
  const setup = givenAccount({ visibilityLagMs });
  const [volumeId] = setup.sim.addInstance().volumeIds;
  const create = async () =>
    (
      await setup.ec2.send(
        new CreateSnapshotCommand({
          VolumeId: volumeId,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [EXECUTION] }],
        }),
      )
    ).SnapshotId as string;
  const listed = async (request: DescribeSnapshotsRequest) =>
    ((await setup.ec2.send(new DescribeSnapshotsCommand(request))).Snapshots ?? []).map(
      (snapshot) => snapshot.SnapshotId,
    );
  return { ...setup, volumeId, create, listed };
}

describe('snapshot visibility lag (eventual consistency)', () => {
  test('GIVEN a lag WHEN a snapshot was just created THEN no listing shows it until the lag has passed', async () => {
    const { clock, volumeId, create, listed } = givenLaggingAccount(LAG_MS);
    const requests: DescribeSnapshotsRequest[] = [
      {},
      { OwnerIds: ['self'] },
      { Filters: [{ Name: 'volume-id', Values: [volumeId] }] },
      { Filters: [{ Name: `tag:${EXECUTION.Key}`, Values: [EXECUTION.Value] }] },
    ];

    const snapshotId = await create();
    clock.advance(LAG_MS - 1);
    const during = await Promise.all(requests.map(listed));
    clock.advance(1);
    const after = await Promise.all(requests.map(listed));

    expect(during).toEqual([[], [], [], []]);
    expect(after).toEqual([[snapshotId], [snapshotId], [snapshotId], [snapshotId]]);
  });

  test('GIVEN a lag WHEN a just-created snapshot is named in SnapshotIds THEN InvalidSnapshot.NotFound, as for an unknown id; later THEN found', async () => {
    const { ec2, clock, create, listed } = givenLaggingAccount(LAG_MS);

    const snapshotId = await create();
    const error = await ec2ErrorFrom(ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] })));
    clock.advance(LAG_MS);

    expect(error.name).toBe('InvalidSnapshot.NotFound');
    expect(error.message).toBe(`The snapshot '${snapshotId}' does not exist.`);
    expect(await listed({ SnapshotIds: [snapshotId] })).toEqual([snapshotId]);
  });

  test('GIVEN a lag WHEN a just-created snapshot is tagged and deleted THEN both work at once', async () => {
    const { ec2, sim, create } = givenLaggingAccount(LAG_MS);

    const snapshotId = await create();
    await ec2.send(new CreateTagsCommand({ Resources: [snapshotId], Tags: [{ Key: 'Extra', Value: '1' }] }));
    const taggedTags = sim.snapshot(snapshotId)?.Tags;
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));

    expect(taggedTags).toContainEqual({ Key: 'Extra', Value: '1' });
    expect(sim.snapshot(snapshotId)).toBeUndefined();
  });

  test('GIVEN a lag WHEN the test asks the simulator itself THEN snapshot, snapshotsOf and allSnapshots see the new snapshot at once', async () => {
    const { sim, volumeId, create } = givenLaggingAccount(LAG_MS);

    const snapshotId = await create();

    expect(sim.snapshot(snapshotId)?.SnapshotId).toBe(snapshotId);
    expect(sim.snapshotsOf(volumeId).map((snapshot) => snapshot.SnapshotId)).toEqual([snapshotId]);
    expect(sim.allSnapshots().map((snapshot) => snapshot.SnapshotId)).toEqual([snapshotId]);
  });

  test('GIVEN a lag WHEN a snapshot is seeded THEN DescribeSnapshots sees it at once', async () => {
    const { sim, volumeId, listed } = givenLaggingAccount(LAG_MS);

    const seeded = sim.addSnapshot({ volumeId });

    expect(await listed({ SnapshotIds: [seeded] })).toEqual([seeded]);
  });

  test('GIVEN no lag option WHEN a snapshot was just created THEN it is listed at once', async () => {
    const { create, listed } = givenLaggingAccount();

    const snapshotId = await create();

    expect(await listed({ OwnerIds: ['self'] })).toEqual([snapshotId]);
  });

  test('GIVEN setVisibilityLag at run time WHEN snapshots are made before and after THEN only the later one lags, and a later reset leaves it lagging', async () => {
    const { sim, clock, create, listed } = givenLaggingAccount();

    const before = await create();
    sim.setVisibilityLag(LAG_MS);
    clock.advance(15_000);
    const after = await create();
    const listedNow = await listed({ OwnerIds: ['self'] });
    sim.setVisibilityLag(0);
    const listedAfterReset = await listed({ OwnerIds: ['self'] });
    clock.advance(LAG_MS);
    const listedLater = await listed({ OwnerIds: ['self'] });

    expect(listedNow).toEqual([before]);
    expect(listedAfterReset).toEqual([before]);
    expect(listedLater.sort()).toEqual([before, after].sort());
  });

  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    'GIVEN a lag of %p WHEN configuring THEN it is refused',
    (lag) => {
      expect(() => new SimulatedEc2({ visibilityLagMs: lag })).toThrow('visibilityLagMs');
      expect(() => new SimulatedEc2().setVisibilityLag(lag)).toThrow('visibilityLagMs');
    },
  );
});
