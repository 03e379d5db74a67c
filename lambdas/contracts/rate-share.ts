import { EC2_MUTATING_BUCKETS, type MutatingAction } from './ec2-buckets';

/**
 * `ec2RateShare`: the percentage of the refill of each of EC2's CreateSnapshot, DeleteSnapshot
 * and CopySnapshot buckets (EC2_MUTATING_BUCKETS) this deployment may use. The buckets are the
 * account's and region's, shared with every other tool that snapshots there (AWS Backup, Data
 * Lifecycle Manager, scripts, people): what this deployment leaves, they can use without being
 * throttled. The default leaves a fifth.
 */
export const DEFAULT_EC2_RATE_SHARE = 80;
/** Below a tenth, a run of 10,000 volumes would take over five hours to create its snapshots. */
export const MIN_EC2_RATE_SHARE = 10;
export const MAX_EC2_RATE_SHARE = 100;

/**
 * The longest a function waits between two of its mutating calls. The create and copy steps'
 * timeouts and the prune step's time budget each leave room for one such wait
 * (lambdas/commons/function-limits.ts); the synth refuses settings that would need more.
 */
export const MAX_CALL_INTERVAL_MS = 20_000;

/**
 * How long each child of a fan-out spends, at least, per call of `action`, so that the whole
 * fan-out stays within its share with no coordination between its children: a fan-out runs at
 * most `concurrency` children at once (its MaxConcurrency), so if each makes at most one call per
 * interval, the fan-out makes at most `concurrency` per interval, that is share × refill per
 * second. A child that is quick pads the interval with a wait (see `CallPace`).
 */
export function callIntervalMs(action: MutatingAction, concurrency: number, sharePercent: number): number {
  const { refillPerSecond } = EC2_MUTATING_BUCKETS[action];
  return Math.ceil((concurrency * 1000 * 100) / (sharePercent * refillPerSecond));
}
