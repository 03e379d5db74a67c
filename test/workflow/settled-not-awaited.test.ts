import { getJson } from '../../lambdas/aws/json-store';
import type { RunReport } from '../../lambdas/contracts/run-documents';
import { runKey } from '../../lambdas/contracts/work-bucket';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import type { LocalExecutionResult } from '../../local/runner/local-execution';
import { StateName } from '../../statemachine/names';
import { givenWorkflow, HOUR, START, TAG } from '../fixtures/workflow';

const MINUTE = 60_000;
const COPY_TAG = 'Backup-Copy-Generation';
const IRELAND = 'eu-west-1';

/**
 * A snapshot that is gone is settled, never awaited, and a source superseded before it could be
 * copied is superseded, not failed (SPEC §3.3, §6.3): the real definition run locally, with an
 * overlapping run or a person deleting this run's snapshot mid-way.
 */
describe('a snapshot that is gone is settled: superseded or failed, never awaited', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  /** A run's report, from the work bucket (a failed run has no output). */
  const report = (result: LocalExecutionResult) =>
    getJson<RunReport>(world.clients.s3, {
      bucket: world.deployment.bucket,
      key: runKey(result.executionName, 'report'),
    });
  const ofRun = (volumeId: string, executionName: string) =>
    world
      .managedSnapshots(volumeId)
      .filter((s) => s.Tags?.some((t) => t.Key === SnapshotTag.execution && t.Value === executionName));

  /** `web` (N=1) completes in 20 min; `slow` (N=1) holds this run's wait for 3 h. */
  function givenWebAndSlow() {
    world = givenWorkflow({ completionDelayMs: 20 * MINUTE });
    const web = world.sim.addInstance({ name: 'web', tags: { [TAG]: '1' }, volumes: [{}] });
    const slow = world.sim.addInstance({ name: 'slow', tags: { [TAG]: '1' }, volumes: [{}] });
    world.sim.setSnapshotOutcome(slow.volumeIds[0], 'completed', { completionDelayMs: 3 * HOUR });
    return { web: web.volumeIds[0], webInstance: web.instanceId, slow: slow.volumeIds[0] };
  }

  it('GIVEN a person deletes one new snapshot mid-wait WHEN run THEN the wait ends with the slowest live snapshot (3 h), not the 24 h limit, and that volume alone fails', async () => {
    const { web, slow } = givenWebAndSlow();
    setTimeout(() => {
      const [ours] = ofRun(web, 'run-1');
      world.sim.deleteSnapshot({ SnapshotId: ours.SnapshotId as string });
    }, 30 * MINUTE);
    const result = await world.run();
    expect(Date.now() - START).toBeLessThan(3 * HOUR + 30 * MINUTE);
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain(`${web} (`);
    expect(result.cause).toContain('no longer exists and no newer completed snapshot replaces it');
    expect(result.cause).not.toContain(slow);
    const full = await report(result);
    expect(full.volumes.map((v) => v.volumeId)).toEqual([slow]);
  });

  it("GIVEN an overlapping run (N=1) prunes this run's new snapshot mid-wait WHEN run THEN superseded, and the run ends with its slowest live snapshot", async () => {
    const { web, webInstance } = givenWebAndSlow();
    let runB: Promise<LocalExecutionResult> | undefined;
    setTimeout(() => {
      runB = world.run({ instanceIds: [webInstance] });
    }, MINUTE);
    const a = await world.run();
    const b = await (runB as Promise<LocalExecutionResult>);
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(Date.now() - START).toBeLessThan(3 * HOUR + 30 * MINUTE);
    const [newest] = ofRun(web, b.executionName);
    expect((await report(a)).superseded).toEqual([{ volumeId: web, supersededBy: newest.SnapshotId }]);
    expect(world.managedSnapshots(web)).toHaveLength(1);
  });

  it("GIVEN this run's copy waits for a slot in the copy region while an overlapping run (N=1) supersedes its source WHEN the copy is tried THEN superseded, not failed, and the run SUCCEEDS", async () => {
    world = givenWorkflow(
      { completionDelayMs: 10 * MINUTE, copyCompletionDelayMs: 30 * MINUTE },
      { copyRegions: [{ region: IRELAND }] },
    );
    const { volumeIds, instanceId } = world.sim.addInstance({
      name: 'web',
      tags: { [TAG]: '1', [COPY_TAG]: '1' },
      volumes: [{}],
    });
    const [web] = volumeIds;
    const ireland = world.account.ec2In(IRELAND);
    let runB: Promise<LocalExecutionResult> | undefined;
    const a = await world.run(
      {},
      {
        onProgress: (event) => {
          if (event.type !== 'output' || event.name !== StateName.awaitSnapshots || runB) return;
          // Ireland has as many copies in flight as it allows: run A's copy backs off. Run B
          // makes a newer snapshot and, with N=1, prunes A's; then a slot frees.
          const [source] = ofRun(web, 'run-1');
          ireland.injectFault({
            action: 'CopySnapshot',
            error: 'ResourceLimitExceeded',
            snapshotId: source.SnapshotId,
            times: 1_000,
          });
          runB = world.run(
            { instanceIds: [instanceId] },
            {
              onProgress: (ofB) => {
                if (ofB.type === 'output' && ofB.name === StateName.pruneVolumes) ireland.clearFaults();
              },
            },
          );
        },
      },
    );
    const b = await (runB as Promise<LocalExecutionResult>);
    expect(b.status).toBe('SUCCEEDED');
    expect(a.cause).toBeUndefined();
    expect(a.status).toBe('SUCCEEDED');
    const full = await report(a);
    const [newest] = ofRun(web, b.executionName);
    expect(full.superseded).toEqual([{ volumeId: web, region: IRELAND, supersededBy: newest.SnapshotId }]);
    expect(full.failures).toEqual([]);
    expect(ofRun(web, a.executionName)).toHaveLength(0);
  });
});
