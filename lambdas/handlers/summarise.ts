import type { Context } from 'aws-lambda';
import { s3Client } from '../commons/clients';
import { EnvName, requireEnv } from '../commons/env';
import { countMetric, lazyHandler, logger, MetricName, observe } from '../commons/observability';
import { type SummariseEvent, summarise } from '../steps/summarise';

export function createHandler(deps: { s3: ReturnType<typeof s3Client>; bucket: string }) {
  return (event: SummariseEvent, context?: Context) =>
    observe({ executionName: event.executionName }, context, async () => {
      const summary = await summarise(deps, event);
      countMetric(MetricName.volumesFailed, summary.counts.volumesFailed);
      logger.info('run summarised', { outcome: summary.outcome, counts: summary.counts });
      return summary;
    });
}

export const handler = lazyHandler(() =>
  createHandler({ s3: s3Client(), bucket: requireEnv(EnvName.workBucket) }),
);
