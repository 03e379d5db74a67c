import type { S3Client } from '@aws-sdk/client-s3';
import { getJson, type S3Location } from './json-store';

/** What a Distributed Map with a ResultWriter outputs. */
export interface MapRunOutput {
  MapRunArn?: string;
  ResultWriterDetails: { Bucket: string; Key: string };
}

/** `manifest.json` written by the ResultWriter. */
interface MapRunManifest {
  DestinationBucket?: string;
  MapRunArn?: string;
  ResultFiles: Partial<Record<'FAILED' | 'SUCCEEDED' | 'PENDING', { Key: string; Size?: number }[]>>;
}

/** One child execution as the ResultWriter records it (only the fields we read). */
export interface ChildExecutionResult {
  ExecutionArn?: string;
  Name?: string;
  StartDate?: string;
  StopDate?: string;
  /** The child's input, as a JSON string. */
  Input?: string;
  /** The child's output, as a JSON string (succeeded children). */
  Output?: string;
  Status?: string;
  Error?: string;
  Cause?: string;
}

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
