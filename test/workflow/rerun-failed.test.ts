import { getJson } from '../../lambdas/aws/json-store';
import type { RunReport, SummariseOutput } from '../../lambdas/contracts/run-documents';
import { runKey } from '../../lambdas/contracts/work-bucket';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { redriveLocalExecution } from '../../local/runner/local-execution';
import { StateName } from '../../statemachine/names';
import { givenWorkflow, TAG } from '../fixtures/workflow';

/**
 * Re-running just the failed volumes of a run (issue 15, item 11): a redrive cannot, since the
 * fan-outs tolerate every failed item and a redriven failed run only re-enters its Fail state;
 * the failure cause and the report give the input that does.
 */
describe('re-running the failed volumes of a run', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  const ofRun = (volumeId: string, executionName: string) =>
    world
      .managedSnapshots(volumeId)
      .filter((s) => s.Tags?.some((t) => t.Key === SnapshotTag.execution && t.Value === executionName));

  function givenOneVolumeFailing() {
    world = givenWorkflow();
    const { volumeIds } = world.sim.addInstance({ name: 'web', tags: { [TAG]: '2' }, volumes: [{}, {}, {}] });
    const [failing] = [...volumeIds].sort();
    world.sim.injectFault({
      action: 'CreateSnapshot',
      error: 'UnauthorizedOperation',
      volumeId: failing,
      times: 1_000,
    });
    return { volumeIds, failing };
  }

  it('GIVEN a run with one failed volume WHEN redriven THEN nothing is re-done: it re-enters BackupFailed (what Redrive does, and why the re-run input exists)', async () => {
    const { failing } = givenOneVolumeFailing();
    const failed = await world.run();
    expect(failed.status).toBe('FAILED');
    world.sim.clearFaults();
    const redriven = await world.clock.settle(
      redriveLocalExecution(failed, { clients: world.clients, deployment: world.deployment }),
    );
    expect(redriven.status).toBe('FAILED');
    expect(redriven.tasks).toEqual([]);
    expect(ofRun(failing, failed.executionName)).toHaveLength(0);
  });

  it('GIVEN a run with one failed volume WHEN started again with the input its cause gives THEN only that volume is backed up, and the re-run SUCCEEDS', async () => {
    const { volumeIds, failing } = givenOneVolumeFailing();
    const failed = await world.run();
    expect(failed.status).toBe('FAILED');
    const report = await getJson<RunReport>(world.clients.s3, {
      bucket: world.deployment.bucket,
      key: runKey(failed.executionName, 'report'),
    });
    expect(report.rerunInput).toEqual({ volumeIds: [failing] });
    const line = (failed.cause ?? '').split('\n')[1];
    expect(line).toBe(
      `To re-run just the failed volumes, start an execution with this input: ${JSON.stringify(report.rerunInput)}`,
    );

    world.sim.clearFaults();
    const rerun = await world.run(JSON.parse(line.slice(line.indexOf('{'))));
    expect(rerun.status).toBe('SUCCEEDED');
    expect((rerun.output as SummariseOutput).counts.volumes).toBe(1);
    for (const id of volumeIds) {
      expect(ofRun(id, rerun.executionName)).toHaveLength(id === failing ? 1 : 0);
    }
    expect(rerun.tasks).toContain(StateName.summarise);
  });
});
