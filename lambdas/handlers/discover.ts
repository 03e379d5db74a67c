import type { Context } from 'aws-lambda';
import { ec2Client, s3Client } from '../commons/clients';
import { requireEnv } from '../commons/env';
import { countMetric, lazyHandler, logger, MetricName, observe } from '../commons/observability';
import { EnvName } from '../contracts/deployment';
import type { DiscoverEvent } from '../contracts/run-documents';
import { type DiscoverDeps, discover } from '../steps/discover';

export function createHandler(deps: DiscoverDeps) {
  return (event: DiscoverEvent, context?: Context) =>
    observe({ executionName: event.executionName }, context, async () => {
      const output = await discover(deps, event);
      countMetric(MetricName.invalidTags, output.counts.invalid);
      logger.info('discovered', { counts: output.counts, dryRun: output.dryRun });
      return output;
    });
}

export const handler = lazyHandler(() =>
  createHandler({
    ec2: ec2Client(),
    s3: s3Client(),
    tagKey: requireEnv(EnvName.targetTagKey),
    bucket: requireEnv(EnvName.workBucket),
  }),
);
