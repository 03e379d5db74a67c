import type { Context } from 'aws-lambda';
import { s3Client } from '../commons/clients';
import { requireEnv } from '../commons/env';
import {
  countMetric,
  lazyHandler,
  logger,
  MetricName,
  observe,
  recordFullRunSucceeded,
} from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import type { SummariseEvent } from '../contracts/run-documents';
import { succeededFullRun, summarise } from '../steps/summarise';

/** `stateMachineName` names the deployment in FullRunsSucceeded; without it (local runs) none is emitted. */
export function createHandler(deps: {
  s3: ReturnType<typeof s3Client>;
  bucket: string;
  stateMachineName?: string;
}) {
  return (event: SummariseEvent, context?: Context) =>
    observe({ executionName: event.executionName }, context, async () => {
      const summary = await summarise(deps, event);
      countMetric(MetricName.volumesFailed, summary.counts.volumesFailed);
      if (deps.stateMachineName && succeededFullRun(event, summary)) {
        recordFullRunSucceeded(deps.stateMachineName);
      }
      logger.info('run summarised', { outcome: summary.outcome, counts: summary.counts });
      return summary;
    });
}

export const handler = lazyHandler(() =>
  createHandler({
    s3: s3Client(),
    bucket: requireEnv(EnvName.workBucket),
    stateMachineName: requireEnv(EnvName.stateMachineName),
  }),
);
