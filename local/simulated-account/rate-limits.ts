import { EC2_MUTATING_BUCKETS } from '../../lambdas/contracts/ec2-buckets';
import { CompetingCaller, type CompetingCallerSpec, type CompetingCalls } from './competing-caller';
import type { Ec2Action } from './ec2-actions';
import { type BucketSpec, TokenBucket } from './token-bucket';

/**
 * Each action's token bucket (actions not listed are unlimited): EC2 evaluates each API on its
 * own, so no two actions share one.
 */
export interface RateLimits {
  readonly buckets: Readonly<Partial<Record<Ec2Action, BucketSpec>>>;
  /**
   * The smaller bucket an action listed here draws from instead when a call has neither a filter
   * nor pagination (EC2's "Unfiltered and unpaginated non-mutating actions").
   */
  readonly unfilteredUnpaginated?: Readonly<Partial<Record<Ec2Action, BucketSpec>>>;
}

/** What of a request decides its bucket: the Describe parameters EC2 names. */
export interface RequestShape {
  readonly Filters?: readonly unknown[];
  readonly MaxResults?: number;
  readonly NextToken?: string;
}

const NON_MUTATING: BucketSpec = { capacity: 100, refillPerSecond: 20 };
const UNFILTERED_UNPAGINATED: BucketSpec = { capacity: 50, refillPerSecond: 10 };

/**
 * EC2's default request-rate buckets for one account and Region, as "Request token bucket sizes
 * and refill rates" gives them (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
 * "With request rate limiting, each API is evaluated individually" and "Limits are applied to
 * individual API actions, not API action categories": a category gives each of its actions a
 * bucket of that size, never one shared bucket. So:
 * - DescribeInstances, DescribeVolumes and DescribeSnapshots are "Non-mutating actions", 100
 *   tokens refilled at 20 a second each; called with neither a filter nor pagination (a look-up
 *   by ID, which EC2 does not page, included: the page exempts no other parameter) they are
 *   "Unfiltered and unpaginated non-mutating actions", a separate bucket of 50 at 10 a second.
 * - CreateSnapshot (100 at 5), DeleteSnapshot (100 at 5), CreateTags (100 at 10) and
 *   CreateVolume (100 at 5) are "Uncategorized actions", each with the figures the page lists.
 * - CreateSnapshots (100 at 5): its own bucket, the figures issue 17 gives for it among the
 *   "Uncategorized actions" (the same as CreateSnapshot's). One call is one request and "Each
 *   request that you make removes one token from the API's bucket", so a set costs one token
 *   whatever the number of its volumes. The table's row itself could not be re-read for this
 *   change; were CreateSnapshots not listed there, it would be a "Mutating action" (50 at 5): the
 *   same refill, half the burst.
 * - CopySnapshot is neither uncategorized nor resource-intensive, so it is one of the "Mutating
 *   actions" ("All mutating API actions that are not Resource-intensive actions or Uncategorized
 *   actions"): 50 tokens refilled at 5 a second.
 */
export const EC2_DEFAULT_RATE_LIMITS = {
  buckets: {
    DescribeInstances: NON_MUTATING,
    DescribeVolumes: NON_MUTATING,
    DescribeSnapshots: NON_MUTATING,
    // The buckets the functions pace themselves against: one home for their figures.
    CreateSnapshot: EC2_MUTATING_BUCKETS.CreateSnapshot,
    CreateSnapshots: EC2_MUTATING_BUCKETS.CreateSnapshots,
    DeleteSnapshot: EC2_MUTATING_BUCKETS.DeleteSnapshot,
    CreateTags: { capacity: 100, refillPerSecond: 10 },
    CreateVolume: { capacity: 100, refillPerSecond: 5 },
    CopySnapshot: EC2_MUTATING_BUCKETS.CopySnapshot,
  },
  unfilteredUnpaginated: {
    DescribeInstances: UNFILTERED_UNPAGINATED,
    DescribeVolumes: UNFILTERED_UNPAGINATED,
    DescribeSnapshots: UNFILTERED_UNPAGINATED,
  },
} satisfies RateLimits;

/** True for a request that names neither a filter nor a page (EC2's smaller Describe bucket). */
function unfilteredAndUnpaginated(request: RequestShape): boolean {
  return !request.Filters?.length && request.MaxResults === undefined && request.NextToken === undefined;
}

/** Admits or throttles each call against the account's buckets, which other callers may share. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly competitors: CompetingCaller[] = [];

  constructor(
    private readonly limits: RateLimits | undefined,
    private readonly now: () => number,
  ) {}

  /** True if the call may proceed (a token was taken), false if EC2 would throttle it. */
  admit(action: Ec2Action, request: RequestShape): boolean {
    const smaller = this.limits?.unfilteredUnpaginated?.[action];
    const [key, spec] =
      smaller && unfilteredAndUnpaginated(request)
        ? [`${action} unfiltered and unpaginated`, smaller]
        : [action, this.limits?.buckets[action]];
    if (spec === undefined) return true;
    const bucket = this.bucket(key, spec);
    // The other callers' calls made before this one took their tokens first.
    if (key === action) this.catchUp(action, bucket);
    return bucket.tryTake();
  }

  /**
   * Another caller of `action` on the same bucket (one with filters or pages, for a Describe
   * action). Its calls count from `spec.from`; see `competingCalls`.
   */
  addCompetitor(spec: CompetingCallerSpec): void {
    if (this.limits?.buckets[spec.action] === undefined) {
      throw new Error(`A competing caller needs a bucket to compete for: ${spec.action} has none`);
    }
    this.competitors.push(new CompetingCaller(spec));
  }

  /** What each competing caller saw, its calls up to now made. */
  competingCalls(): CompetingCalls[] {
    for (const competitor of this.competitors) {
      const spec = this.limits?.buckets[competitor.action] as BucketSpec;
      this.catchUp(competitor.action, this.bucket(competitor.action, spec));
    }
    return this.competitors.map((competitor) => ({ ...competitor.calls }));
  }

  private catchUp(action: Ec2Action, bucket: TokenBucket): void {
    const now = this.now();
    for (const competitor of this.competitors) {
      if (competitor.action === action) competitor.catchUp(now, (time) => bucket.tryTakeAt(time));
    }
  }

  private bucket(key: string, spec: BucketSpec): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(spec, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }
}
