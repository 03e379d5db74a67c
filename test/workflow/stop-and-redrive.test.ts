import { getJson, putJson } from '../../lambdas/aws/json-store';
import type { RunReport } from '../../lambdas/contracts/run-documents';
import { runKey } from '../../lambdas/contracts/work-bucket';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { redriveLocalExecution } from '../../local/runner/local-execution';
import { StateName } from '../../statemachine/names';
import { DAY, givenWorkflow, START, TAG } from '../fixtures/workflow';

describe('the real definition stopped and redriven (StopExecution, RedriveExecution)', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  /** THEN each volume has exactly one snapshot made by the execution. */
  const expectOneSnapshotEach = (volumeIds: string[], executionName: string) => {
    for (const id of volumeIds) {
      const ofThisRun = world
        .managedSnapshots(id)
        .filter((s) => s.Tags?.some((t) => t.Key === SnapshotTag.execution && t.Value === executionName));
      expect(ofThisRun).toHaveLength(1);
    }
  };

  it('GIVEN a run stopped once 3 children of SnapshotVolumes finished WHEN redriven THEN Discover is not run again, every volume gets exactly one snapshot, the run succeeds', async () => {
    world = givenWorkflow({}, { snapshotConcurrency: 2 });
    const { volumeIds } = world.sim.addInstance({
      name: 'web',
      tags: { [TAG]: '2' },
      volumes: [{}, {}, {}, {}, {}, {}],
    });

    const stopped = await world.run(
      {},
      {
        stopWhen: (event) =>
          event.type === 'child' && event.map === StateName.snapshotVolumes && event.finished === 3,
      },
    );
    expect(stopped.status).toBe('ABORTED');
    // Stopped in the Parallel state: its snapshot branch in SnapshotVolumes, its pruning loop waiting.
    expect(stopped.unsuccessfulState?.state).toBe(StateName.snapshotAndPrune);
    expect(
      stopped.parallels[StateName.snapshotAndPrune].branches.map((b) => [
        b?.status,
        b?.unsuccessfulState?.state,
      ]),
    ).toEqual([
      ['ABORTED', StateName.snapshotVolumes],
      ['ABORTED', StateName.awaitSnapshots],
      // No instance is taken as a set: the set branch ended at once.
      ['SUCCEEDED', undefined],
    ]);
    const statuses = stopped.mapRuns[StateName.snapshotVolumes][0].children.map((c) => c?.result.Status);
    const started = statuses.filter((s) => s !== undefined);
    // A child ending in the same instant as the stop may still succeed; the others running are aborted.
    expect(statuses.filter((s) => s === 'SUCCEEDED').length).toBeGreaterThanOrEqual(3);
    expect(started.every((s) => s === 'SUCCEEDED' || s === 'ABORTED')).toBe(true);
    // Items not started when the stop came are not started.
    expect(started.length).toBeLessThan(volumeIds.length);
    // Every child started made its snapshot, an aborted one's invocation included.
    expect(volumeIds.filter((id) => world.managedSnapshots(id).length > 0)).toHaveLength(started.length);

    const redriven = await world.clock.settle(
      redriveLocalExecution(stopped, { clients: world.clients, deployment: world.deployment }),
    );
    expect(redriven).toMatchObject({
      status: 'SUCCEEDED',
      executionName: stopped.executionName,
      executionArn: stopped.executionArn,
      redriveCount: 1,
    });
    // Each branch continues where it was: the Map Run redriven, the wait polling again.
    expect(redriven.tasks.slice(0, 3)).toEqual([
      StateName.snapshotAndPrune,
      StateName.snapshotVolumes,
      StateName.awaitSnapshots,
    ]);
    expect(redriven.tasks).not.toContain(StateName.discover);
    expect(redriven.mapRuns[StateName.snapshotVolumes]).toHaveLength(1);
    expectOneSnapshotEach(volumeIds, stopped.executionName);
  });

  it('GIVEN a run stopped in SnapshotVolumes WHEN its work list is overwritten before the redrive THEN the redrive backs up the volumes the Map Run read: each exactly once', async () => {
    world = givenWorkflow({}, { snapshotConcurrency: 1 });
    const { volumeIds } = world.sim.addInstance({
      name: 'web',
      tags: { [TAG]: '2' },
      volumes: [{}, {}, {}, {}],
    });
    const stopped = await world.run(
      {},
      {
        stopWhen: (event) =>
          event.type === 'child' && event.map === StateName.snapshotVolumes && event.finished === 1,
      },
    );
    expect(stopped.status).toBe('ABORTED');
    const workList = { bucket: world.deployment.bucket, key: runKey(stopped.executionName, 'volumes') };
    const items = await getJson<{ volumeId: string }[]>(world.clients.s3, workList);
    expect(items).toHaveLength(volumeIds.length);
    // A later writer leaves only the first volume in the object the ItemReader read.
    await putJson(world.clients.s3, workList, items.slice(0, 1));

    const redriven = await world.clock.settle(
      redriveLocalExecution(stopped, { clients: world.clients, deployment: world.deployment }),
    );

    expectOneSnapshotEach(volumeIds, stopped.executionName);
    // The pruning loop reads the list as it is now: the volumes it no longer names are not pruned,
    // and the run says so rather than dropping them silently.
    expect(redriven.status).toBe('FAILED');
    const report = await getJson<RunReport>(world.clients.s3, {
      bucket: world.deployment.bucket,
      key: runKey(stopped.executionName, 'report'),
    });
    expect(report.failures.map((f) => [f.volumeId, f.error])).toEqual(
      items
        .slice(1)
        .map((item) => item.volumeId)
        .sort()
        .map((id) => [id, 'NotPruned']),
    );
  });

  it("GIVEN a run stopped while the pruning loop runs a batch WHEN redriven THEN the snapshot branch, which had ended, is not run again; the batch's Map Run is redriven and every volume is pruned exactly once", async () => {
    world = givenWorkflow({ completionDelayMs: 60_000 }, { pruneConcurrency: 1 });
    const { volumeIds } = world.sim.addInstance({ name: 'web', tags: { [TAG]: '1' }, volumes: [{}, {}, {}] });
    await world.runDaily(1);
    await world.clock.advanceTo(START + DAY);
    const stopped = await world.run(
      {},
      {
        stopWhen: (event) =>
          event.type === 'child' && event.map === StateName.pruneVolumes && event.finished === 1,
      },
    );
    expect(stopped.status).toBe('ABORTED');
    expect(
      stopped.parallels[StateName.snapshotAndPrune].branches.map((b) => [
        b?.status,
        b?.unsuccessfulState?.state,
      ]),
    ).toEqual([
      ['SUCCEEDED', undefined],
      ['ABORTED', StateName.pruneVolumes],
      ['SUCCEEDED', undefined],
    ]);
    const redriven = await world.clock.settle(
      redriveLocalExecution(stopped, { clients: world.clients, deployment: world.deployment }),
    );
    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.tasks).not.toContain(StateName.snapshotVolumes);
    expect(redriven.tasks).not.toContain(StateName.recordSnapshotRun);
    // One Map Run of PruneVolumes, redriven: each volume's prune child in it, once.
    const [pruneRun] = redriven.mapRuns[StateName.pruneVolumes];
    expect(redriven.mapRuns[StateName.pruneVolumes]).toHaveLength(1);
    const pruned = pruneRun.children.map((c) => JSON.parse(c?.result.Input ?? '{}').volume.volumeId);
    expect(pruned.sort()).toEqual([...volumeIds].sort());
    for (const id of volumeIds) expect(world.managedSnapshots(id)).toHaveLength(1);
    expectOneSnapshotEach(volumeIds, stopped.executionName);
  });

  it('GIVEN a succeeded execution WHEN redriven THEN refused, as RedriveExecution refuses', async () => {
    world = givenWorkflow();
    const done = await world.run();
    expect(done.status).toBe('SUCCEEDED');
    expect(() =>
      redriveLocalExecution(done, { clients: world.clients, deployment: world.deployment }),
    ).toThrow('only unsuccessful executions');
  });
});
