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

/** Counts calls per action and outcome, for benchmarks and for tests that bound API usage. */
export class CallLog {
  private counts = emptyCounts();

  record(action: Ec2Action, outcome: CallOutcome): void {
    this.counts[action][outcome] += 1;
  }

  /** A copy of the counts so far, with every action present. */
  snapshot(): Record<Ec2Action, CallCounts> {
    return Object.fromEntries(EC2_ACTIONS.map((action) => [action, { ...this.counts[action] }])) as Record<
      Ec2Action,
      CallCounts
    >;
  }

  reset(): void {
    this.counts = emptyCounts();
  }
}

function emptyCounts(): Record<Ec2Action, CallCounts> {
  return Object.fromEntries(
    EC2_ACTIONS.map((action) => [action, { succeeded: 0, throttled: 0, failed: 0 }]),
  ) as Record<Ec2Action, CallCounts>;
}
