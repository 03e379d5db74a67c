import type { BucketSpec } from '../simulated-account';

/**
 * The fastest `calls` successful calls can go through one EC2 token bucket that starts full:
 * the burst at once, then one per refill. No caller can beat it, whatever its concurrency.
 */
export function bucketBoundSeconds(calls: number, bucket: BucketSpec): number {
  return Math.max(0, calls - bucket.capacity) / bucket.refillPerSecond;
}

/** The most successful calls the bucket admits by `seconds` after the first (the bound's curve). */
export function bucketAdmitted(seconds: number, bucket: BucketSpec): number {
  return bucket.capacity + Math.max(0, seconds) * bucket.refillPerSecond;
}
