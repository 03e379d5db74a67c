import type { Context } from 'aws-lambda';
import { EC2_RETRIES_IN_SDK, ec2Client, s3Client } from '../commons/clients';
import { copyRegionsEnv, ownRegion, positiveIntegerEnv, requireEnv } from '../commons/env';
import { lazyHandler, logger, observe } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import type { AwaitSnapshotsEvent } from '../contracts/run-documents';
import { InvalidInputError } from '../core/errors';
import { type AwaitSnapshotsDeps, awaitSnapshots } from '../steps/await-snapshots';

export function createHandler(deps: AwaitSnapshotsDeps) {
  return (event: Partial<AwaitSnapshotsEvent>, context?: Context) => {
    const { executionName, runId, items, snapshotRun } = event ?? {};
    for (const [field, value] of Object.entries({ executionName, runId })) {
      if (typeof value !== 'string' || value === '') {
        throw new InvalidInputError(field, 'must be a non-empty string from the execution state');
      }
    }
    if (!items?.bucket || !snapshotRun?.ResultWriterDetails) {
      throw new InvalidInputError(
        'items, snapshotRun',
        "must be Discover's work list and SnapshotVolumes' result",
      );
    }
    const checked = { executionName, runId, items, snapshotRun } as AwaitSnapshotsEvent;
    return observe({ executionName: checked.executionName }, context, async () => {
      const workList = await awaitSnapshots(deps, checked);
      logger.info('snapshots settled', { ...workList.progress, copies: workList.copyItems?.count });
      return workList;
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
