import type { Context } from 'aws-lambda';
import { EC2_RETRIES_IN_SDK, ec2Client, s3Client } from '../commons/clients';
import { copyRegionsEnv, ownRegion, positiveIntegerEnv, requireEnv } from '../commons/env';
import { lazyHandler, logger, observe } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import type { AwaitSnapshotsEvent } from '../contracts/run-documents';
import { InvalidInputError } from '../core/errors';
import { type AwaitSnapshotsDeps, nextPruneBatch } from '../steps/await-snapshots';

/** AwaitSnapshots and ListUnprunedVolumes: a turn of the pruning loop, given the loop's state. */
export function createHandler(deps: AwaitSnapshotsDeps) {
  return (event: Partial<AwaitSnapshotsEvent>, context?: Context) => {
    const { executionName, runId, items, snapshotRecord, dryRun } = event ?? {};
    for (const [field, value] of Object.entries({ executionName, runId })) {
      if (typeof value !== 'string' || value === '') {
        throw new InvalidInputError(field, 'must be a non-empty string from the execution state');
      }
    }
    if (!items?.bucket || !snapshotRecord?.bucket || typeof dryRun !== 'boolean') {
      throw new InvalidInputError(
        'items, snapshotRecord, dryRun',
        "must be Discover's work list, the snapshot branch's record and the dry-run flag",
      );
    }
    const checked = event as AwaitSnapshotsEvent;
    return observe({ executionName: checked.executionName }, context, async () => {
      const batch = await nextPruneBatch(deps, checked);
      logger.info('prune batch', {
        turn: batch.number,
        volumes: batch.count,
        final: batch.final,
        ...batch.progress,
        copies: batch.copyItems?.count,
      });
      return batch;
    });
  };
}

export const handler = lazyHandler(() =>
  createHandler({
    ec2: ec2Client({ retryInSdk: EC2_RETRIES_IN_SDK.awaitSnapshots }),
    s3: s3Client(),
    bucket: requireEnv(EnvName.workBucket),
    managedBy: requireEnv(EnvName.managedBy),
    waitLimitSeconds: positiveIntegerEnv(EnvName.waitLimitSeconds),
    copyRegions: copyRegionsEnv(EnvName.copyRegions),
    region: ownRegion(),
    now: () => Date.now(),
  }),
);
