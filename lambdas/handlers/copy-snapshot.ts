import type { Context } from 'aws-lambda';
import { EnvironmentPace } from '../aws/call-pace';
import { EC2_RETRIES_IN_SDK, regionalEc2Clients } from '../commons/clients';
import { callIntervalEnv, copyRegionsEnv, ownRegion, requireEnv } from '../commons/env';
import { countMetric, lazyHandler, logger, MetricName, observeCopyTask } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import { type CopySnapshotDeps, copyVolumeSnapshot } from '../steps/copy-snapshot';

export function createHandler(deps: CopySnapshotDeps) {
  return (event: unknown, context?: Context) =>
    observeCopyTask(event, context, async (task) => {
      const copied = await copyVolumeSnapshot(deps, task);
      if ('supersededBy' in copied) {
        logger.info("superseded: this run's snapshot was pruned by a newer run before it was copied", {
          ...copied,
        });
        return copied;
      }
      if (!copied.reused) countMetric(MetricName.copiesCreated, 1);
      logger.info(copied.reused ? 'copy already made by an earlier attempt' : 'copy started', {
        snapshotId: copied.snapshotId,
        sourceSnapshotId: copied.sourceSnapshotId,
      });
      return copied;
    });
}

export const handler = lazyHandler(() =>
  createHandler({
    // No SDK retries, as for CreateSnapshot: only the step's look-up can tell whether a copy
    // whose answer was lost was made.
    ec2In: regionalEc2Clients({ retryInSdk: EC2_RETRIES_IN_SDK.copySnapshot }),
    region: ownRegion(),
    copyRegions: copyRegionsEnv(EnvName.copyRegions),
    managedBy: requireEnv(EnvName.managedBy),
    callIntervalMs: callIntervalEnv('CopySnapshot'),
    // Built once per execution environment: it remembers the environment's last invocation.
    environmentPace: new EnvironmentPace(),
  }),
);
