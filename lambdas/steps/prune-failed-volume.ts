import type { EC2Client } from '@aws-sdk/client-ec2';
import type { CallPace } from '../aws/call-pace';
import type { ManagedSnapshot } from '../aws/snapshot-queries';
import type { BackoffClock } from '../aws/throttle-backoff';
import type { PruneTask } from '../contracts/run-documents';
import { SnapshotNotCompletedError } from '../core/errors';
import { newestFirst } from '../core/retention';
import { deleteWithinSlice } from './slice-deletions';

// A volume whose snapshot of this run is not `completed` (missing, in error, pending past the
// wait limit): what its retention still does, and how its failure reads.

/** What became of the volume's other snapshots in state error, when this run's failed. */
export type FailedSnapshotsCleared = { deleted: string[] } | { error: Error };

/**
 * The contract keeps a failed volume's old snapshots (SPEC §3.3) and deletes those in state
 * `error` (§3.4), which count against EBS's limit of snapshots in progress per volume (5; 1 for
 * st1 and sc1). Deleting one never lowers the number of completed generations, so they are
 * deleted when this run's snapshot failed too: otherwise a volume whose snapshots keep failing
 * would pile them up until EC2 refuses to snapshot it at all (ConcurrentSnapshotLimitExceeded).
 * This run's own failed snapshot stays, for the operator to look at, until the next run: at most
 * one error snapshot per volume (per copy region, for copies) remains. Best effort, within one
 * slice: a refusal leaves the volume's failure as it is, saying so.
 */
export async function clearFailedSnapshots(
  ec2: EC2Client,
  family: ManagedSnapshot[],
  own: ManagedSnapshot | undefined,
  clock: BackoffClock,
  pace: CallPace,
): Promise<FailedSnapshotsCleared> {
  const failed = family
    .filter((s) => s.state === 'error' && s.snapshotId !== own?.snapshotId)
    .sort(newestFirst);
  try {
    return { deleted: (await deleteWithinSlice(ec2, failed, clock, pace)).deleted };
  } catch (error) {
    return { error: error as Error };
  }
}

/** The volume's failure (SPEC §3.3, §4.4): what went wrong, and what was kept and deleted. */
export function notCompleted(
  task: PruneTask,
  own: ManagedSnapshot | undefined,
  cleared: FailedSnapshotsCleared,
): SnapshotNotCompletedError {
  const { volumeId, newSnapshot, region } = task.volume;
  // A copy's failure names its region: it concerns that region's copies only.
  const [noun, where, kept] =
    region === undefined
      ? ['snapshot', '', 'older generations kept']
      : ['copy', ` in ${region}`, `older copies in ${region} kept`];
  const deleted = 'deleted' in cleared ? cleared.deleted : [];
  const fail = (reason: SnapshotNotCompletedError['reason'], what: string) =>
    new SnapshotNotCompletedError(
      volumeId,
      reason,
      `${volumeId}: ${what}; ${kept}${clearedText(cleared, noun)}`,
      deleted,
    );
  if (own === undefined && newSnapshot === undefined) {
    return fail(
      'missing',
      region === undefined
        ? `execution ${task.executionName} created no snapshot of it (see SnapshotVolumes)`
        : `execution ${task.executionName} created no copy of it in ${region} (see CopyVolumes)`,
    );
  }
  if (own === undefined) {
    return fail(
      'missing',
      `${noun} ${newSnapshot?.snapshotId}${where} of this run no longer exists and no newer completed ${noun} replaces it`,
    );
  }
  if (own.state === 'error') return fail('error', `${noun} ${own.snapshotId}${where} ended in state error`);
  return fail('timed-out', `${noun} ${own.snapshotId}${where} still ${own.state} when the wait ended`);
}

/** IDs shown in a failure's message; the count says how many. */
const FAILED_IDS_SHOWN = 5;

function clearedText(cleared: FailedSnapshotsCleared, noun: string): string {
  if ('error' in cleared) {
    const nouns = noun === 'copy' ? 'copies' : 'snapshots';
    return `; could not delete its other ${nouns} in state error (${cleared.error.name}: ${cleared.error.message})`;
  }
  const { deleted } = cleared;
  if (deleted.length === 0) return '';
  const more = deleted.length > FAILED_IDS_SHOWN ? ', …' : '';
  return `; deleted its ${deleted.length} other ${noun}(s) in state error (${deleted.slice(0, FAILED_IDS_SHOWN).join(', ')}${more})`;
}
