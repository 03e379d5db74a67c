import type { Ec2Action } from './ec2-actions';
import { type BucketSpec, TokenBucket } from './token-bucket';

/** Named token buckets, and which bucket each action draws from (actions not listed are unlimited). */
export interface RateLimits {
  readonly buckets: Readonly<Record<string, BucketSpec>>;
  readonly bucketOf: Readonly<Partial<Record<Ec2Action, string>>>;
}

/**
 * EC2's default request-rate buckets for one account and Region, as the documentation gives them
 * for these actions: CreateSnapshot and DeleteSnapshot each have their own bucket; the Describe
 * calls share the non-mutating bucket (newer documentation gives each Describe action its own
 * bucket of the same size: sharing is the stricter reading); CreateTags and CreateVolume draw from
 * the mutating bucket. CopySnapshot is neither a resource-intensive action nor one of the
 * "uncategorized actions" with a bucket of their own, so it is one of the "Mutating actions"
 * ("All mutating API actions that are not Resource-intensive actions or Uncategorized actions")
 * and draws from the mutating bucket
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html, "Request token
 * bucket sizes and refill rates"; that page now gives the mutating bucket 50 tokens refilled at
 * 5 per second, and CreateTags and CreateVolume buckets of their own of 100 at 10 and 100 at 5).
 */
export const EC2_DEFAULT_RATE_LIMITS: RateLimits = {
  buckets: {
    CreateSnapshot: { capacity: 100, refillPerSecond: 5 },
    DeleteSnapshot: { capacity: 100, refillPerSecond: 5 },
    'non-mutating': { capacity: 100, refillPerSecond: 20 },
    mutating: { capacity: 200, refillPerSecond: 5 },
  },
  bucketOf: {
    CreateSnapshot: 'CreateSnapshot',
    DeleteSnapshot: 'DeleteSnapshot',
    DescribeInstances: 'non-mutating',
    DescribeVolumes: 'non-mutating',
    DescribeSnapshots: 'non-mutating',
    CreateTags: 'mutating',
    CreateVolume: 'mutating',
    CopySnapshot: 'mutating',
  },
};

/** Admits or throttles each call against the account's buckets. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limits: RateLimits | undefined,
    private readonly now: () => number,
  ) {
    for (const [action, bucket] of Object.entries(limits?.bucketOf ?? {})) {
      if (!limits?.buckets[bucket]) {
        throw new Error(`Rate limits: ${action} draws from unknown bucket '${bucket}'`);
      }
    }
  }

  /** True if the call may proceed (a token was taken), false if EC2 would throttle it. */
  admit(action: Ec2Action): boolean {
    const name = this.limits?.bucketOf[action];
    if (name === undefined || this.limits === undefined) return true;
    let bucket = this.buckets.get(name);
    if (!bucket) {
      bucket = new TokenBucket(this.limits.buckets[name], this.now);
      this.buckets.set(name, bucket);
    }
    return bucket.tryTake();
  }
}
