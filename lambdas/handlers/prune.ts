import type { Context } from 'aws-lambda';
import { ec2Client } from '../commons/clients';
import { EnvName, requireEnv } from '../commons/env';
import { countMetric, lazyHandler, logger, MetricName, observeVolumeTask } from '../commons/observability';
import { type PruneDeps, pruneVolume } from '../steps/prune-volume';

export function createHandler(deps: PruneDeps) {
  return (event: unknown, context?: Context) =>
    observeVolumeTask(event, context, async (task) => {
      const result = await pruneVolume(deps, task);
      if (!result.dryRun) {
        countMetric(MetricName.snapshotsDeleted, result.deleted.length);
        countMetric(MetricName.deletionsSkipped, result.skipped.length);
      }
      logger.info(result.dryRun ? 'retention planned' : 'retention applied', { ...result });
      return result;
    });
}

export const handler = lazyHandler(() =>
  createHandler({ ec2: ec2Client(), managedBy: requireEnv(EnvName.managedBy), now: () => Date.now() }),
);
