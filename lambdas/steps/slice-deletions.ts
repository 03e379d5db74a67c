import { DeleteSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { CallPace } from '../aws/call-pace';
import { ec2Call, ec2ErrorCode } from '../aws/ec2-errors';
import { type BackoffClock, retryThrottled } from '../aws/throttle-backoff';
import { DELETION_TIME_BUDGET_MS } from '../commons/function-limits';
import type { SkippedDeletion } from '../contracts/run-documents';

/**
 * Work one invocation does at most. Deleting is bounded by EC2's DeleteSnapshot bucket (5 per
 * second per account and region, shared by the whole fan-out), so a backlog — years of adopted
 * recipe snapshots, N lowered from 30 to 1 — is worked off in slices the state machine loops
 * over, each far inside the function's timeout, instead of one invocation that times out.
 */
export const MAX_DELETIONS_PER_INVOCATION = 100;
/** A refusal's reason is EC2's message, one sentence; cut, so that no reason can swell a result. */
export const MAX_REASON_LENGTH = 300;

/** What one slice did: deletions EC2 confirmed (or found already done) and refusals. */
export interface SliceDeletions {
  deleted: string[];
  skipped: SkippedDeletion[];
  /** Snapshots tried: the rest of the list is left for the next slice. */
  attempted: number;
}

/**
 * Deletes the snapshots in order until MAX_DELETIONS_PER_INVOCATION or DELETION_TIME_BUDGET_MS
 * is reached, at the pace of the deployment's share of DeleteSnapshot's bucket (`pace`; its
 * waits count against the budget). A throttled deletion did nothing: it is tried again within
 * the slice's time. A retryable failure after some deletions ends the slice with them (the work
 * so far is reported, not lost); before any, it is thrown for the declared Retry.
 */
export async function deleteWithinSlice(
  ec2: EC2Client,
  snapshots: readonly { snapshotId: string }[],
  clock: BackoffClock,
  pace: CallPace,
): Promise<SliceDeletions> {
  const done: SliceDeletions = { deleted: [], skipped: [], attempted: 0 };
  const started = clock.now();
  for (const { snapshotId } of snapshots) {
    if (done.attempted >= MAX_DELETIONS_PER_INVOCATION) break;
    await pace.ready();
    const left = DELETION_TIME_BUDGET_MS - (clock.now() - started);
    if (left <= 0) break;
    let outcome: Awaited<ReturnType<typeof deleteSnapshot>>;
    try {
      outcome = await retryThrottled(() => pace.paced(() => deleteSnapshot(ec2, snapshotId)), clock, left);
    } catch (error) {
      if (done.attempted > 0 && isRetryable(error)) break;
      throw error;
    }
    done.attempted += 1;
    if (outcome === 'deleted') done.deleted.push(snapshotId);
    else done.skipped.push({ snapshotId, reason: outcome.reason });
  }
  return done;
}

function isRetryable(error: unknown): boolean {
  const name = (error as Error).name;
  return name === 'Ec2Throttled' || name === 'Ec2Transient';
}

/**
 * Deletes one snapshot. In use (backing an AMI) is an outcome, not a failure (SPEC §3.5);
 * already gone counts as deleted; throttling and 5xx surface as retryable errors.
 */
async function deleteSnapshot(ec2: EC2Client, snapshotId: string): Promise<'deleted' | { reason: string }> {
  try {
    await ec2Call(() => ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
    return 'deleted';
  } catch (error) {
    const code = ec2ErrorCode(error);
    if (code === 'InvalidSnapshot.NotFound') return 'deleted';
    if (code === 'InvalidSnapshot.InUse') {
      return { reason: `InvalidSnapshot.InUse: ${(error as Error).message}`.slice(0, MAX_REASON_LENGTH) };
    }
    throw error;
  }
}
