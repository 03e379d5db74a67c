import type { VolumeTask, VolumeWorkItem } from '../../lambdas/core/work-item';
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

export function task(
  volume: VolumeWorkItem,
  executionName = 'run-1',
  extra: Partial<VolumeTask> = {},
): VolumeTask {
  return { volume, executionName, dryRun: false, redriveCount: 0, retryCount: 0, ...extra };
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
