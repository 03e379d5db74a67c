import { getJson, putJson } from '../../lambdas/aws/json-store';
import { runKey } from '../../lambdas/contracts/work-bucket';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { redriveLocalExecution } from '../../local/runner/local-execution';
import { StateName } from '../../statemachine/names';
import { givenWorkflow, TAG } from '../fixtures/workflow';

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
    expect(stopped.unsuccessfulState?.state).toBe(StateName.snapshotVolumes);
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
    expect(redriven.tasks[0]).toBe(StateName.snapshotVolumes);
    expect(redriven.tasks).not.toContain(StateName.discover);
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
    const items = await getJson<unknown[]>(world.clients.s3, workList);
    expect(items).toHaveLength(volumeIds.length);
    // A later writer leaves only the first volume in the object the ItemReader read.
    await putJson(world.clients.s3, workList, items.slice(0, 1));

    const redriven = await world.clock.settle(
      redriveLocalExecution(stopped, { clients: world.clients, deployment: world.deployment }),
    );

    expect(redriven.status).toBe('SUCCEEDED');
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
