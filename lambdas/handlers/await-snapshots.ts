import type { Context } from 'aws-lambda';
import { ec2Client } from '../commons/clients';
import { EnvName, positiveIntegerEnv, requireEnv } from '../commons/env';
import { lazyHandler, logger, observe } from '../commons/observability';
import { InvalidInputError } from '../core/errors';
import { type AwaitSnapshotsDeps, awaitSnapshots } from '../steps/await-snapshots';

export function createHandler(deps: AwaitSnapshotsDeps) {
  return (event: { executionName?: unknown }, context?: Context) => {
    const { executionName } = event ?? {};
    if (typeof executionName !== 'string' || executionName === '') {
      throw new InvalidInputError(
        'executionName',
        'must be the name of the execution whose snapshots to wait for',
      );
    }
    return observe({ executionName }, context, async () => {
      const progress = await awaitSnapshots(deps, executionName);
      logger.info('snapshots settled', { ...progress });
      return progress;
    });
  };
}

export const handler = lazyHandler(() =>
  createHandler({
    ec2: ec2Client(),
    managedBy: requireEnv(EnvName.managedBy),
    waitLimitSeconds: positiveIntegerEnv(EnvName.waitLimitSeconds),
    now: () => Date.now(),
  }),
);
