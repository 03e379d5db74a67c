/**
 * EC2's request-token buckets of the mutating calls a run makes, per account and region, as
 * "Request token bucket sizes and refill rates" gives their defaults
 * (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html): CreateSnapshot and
 * DeleteSnapshot are "Uncategorized actions" with figures of their own, CopySnapshot one of the
 * "Mutating actions". Each request takes a token whoever makes it (a script, the console, AWS
 * Backup, Data Lifecycle Manager, this deployment), so every tool of the account and region
 * draws from the same bucket: the functions pace their calls to a share of its refill
 * (`ec2RateShare`), and the simulated account throttles with the same figures.
 */
export interface Ec2Bucket {
  /** Tokens in a full bucket: the burst a caller may make at once. */
  readonly capacity: number;
  /** Tokens added back per second, up to `capacity`. */
  readonly refillPerSecond: number;
}

export const EC2_MUTATING_BUCKETS = {
  CreateSnapshot: { capacity: 100, refillPerSecond: 5 },
  DeleteSnapshot: { capacity: 100, refillPerSecond: 5 },
  CopySnapshot: { capacity: 50, refillPerSecond: 5 },
  /**
   * CreateSnapshots (SPEC §12): a bucket of its own, one token per call whatever the number of
   * volumes in the set ("Each request that you make removes one token from the API's bucket").
   * 100 at 5 a second are the figures this design takes for it, among the "Uncategorized
   * actions" beside CreateSnapshot's; were it not listed there, it would be a "Mutating action"
   * (50 at 5): the same refill, which is what the pace is worked out from, and half the burst,
   * which the pace never draws on (see local/simulated-account/rate-limits.ts).
   */
  CreateSnapshots: { capacity: 100, refillPerSecond: 5 },
} as const satisfies Record<string, Ec2Bucket>;

/** The mutating calls a run makes, each paced to the deployment's share of its bucket. */
export type MutatingAction = keyof typeof EC2_MUTATING_BUCKETS;
