import type { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { EnvironmentPace } from '../aws/call-pace';
import { pruneProgressStore } from '../aws/prune-progress-store';
import { EC2_RETRIES_IN_SDK, ec2Client, regionalEc2Clients, s3Client } from '../commons/clients';
import { callIntervalEnv, ownRegion, requireEnv } from '../commons/env';
import { countMetric, lazyHandler, logger, MetricName, observeVolumeTask } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import type { PruneEvent } from '../contracts/run-documents';
import { SnapshotNotCompletedError } from '../core/errors';
import { pruneSlice } from '../steps/prune-backlog';
import type { PruneDeps } from '../steps/prune-volume';

/** The prune function's dependencies: EC2, and the work bucket where a backlog keeps its progress. */
export interface PruneHandlerDeps extends PruneDeps {
  s3: S3Client;
  bucket: string;
}

export function createHandler(deps: PruneHandlerDeps) {
  const sliceDeps = { ...deps, progress: pruneProgressStore(deps.s3, deps.bucket, deps.region) };
  return (event: unknown, context?: Context) =>
    observeVolumeTask(event, context, async (task) => {
      const deleted =
        task.volume.region === undefined ? MetricName.snapshotsDeleted : MetricName.copiesDeleted;
      const { continued } = event as PruneEvent;
      const outcome = await pruneSlice(sliceDeps, { ...task, continued }).catch((error: unknown) => {
        // A failed volume's snapshots in state error are deleted all the same: count them.
        if (error instanceof SnapshotNotCompletedError) countMetric(deleted, error.deletedFailed.length);
        throw error;
      });
      const { result, deletedNow, skippedNow, moreToPrune } = outcome;
      if (!result.dryRun) {
        countMetric(deleted, deletedNow);
        countMetric(MetricName.deletionsSkipped, skippedNow);
      }
      logger.info(result.dryRun ? 'retention planned' : 'retention applied', { ...result });
      if (moreToPrune) throw moreToPrune;
      return result;
    });
}

export const handler = lazyHandler(() =>
  createHandler({
    managedBy: requireEnv(EnvName.managedBy),
    bucket: requireEnv(EnvName.workBucket),
    ec2: ec2Client({ retryInSdk: EC2_RETRIES_IN_SDK.prune }),
    ec2In: regionalEc2Clients({ retryInSdk: EC2_RETRIES_IN_SDK.prune }),
    s3: s3Client(),
    region: ownRegion(),
    now: () => Date.now(),
    callIntervalMs: callIntervalEnv('DeleteSnapshot'),
    // Built once per execution environment: it remembers the environment's last invocation.
    environmentPace: new EnvironmentPace(),
  }),
);
