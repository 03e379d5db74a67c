import { CreateSnapshotCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { givenAccount } from '../fixtures/account';

const MINUTE = 60_000;

type Simulator = ReturnType<typeof givenAccount>['sim'];

/** A fresh account and one snapshot made through the client, after `plan` set up the volume. */
async function givenNewSnapshot(
  options: { completionDelayMs?: number } = {},
  plan?: (sim: Simulator, volumeId: string) => void,
) {
  const setup = givenAccount(options);
  const [volumeId] = setup.sim.addInstance().volumeIds;
  plan?.(setup.sim, volumeId);
  const created = await setup.ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
  const snapshotId = created.SnapshotId as string;
  const describe = async () =>
    (await setup.ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }))).Snapshots?.[0];
  return { ...setup, volumeId, snapshotId, describe };
}

describe('snapshot lifecycle under the clock', () => {
  test('GIVEN the default 5 minute delay WHEN the clock passes it THEN pending (with growing progress) becomes completed', async () => {
    const { clock, describe } = await givenNewSnapshot();

    const atStart = await describe();
    clock.advance(2.5 * MINUTE);
    const halfway = await describe();
    clock.advance(2.5 * MINUTE - 1);
    const justBefore = await describe();
    clock.advance(1);
    const done = await describe();

    expect(atStart).toMatchObject({ State: 'pending', Progress: '0%' });
    expect(halfway).toMatchObject({ State: 'pending', Progress: '50%' });
    expect(justBefore?.State).toBe('pending');
    expect(done).toMatchObject({ State: 'completed', Progress: '100%' });
  });

  test('GIVEN completionDelayMs 0 WHEN created THEN the response says pending and the next read says completed', async () => {
    const { describe, ec2, volumeId } = await givenNewSnapshot({ completionDelayMs: 0 });

    const described = await describe();
    const completedFilter = await ec2.send(
      new DescribeSnapshotsCommand({ Filters: [{ Name: 'status', Values: ['completed'] }] }),
    );

    expect(described?.State).toBe('completed');
    expect(completedFilter.Snapshots?.map((snapshot) => snapshot.VolumeId)).toEqual([volumeId]);
  });

  test('GIVEN a volume planned to fail WHEN its delay passes THEN its new snapshot ends in error', async () => {
    const { clock, describe } = await givenNewSnapshot({}, (sim, volumeId) =>
      sim.setSnapshotOutcome(volumeId, 'error', { completionDelayMs: MINUTE }),
    );

    clock.advance(MINUTE);

    expect((await describe())?.State).toBe('error');
  });

  test('GIVEN a volume planned stuck WHEN a whole day passes THEN its snapshot is still pending', async () => {
    const { clock, describe } = await givenNewSnapshot({}, (sim, volumeId) =>
      sim.setSnapshotOutcome(volumeId, 'stuck-pending'),
    );

    clock.advance(24 * 60 * MINUTE);

    expect((await describe())?.State).toBe('pending');
  });

  test('GIVEN a pending snapshot WHEN the test completes or fails it directly THEN that state holds', async () => {
    const first = await givenNewSnapshot();
    const second = await givenNewSnapshot();

    first.sim.completeSnapshot(first.snapshotId);
    second.sim.failSnapshot(second.snapshotId);

    expect((await first.describe())?.State).toBe('completed');
    expect((await second.describe())?.State).toBe('error');
  });

  test('GIVEN snapshots already made WHEN the volume’s outcome plan changes THEN they keep the fate they were given', async () => {
    const { clock, sim, volumeId, describe } = await givenNewSnapshot();

    sim.setSnapshotOutcome(volumeId, 'error');
    clock.advance(5 * MINUTE);

    expect((await describe())?.State).toBe('completed');
  });

  test('GIVEN seeded history in each state WHEN time passes THEN seeded states hold', () => {
    const { clock, sim } = givenAccount();
    const [volumeId] = sim.addInstance().volumeIds;
    const pending = sim.addSnapshot({ volumeId, state: 'pending' });
    const failed = sim.addSnapshot({ volumeId, state: 'error' });
    const old = sim.addSnapshot({ volumeId, startTime: new Date('2024-01-01T00:00:00Z') });

    clock.advance(60 * MINUTE);

    expect(sim.snapshotsOf(volumeId).map((snapshot) => [snapshot.SnapshotId, snapshot.State])).toEqual([
      [old, 'completed'],
      ...[
        [pending, 'pending'],
        [failed, 'error'],
      ].sort(([a], [b]) => (a < b ? -1 : 1)),
    ]);
  });
});
