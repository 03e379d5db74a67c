import { CreateTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { awsCall, CliError } from '../errors';
import { count } from '../plural';
import type { AdoptionCandidate } from './adoption-plan';

/**
 * Snapshots per CreateTags request. EC2 takes up to 1,000 resource IDs per request but
 * recommends smaller batches; one request per volume's batch also keeps `Backup-Volume-Id` right.
 */
export const TAG_BATCH_SIZE = 200;

// CreateTags has an EC2 request bucket of its own (100 requests, refilled at 10 a second:
// https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html), shared with whatever
// else tags in the account and region: a throttled batch waits and tries again rather than
// leaving the adoption half done.
const MAX_ATTEMPTS = 6;
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 20_000;

/**
 * Tags the snapshots with the marker and their volume's ID, one volume's batch per request, so
 * that retention manages them. Resolves to how many were tagged. A failure part-way says how far
 * it got: running adopt again is safe, as tagged snapshots are no longer candidates.
 */
export async function tagForManagement(
  ec2: EC2Client,
  candidates: readonly AdoptionCandidate[],
  managedBy: string,
  sleep: (ms: number) => Promise<void>,
): Promise<number> {
  const byVolume = new Map<string, string[]>();
  for (const { volumeId, snapshotId } of candidates) {
    const snapshotIds = byVolume.get(volumeId) ?? [];
    snapshotIds.push(snapshotId);
    byVolume.set(volumeId, snapshotIds);
  }
  let tagged = 0;
  try {
    for (const [volumeId, snapshotIds] of byVolume) {
      for (let start = 0; start < snapshotIds.length; start += TAG_BATCH_SIZE) {
        const batch = snapshotIds.slice(start, start + TAG_BATCH_SIZE);
        const command = new CreateTagsCommand({
          Resources: batch,
          Tags: [
            { Key: SnapshotTag.managedBy, Value: managedBy },
            { Key: SnapshotTag.volumeId, Value: volumeId },
          ],
        });
        await awsCall('ec2:CreateTags', () => sendPatiently(() => ec2.send(command), sleep));
        tagged += batch.length;
      }
    }
  } catch (error) {
    if (tagged === 0) throw error;
    const { message, exitCode } = error as CliError;
    throw new CliError(
      `tagged ${tagged} of ${count(candidates.length, 'snapshot')}, then ${message}. Run adopt again to tag the rest`,
      exitCode,
    );
  }
  return tagged;
}

async function sendPatiently<T>(send: () => Promise<T>, sleep: (ms: number) => Promise<void>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if ((error as Error).name !== 'RequestLimitExceeded' || attempt >= MAX_ATTEMPTS) throw error;
      await sleep(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (attempt - 1)));
    }
  }
}
