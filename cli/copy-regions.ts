import type { S3Client } from '@aws-sdk/client-s3';
import { getJsonIfPresent } from '../lambdas/aws/json-store';
import type { CopyRegionsRecord } from '../lambdas/contracts/run-documents';
import { COPY_REGIONS_RECORD_KEY } from '../lambdas/contracts/work-bucket';
import { awsCall } from './errors';

/** The regions the deployment's runs have kept copies in, as far as the CLI could read them. */
export interface RecordedCopyRegions {
  regions: string[];
  /** Why the record could not be read (then `regions` is empty): the retired regions are unknown. */
  unreadable?: string;
}

/**
 * Discover's record of the copy regions (`state/copy-regions.json` in the work bucket; absent:
 * none yet), from which the regions no longer configured are known (SPEC §10.6). It only adds a
 * report to `plan` and `generations`: when it cannot be read (an operator without
 * `s3:GetObject` on it, or no stack to name the bucket), they go on without it and say so,
 * rather than fail.
 */
export async function recordedCopyRegions(
  s3: S3Client,
  workBucket: string | undefined,
): Promise<RecordedCopyRegions> {
  if (workBucket === undefined) {
    return { regions: [], unreadable: 'no stack was read to name the work bucket: pass --work-bucket' };
  }
  const location = { bucket: workBucket, key: COPY_REGIONS_RECORD_KEY };
  try {
    const record = await awsCall('s3:GetObject', () => getJsonIfPresent<CopyRegionsRecord>(s3, location));
    return { regions: record?.regions ?? [] };
  } catch (error) {
    return { regions: [], unreadable: (error as Error).message };
  }
}
