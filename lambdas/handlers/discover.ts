import type { Context } from 'aws-lambda';
import { EC2_RETRIES_IN_SDK, ec2Client, regionalEc2Clients, s3Client } from '../commons/clients';
import { copyRegionsEnv, copyVolumeTagsEnv, oneOfEnv, ownRegion, requireEnv } from '../commons/env';
import { countMetric, lazyHandler, logger, MetricName, observe } from '../commons/observability';
import { DEFAULT_COPY_TAG_KEY, EnvName } from '../contracts/deployment';
import type { DiscoverEvent } from '../contracts/run-documents';
import {
  DEFAULT_CONSISTENCY_TAG_KEY,
  DEFAULT_PRE_SCRIPT_FAILURE,
  PRE_SCRIPT_FAILURE_ACTIONS,
} from '../contracts/sets';
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

/** A variable that may be unset; blank counts as unset. */
function optionalEnv(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export const handler = lazyHandler(() =>
  createHandler({
    ec2: ec2Client({ retryInSdk: EC2_RETRIES_IN_SDK.discover }),
    s3: s3Client(),
    tagKey: requireEnv(EnvName.targetTagKey),
    bucket: requireEnv(EnvName.workBucket),
    managedBy: requireEnv(EnvName.managedBy),
    copyTagKey: optionalEnv(EnvName.copyTagKey) ?? DEFAULT_COPY_TAG_KEY,
    copyRegions: copyRegionsEnv(EnvName.copyRegions),
    copyVolumeTags: copyVolumeTagsEnv(EnvName.copyVolumeTags),
    // Unset (a stack deployed before consistent sets): the defaults, as the synth would give them.
    consistencyTagKey: optionalEnv(EnvName.consistencyTagKey) ?? DEFAULT_CONSISTENCY_TAG_KEY,
    preScriptFailure: oneOfEnv(
      EnvName.preScriptFailure,
      PRE_SCRIPT_FAILURE_ACTIONS,
      DEFAULT_PRE_SCRIPT_FAILURE,
    ),
    ec2In: regionalEc2Clients({ retryInSdk: EC2_RETRIES_IN_SDK.discover }),
    region: ownRegion(),
  }),
);
