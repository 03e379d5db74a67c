import type { Context } from 'aws-lambda';
import { EnvironmentPace } from '../aws/call-pace';
import { EC2_RETRIES_IN_SDK, ec2Client } from '../commons/clients';
import { callIntervalEnv, requireEnv } from '../commons/env';
import { countMetric, lazyHandler, logger, MetricName, observeVolumeTask } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import { type CreateSnapshotDeps, createVolumeSnapshot } from '../steps/create-snapshot';

export function createHandler(deps: CreateSnapshotDeps) {
  return (event: unknown, context?: Context) =>
    observeVolumeTask(event, context, async (task) => {
      const created = await createVolumeSnapshot(deps, task);
      if (!created.reused) countMetric(MetricName.snapshotsCreated, 1);
      logger.info(created.reused ? 'snapshot already created by an earlier attempt' : 'snapshot created', {
        snapshotId: created.snapshotId,
      });
      return created;
    });
}

export const handler = lazyHandler(() =>
  createHandler({
    ec2: ec2Client({ retryInSdk: EC2_RETRIES_IN_SDK.createSnapshot }),
    managedBy: requireEnv(EnvName.managedBy),
    callIntervalMs: callIntervalEnv('CreateSnapshot'),
    // Built once per execution environment: it remembers the environment's last invocation.
    environmentPace: new EnvironmentPace(),
  }),
);
