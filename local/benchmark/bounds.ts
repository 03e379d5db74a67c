import type { BucketSpec } from '../simulated-account';

/**
 * The fastest `calls` successful calls can go through one EC2 token bucket that starts full,
 * taking no more than `share` (0..1) of it, its burst and its refill alike (`ec2RateShare`; the
 * rest is other tools'): that share of the burst at once, then that share of the refill. No
 * caller keeping to the share can beat it, whatever its concurrency.
 */
export function bucketBoundSeconds(calls: number, bucket: BucketSpec, share = 1): number {
  return Math.max(0, calls - share * bucket.capacity) / (share * bucket.refillPerSecond);
}

/** The most successful calls the share of the bucket admits by `seconds` after the first (the bound's curve). */
export function bucketAdmitted(seconds: number, bucket: BucketSpec, share = 1): number {
  return share * (bucket.capacity + Math.max(0, seconds) * bucket.refillPerSecond);
}
