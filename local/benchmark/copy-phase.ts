import { CONCURRENT_COPY_LIMIT } from '../../lambdas/contracts/deployment';
import { EC2_MUTATING_BUCKETS } from '../../lambdas/contracts/ec2-buckets';
import { bucketBoundSeconds } from './bounds';
import type { ActionTimeline } from './call-timeline';

/** What limits the copy phase: the copies in flight per destination, or CopySnapshot's request rate. */
export type CopyLimit = 'concurrent copies' | 'CopySnapshot bucket';

export interface CopyBound {
  seconds: number;
  limitedBy: CopyLimit;
}

/**
 * The fastest the copies of a run can all be made, in whichever copy region takes longest (each
 * region has its own limits, and they run side by side). In one region, `copies` copies that
 * each take `copyMs`:
 * - at most CONCURRENT_COPY_LIMIT (20) in progress at once: ⌈copies ÷ 20⌉ rounds of `copyMs`;
 * - CopySnapshot's own bucket (50, 5 a second), at the deployment's share: its bound for the
 *   calls, plus the last copy's `copyMs`.
 * With copies of minutes, the first dominates by far: 20 in flight keep up with the bucket only
 * for copies of 20 ÷ (share × 5) seconds or less (5 s at 80 %).
 */
export function copyBound(copiesPerRegion: readonly number[], copyMs: number, share: number): CopyBound {
  let bound: CopyBound = { seconds: 0, limitedBy: 'concurrent copies' };
  for (const copies of copiesPerRegion) {
    const inFlight = (Math.ceil(copies / CONCURRENT_COPY_LIMIT) * copyMs) / 1000;
    const requests = bucketBoundSeconds(copies, EC2_MUTATING_BUCKETS.CopySnapshot, share) + copyMs / 1000;
    const region: CopyBound =
      inFlight >= requests
        ? { seconds: inFlight, limitedBy: 'concurrent copies' }
        : { seconds: requests, limitedBy: 'CopySnapshot bucket' };
    if (region.seconds > bound.seconds) bound = region;
  }
  return bound;
}

/**
 * The copy phase as it ran: from the first CopySnapshot call in any region to the completion of
 * the last copy (its successful call plus `copyMs`, the time the simulator gives every copy).
 * 0 when nothing was copied.
 */
export function copyPhaseSeconds(timelines: readonly ActionTimeline[], copyMs: number): number {
  const first = Math.min(...timelines.map((t) => t.firstCall ?? Number.POSITIVE_INFINITY));
  const last = Math.max(...timelines.map((t) => t.successes.at(-1) ?? Number.NEGATIVE_INFINITY));
  return Number.isFinite(first) && Number.isFinite(last) ? (last + copyMs - first) / 1000 : 0;
}
