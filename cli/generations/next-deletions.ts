import { PLANNED_SNAPSHOT_ID } from '../../lambdas/contracts/run-documents';
import { planRetention, type SnapshotRecord } from '../../lambdas/core/retention';

/**
 * What the next successful backup (or copy) of a volume deletes: the prune step's own retention
 * (`planRetention`, SPEC §3) applied once that backup's new snapshot has joined the family as its
 * newest completed member, as the prune step's dry run plans it. The new snapshot counts toward
 * N, so N=3 with 5 completed deletes 3 (the new one and the 2 newest are kept), and exactly N
 * completed deletes 1. Snapshots in state `error` are deleted too; `pending` ones are left.
 * In `planRetention`'s order (completed ones newest first, then those in error); the new snapshot
 * itself is never listed.
 */
export function nextDeletions<T extends SnapshotRecord>(
  family: readonly T[],
  generations: number,
  now: number,
): T[] {
  const next = { snapshotId: PLANNED_SNAPSHOT_ID, state: 'completed', startTime: now };
  return planRetention<T | typeof next>([...family, next], generations).delete.filter(
    (s): s is T => s !== next,
  );
}
