import type { Context } from 'aws-lambda';
import { EnvironmentPace } from '../aws/call-pace';
import { EC2_RETRIES_IN_SDK, ec2Client } from '../commons/clients';
import { callIntervalEnv, requireEnv } from '../commons/env';
import { countMetric, lazyHandler, logger, MetricName, observeSetStep } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import { createSnapshotSet, finishSet, type SnapshotSetDeps } from '../steps/snapshot-set';

/** CreateSnapshotSet, ConfirmSnapshotSet and FinishSet (SPEC §12): one function, told apart by their input. */
export function snapshotSetHandler(deps: SnapshotSetDeps) {
  return (event: unknown, context?: Context) =>
    observeSetStep(event, context, async (step) => {
      if (step.finish === true) return finishSet(step);
      const result = await createSnapshotSet(deps, step);
      if ('skipped' in result) {
        logger.warn('no set taken', { reason: result.reason });
      } else {
        if (!result.reused) countMetric(MetricName.snapshotsCreated, result.volumes.length);
        logger.info(result.reused ? 'set already made by an earlier attempt' : 'set created', {
          setId: result.setId,
          snapshotIds: result.volumes.map((v) => v.snapshotId),
        });
      }
      return result;
    });
}

export const handler = lazyHandler(() =>
  snapshotSetHandler({
    ec2: ec2Client({ retryInSdk: EC2_RETRIES_IN_SDK.snapshotSet }),
    managedBy: requireEnv(EnvName.managedBy),
    callIntervalMs: callIntervalEnv('CreateSnapshots'),
    environmentPace: new EnvironmentPace(),
  }),
);
