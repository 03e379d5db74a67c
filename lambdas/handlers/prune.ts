import type { Context } from 'aws-lambda';
import { ec2Client, regionalEc2Clients } from '../commons/clients';
import { ownRegion, requireEnv } from '../commons/env';
import { countMetric, lazyHandler, logger, MetricName, observeVolumeTask } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import { MoreToPruneError } from '../core/errors';
import { type PruneDeps, progressOf, pruneVolume } from '../steps/prune-volume';

export function createHandler(deps: PruneDeps) {
  return (event: unknown, context?: Context) =>
    observeVolumeTask(event, context, async (task) => {
      // A continuing backlog: the result so far, as the definition's Catch passed it on.
      const previous = progressOf((event as { progress?: unknown }).progress);
      const result = await pruneVolume(deps, { ...task, ...(previous && { progress: previous }) });
      if (!result.dryRun) {
        // A backlog's result is cumulative: count only this invocation's share.
        const deleted = result.region === undefined ? MetricName.snapshotsDeleted : MetricName.copiesDeleted;
        countMetric(deleted, result.deletedCount - (previous?.deletedCount ?? 0));
        countMetric(MetricName.deletionsSkipped, result.skipped.length - (previous?.skipped.length ?? 0));
      }
      logger.info(result.dryRun ? 'retention planned' : 'retention applied', { ...result });
      if (result.more) throw new MoreToPruneError(JSON.stringify(result));
      return result;
    });
}

export const handler = lazyHandler(() =>
  createHandler({
    ec2: ec2Client(),
    ec2In: regionalEc2Clients(),
    region: ownRegion(),
    managedBy: requireEnv(EnvName.managedBy),
    now: () => Date.now(),
  }),
);
