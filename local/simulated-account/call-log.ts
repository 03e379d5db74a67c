import { EC2_ACTIONS, type Ec2Action } from './ec2-actions';

/** What the callers of one action saw. */
export interface CallCounts {
  /** Answered with success, including calls whose response a HANG fault then withheld. */
  succeeded: number;
  /** Refused with RequestLimitExceeded (by a token bucket or an injected fault). */
  throttled: number;
  /** Any other error, including a lost response to a call that took effect. */
  failed: number;
}

export type CallOutcome = keyof CallCounts;

/**
 * Counts calls per action and outcome, for benchmarks and for tests that bound API usage. One log
 * per service: EC2's actions by default, SimulatedSsm passes SSM's.
 */
export class CallLog<A extends string = Ec2Action> {
  private counts: Record<A, CallCounts>;

  constructor(private readonly actions: readonly A[] = EC2_ACTIONS as unknown as readonly A[]) {
    this.counts = this.emptyCounts();
  }

  record(action: A, outcome: CallOutcome): void {
    this.counts[action][outcome] += 1;
  }

  /** A copy of the counts so far, with every action present. */
  snapshot(): Record<A, CallCounts> {
    return Object.fromEntries(this.actions.map((action) => [action, { ...this.counts[action] }])) as Record<
      A,
      CallCounts
    >;
  }

  reset(): void {
    this.counts = this.emptyCounts();
  }

  private emptyCounts(): Record<A, CallCounts> {
    return Object.fromEntries(
      this.actions.map((action) => [action, { succeeded: 0, throttled: 0, failed: 0 }]),
    ) as Record<A, CallCounts>;
  }
}
