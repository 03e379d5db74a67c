/**
 * Retention of one volume's snapshot family (SPEC §3): a pure decision, so it can be proven
 * with property tests and reused for dry runs and the operator CLI.
 */
export interface SnapshotRecord {
  snapshotId: string;
  state: string;
  /** Epoch milliseconds. */
  startTime: number;
}

export interface RetentionPlan<T extends SnapshotRecord = SnapshotRecord> {
  /** The newest N completed snapshots. */
  keep: T[];
  /** Completed snapshots beyond N, and snapshots in state `error`. */
  delete: T[];
  /** Pending (or any other state): never counted, never touched. */
  leave: T[];
}

/** Newest first: by StartTime, then SnapshotId, so equal times still order deterministically. */
export function newestFirst(a: SnapshotRecord, b: SnapshotRecord): number {
  if (a.startTime !== b.startTime) return b.startTime - a.startTime;
  return a.snapshotId < b.snapshotId ? 1 : a.snapshotId > b.snapshotId ? -1 : 0;
}

/**
 * The newest completed generation another run made after `since` (SPEC §6.3): when this run's
 * snapshot is gone and one exists, an overlapping run's retention deleted ours, as it should
 * have. `runKey` is the run's key tag value, read by `runOf`.
 */
export function newerGeneration<T extends SnapshotRecord>(
  family: readonly T[],
  ours: { runId: string; since: number },
  runOf: (snapshot: T) => string | undefined,
): T | undefined {
  return family
    .filter((s) => s.state === 'completed' && runOf(s) !== ours.runId && s.startTime > ours.since)
    .sort(newestFirst)[0];
}

export function planRetention<T extends SnapshotRecord>(
  snapshots: readonly T[],
  generations: number,
): RetentionPlan<T> {
  if (!Number.isInteger(generations) || generations < 1) {
    throw new RangeError(`generations must be a whole number of at least 1, got ${generations}`);
  }
  const completed = snapshots.filter((s) => s.state === 'completed').sort(newestFirst);
  const failed = snapshots.filter((s) => s.state === 'error').sort(newestFirst);
  const leave = snapshots.filter((s) => s.state !== 'completed' && s.state !== 'error').sort(newestFirst);
  return {
    keep: completed.slice(0, generations),
    delete: [...completed.slice(generations), ...failed],
    leave,
  };
}
