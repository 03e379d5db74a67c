import type { S3Client } from '@aws-sdk/client-s3';
import type { ChildExecutionResult, MapRunManifest, MapRunOutput } from '../contracts/map-run';
import type { S3Location } from '../contracts/work-bucket';
import { getJson } from './json-store';

export interface MapRunResults {
  succeeded: ChildExecutionResult[];
  failed: ChildExecutionResult[];
}

/**
 * Reads a map run's results from S3: the manifest, then every result file it lists. PENDING
 * children (the run was stopped) count as failed: their outcome is unknown.
 */
export async function readMapRunResults(s3: S3Client, output: MapRunOutput): Promise<MapRunResults> {
  const details = output.ResultWriterDetails;
  const manifest = await getJson<MapRunManifest>(s3, { bucket: details.Bucket, key: details.Key });
  const bucket = manifest.DestinationBucket ?? details.Bucket;
  const read = async (files: { Key: string }[] = []) =>
    (
      await Promise.all(
        files.map((f) => getJson<ChildExecutionResult[]>(s3, { bucket, key: f.Key } as S3Location)),
      )
    ).flat();
  const [succeeded, failed, pending] = await Promise.all([
    read(manifest.ResultFiles.SUCCEEDED),
    read(manifest.ResultFiles.FAILED),
    read(manifest.ResultFiles.PENDING),
  ]);
  return { succeeded, failed: [...failed, ...pending] };
}

/** Parses a JSON string field of a child result, or undefined when absent or not JSON. */
export function parseJsonField<T>(text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
