import type { SnapshotRecord, SnapshotStateName } from './ec2-records';

/**
 * A snapshot's state at time `now`. Evaluated on every read instead of by timers, so a fake or
 * simulated clock moves every snapshot along without anyone having to tick the simulator.
 */
export function snapshotState(snapshot: SnapshotRecord, now: number): SnapshotStateName {
  if (snapshot.forcedState) return snapshot.forcedState;
  if (snapshot.settlesAt !== undefined && now >= snapshot.settlesAt) return snapshot.outcome;
  return 'pending';
}

/** EC2's `Progress` string: grows with the clock while pending, `100%` once completed. */
export function snapshotProgress(snapshot: SnapshotRecord, now: number): string {
  const state = snapshotState(snapshot, now);
  if (state === 'completed') return '100%';
  if (state === 'error' || snapshot.settlesAt === undefined) return '0%';
  const duration = snapshot.settlesAt - snapshot.startTime;
  const fraction = duration <= 0 ? 0 : (now - snapshot.startTime) / duration;
  return `${Math.min(99, Math.max(0, Math.floor(fraction * 100)))}%`;
}
