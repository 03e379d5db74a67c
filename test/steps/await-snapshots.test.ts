import { awaitSnapshots } from '../../lambdas/steps/await-snapshots';
import { createVolumeSnapshot } from '../../lambdas/steps/create-snapshot';
import { givenSteps, MANAGED_BY, rejection, task, workItem } from './fixture';

const MINUTE = 60_000;

describe('await-snapshots step (SPEC §4.3)', () => {
  async function given(volumes: number, options: { maxPageSize?: number } = {}) {
    const steps = givenSteps({ completionDelayMs: 10 * MINUTE, ...options });
    const ids: string[] = [];
    for (let i = 0; i < volumes; i++) ids.push(...steps.sim.addInstance({ volumes: [{}] }).volumeIds);
    for (const id of ids)
      await createVolumeSnapshot({ ec2: steps.ec2, managedBy: MANAGED_BY }, task(workItem(id, 2), 'run-1'));
    const deps = { ec2: steps.ec2, managedBy: MANAGED_BY, waitLimitSeconds: 3600, now: steps.clock.now };
    return { ...steps, ids, deps };
  }

  it('GIVEN snapshots still pending WHEN polled THEN the named SnapshotsPending error with the count', async () => {
    const { deps } = await given(3);
    const error = await rejection(awaitSnapshots(deps, 'run-1'));
    expect(error.name).toBe('SnapshotsPending');
    expect(error.message).toBe('3 of 3 snapshots of execution run-1 still pending');
  });

  it('GIVEN all completed WHEN polled THEN the counts', async () => {
    const { deps, clock } = await given(3);
    clock.advance(11 * MINUTE);
    expect(await awaitSnapshots(deps, 'run-1')).toEqual({ total: 3, completed: 3, error: 0, timedOut: 0 });
  });

  it('GIVEN one snapshot ends in error WHEN polled THEN it is counted, not waited for', async () => {
    const { deps, clock, sim, ids } = await given(2);
    sim.failSnapshot(sim.snapshotsOf(ids[0])[0].SnapshotId ?? '');
    clock.advance(11 * MINUTE);
    expect(await awaitSnapshots(deps, 'run-1')).toEqual({ total: 2, completed: 1, error: 1, timedOut: 0 });
  });

  it('GIVEN a snapshot stuck pending past the wait limit WHEN polled THEN it is reported timed out', async () => {
    const steps = givenSteps({ completionDelayMs: MINUTE });
    const [stuck, fine] = [
      steps.sim.addInstance({ volumes: [{}] }),
      steps.sim.addInstance({ volumes: [{}] }),
    ].map((i) => i.volumeIds[0]);
    steps.sim.setSnapshotOutcome(stuck, 'stuck-pending');
    for (const id of [stuck, fine]) {
      await createVolumeSnapshot({ ec2: steps.ec2, managedBy: MANAGED_BY }, task(workItem(id, 1), 'run-1'));
    }
    const deps = { ec2: steps.ec2, managedBy: MANAGED_BY, waitLimitSeconds: 3600, now: steps.clock.now };
    steps.clock.advance(30 * MINUTE);
    expect((await rejection(awaitSnapshots(deps, 'run-1'))).message).toMatch(/^1 of 2/);
    steps.clock.advance(31 * MINUTE);
    expect(await awaitSnapshots(deps, 'run-1')).toEqual({ total: 2, completed: 1, error: 0, timedOut: 1 });
  });

  it("GIVEN another execution's snapshots WHEN polled THEN only this execution's count", async () => {
    const { deps, clock, ec2, ids } = await given(2);
    clock.advance(11 * MINUTE);
    await createVolumeSnapshot({ ec2, managedBy: MANAGED_BY }, task(workItem(ids[0], 2), 'run-2'));
    expect((await awaitSnapshots(deps, 'run-1')).total).toBe(2);
  });

  it('GIVEN 40 volumes at page size 5 WHEN polled THEN one call per page, not per volume', async () => {
    const { deps, clock, sim } = await given(40, { maxPageSize: 5 });
    clock.advance(11 * MINUTE);
    sim.resetCalls();
    expect((await awaitSnapshots(deps, 'run-1')).completed).toBe(40);
    expect(sim.calls().DescribeSnapshots.succeeded).toBe(8);
  });
});
