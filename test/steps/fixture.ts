import type { S3Client } from '@aws-sdk/client-s3';
import { putJson } from '../../lambdas/aws/json-store';
import type { ChildExecutionResult, MapRunOutput } from '../../lambdas/aws/map-run-results';
import type { PruneWorkItem, VolumeWorkItem } from '../../lambdas/core/work-item';
import type { PruneTask } from '../../lambdas/steps/prune-volume';
import { givenAccount } from '../simulated-account/fixture';

export const MANAGED_BY = 'backup-test';
export const BUCKET = 'work-bucket';

/** A simulated account with clients for the steps, on a manual clock. */
export function givenSteps(options: Parameters<typeof givenAccount>[0] = {}) {
  const fixture = givenAccount(options);
  return { ...fixture, s3: fixture.account.s3Client(), managedBy: MANAGED_BY };
}

export function workItem(volumeId: string, generations: number, instanceName = 'web'): VolumeWorkItem {
  return {
    volumeId,
    instanceId: 'i-0000000000000000a',
    instanceName,
    description: `Auto Snapshot ${volumeId}(${instanceName})`,
    generations,
  };
}

/** A fan-out child's input; the run's key is derived from the execution name. */
export function task(
  volume: PruneWorkItem,
  executionName = 'run-1',
  extra: Partial<PruneTask> = {},
): PruneTask {
  return {
    volume,
    executionName,
    runId: `${executionName}-key`,
    dryRun: false,
    redriveCount: 0,
    retryCount: 0,
    ...extra,
  };
}

/** The rejection of `promise`, or a failure if it resolved. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ resolved: value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.resolved)}`);
  return outcome.error as Error;
}

/** Writes a Distributed Map's results as its ResultWriter does; returns what the Map state outputs. */
export async function writeMapRun(
  s3: S3Client,
  name: string,
  children: ChildExecutionResult[],
): Promise<MapRunOutput> {
  const files: Record<string, { Key: string }[]> = { SUCCEEDED: [], FAILED: [], PENDING: [] };
  for (const status of ['SUCCEEDED', 'FAILED'] as const) {
    const list = children.filter((c) => c.Status === status);
    if (list.length === 0) continue;
    const key = `map-runs/${name}/id/${status}_0.json`;
    await putJson(s3, { bucket: BUCKET, key }, list);
    files[status].push({ Key: key });
  }
  const manifest = `map-runs/${name}/id/manifest.json`;
  await putJson(s3, { bucket: BUCKET, key: manifest }, { DestinationBucket: BUCKET, ResultFiles: files });
  return { MapRunArn: 'arn', ResultWriterDetails: { Bucket: BUCKET, Key: manifest } };
}
