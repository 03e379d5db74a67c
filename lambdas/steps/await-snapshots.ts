import type { EC2Client } from '@aws-sdk/client-ec2';
import { listManagedSnapshots } from '../aws/snapshot-queries';
import { SnapshotsPendingError } from '../core/errors';

export interface AwaitSnapshotsDeps {
  ec2: EC2Client;
  managedBy: string;
  /** How long one snapshot may stay pending, from its StartTime (SPEC §4.3). */
  waitLimitSeconds: number;
  now: () => number;
}

export interface SnapshotProgress {
  total: number;
  completed: number;
  error: number;
  /** Still pending after the wait limit: their volumes fail in PruneVolumes. */
  timedOut: number;
}

/**
 * One poll of every snapshot this execution created, found by its execution tag: the cost
 * grows with pages of 1,000 snapshots, not with volumes. Throws `SnapshotsPending` while any
 * is pending within the wait limit; the state machine's Retry paces the polls.
 */
export async function awaitSnapshots(
  deps: AwaitSnapshotsDeps,
  executionName: string,
): Promise<SnapshotProgress> {
  const snapshots = await listManagedSnapshots(deps.ec2, { managedBy: deps.managedBy, executionName });
  const deadline = deps.now() - deps.waitLimitSeconds * 1000;
  const pending = snapshots.filter((s) => s.state === 'pending');
  const waiting = pending.filter((s) => s.startTime > deadline);
  if (waiting.length > 0) {
    throw new SnapshotsPendingError(
      waiting.length,
      `${waiting.length} of ${snapshots.length} snapshots of execution ${executionName} still pending`,
    );
  }
  return {
    total: snapshots.length,
    completed: snapshots.filter((s) => s.state === 'completed').length,
    error: snapshots.filter((s) => s.state === 'error').length,
    timedOut: pending.length,
  };
}
