import { getJson } from '../../lambdas/aws/json-store';
import { DELETION_TIME_BUDGET_MS } from '../../lambdas/commons/function-limits';
import { callIntervalMs } from '../../lambdas/contracts/rate-share';
import type { RunReport, SummariseOutput } from '../../lambdas/contracts/run-documents';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { MAX_DELETIONS_PER_INVOCATION } from '../../lambdas/steps/slice-deletions';
import { RunMetrics } from '../../local/benchmark/run-metrics';
import type { EngineEvent } from '../../local/runner/local-execution';
import { EC2_DEFAULT_RATE_LIMITS } from '../../local/simulated-account';
import { StateName } from '../../statemachine/names';
import { givenWorkflow, HOUR, START, TAG } from '../fixtures/workflow';

/** Step Functions refuses a state's input or output above 256 KiB (SPEC §4, scale). */
const MAX_PAYLOAD_BYTES = 256 * 1024;
const DISTRIBUTED_MAPS = new Set<string>([
  StateName.snapshotVolumes,
  StateName.pruneVolumes,
  StateName.copyVolumes,
  StateName.pruneCopies,
]);

describe('a large backlog on the real definition (SPEC §3, §4 payload limit)', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  it('GIVEN 5,000 adopted snapshots of a volume and N=500 WHEN one run prunes under EC2 rate limits THEN exactly 500 remain, every deletion is in the report, no payload nears 256 KiB', async () => {
    world = givenWorkflow({ rateLimits: EC2_DEFAULT_RATE_LIMITS });
    const { volumeIds } = world.sim.addInstance({ name: 'db', tags: { [TAG]: '500' }, volumes: [{}] });
    const volumeId = volumeIds[0];
    for (let i = 0; i < 5000; i++) {
      world.sim.addSnapshot({
        volumeId,
        startTime: START - (i + 1) * HOUR,
        tags: { [SnapshotTag.managedBy]: world.deployment.managedBy, [SnapshotTag.volumeId]: volumeId },
      });
    }
    const metrics = new RunMetrics(DISTRIBUTED_MAPS);
    let slices = 0;
    const onEngineEvent = (event: EngineEvent, map?: string) => {
      metrics.onEngineEvent(event, map);
      if (event.type === 'StateEntered' && event.state?.name === StateName.pruneSnapshots) slices += 1;
    };
    const result = await world.run({}, { observer: { onEngineEvent } });

    expect(result.status).toBe('SUCCEEDED');
    // The run's own snapshot and the 499 newest adopted ones: 4,501 deleted.
    expect(world.managedSnapshots(volumeId)).toHaveLength(500);
    const output = result.output as SummariseOutput;
    expect(output.counts.snapshotsDeleted).toBe(4501);
    const report = await getJson<RunReport>(world.clients.s3, output.report);
    expect(report.volumes[0]).toMatchObject({ deletedCount: 4501, more: false });
    // A slice is at most 100 deletions, and as many as DELETION_TIME_BUDGET_MS holds at the pace
    // of the deployment's share of DeleteSnapshot's bucket (one child paced as if all five were
    // deleting): 16 of them at 1.25 s each, so 282 slices, in this one run.
    const interval = callIntervalMs(
      'DeleteSnapshot',
      world.deployment.pruneConcurrency,
      world.deployment.ec2RateShare,
    );
    const perSlice = Math.min(MAX_DELETIONS_PER_INVOCATION, Math.ceil(DELETION_TIME_BUDGET_MS / interval));
    expect(slices).toBe(Math.ceil(4501 / perSlice));
    expect(metrics.maxPayloadBytes).toBeLessThan(MAX_PAYLOAD_BYTES / 8);
  });
});
