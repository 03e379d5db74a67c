import type { Context } from 'aws-lambda';
import { EC2_RETRIES_IN_SDK, regionalEc2Clients, s3Client } from '../commons/clients';
import { ownRegion, positiveIntegerEnv, requireEnv } from '../commons/env';
import { lazyHandler, logger, observe } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import type { AwaitCopiesEvent } from '../contracts/run-documents';
import { InvalidInputError } from '../core/errors';
import { type AwaitCopiesDeps, awaitCopies } from '../steps/await-copies';

export function createHandler(deps: AwaitCopiesDeps) {
  return (event: Partial<AwaitCopiesEvent>, context?: Context) => {
    const { executionName, runId, copyItems, copyRun } = event ?? {};
    for (const [field, value] of Object.entries({ executionName, runId })) {
      if (typeof value !== 'string' || value === '') {
        throw new InvalidInputError(field, 'must be a non-empty string from the execution state');
      }
    }
    if (!copyItems?.bucket || !copyItems.key) {
      throw new InvalidInputError('copyItems', "must be AwaitSnapshots' copy work list");
    }
    if (!copyRun?.ResultWriterDetails) {
      throw new InvalidInputError('copyRun', "must be CopyVolumes' result");
    }
    const checked = { executionName, runId, copyItems, copyRun } as AwaitCopiesEvent;
    return observe({ executionName: checked.executionName }, context, async () => {
      const workList = await awaitCopies(deps, checked);
      logger.info('copies settled', { progress: workList.progress });
      return workList;
    });
  };
}

export const handler = lazyHandler(() =>
  createHandler({
    ec2In: regionalEc2Clients({ retryInSdk: EC2_RETRIES_IN_SDK.awaitCopies }),
    s3: s3Client(),
    bucket: requireEnv(EnvName.workBucket),
    managedBy: requireEnv(EnvName.managedBy),
    region: ownRegion(),
    copyWaitLimitSeconds: positiveIntegerEnv(EnvName.copyWaitLimitSeconds),
    now: () => Date.now(),
  }),
);
