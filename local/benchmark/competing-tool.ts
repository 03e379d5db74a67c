import type { MutatingAction } from '../../lambdas/contracts/ec2-buckets';
import { EC2_MUTATING_BUCKETS } from '../../lambdas/contracts/ec2-buckets';
import type { CompetingCalls, SimulatedEc2 } from '../simulated-account';
import { round } from './rounding';

/** The actions the competing tool calls: the two buckets every run draws on. */
const COMPETED: readonly MutatingAction[] = ['CreateSnapshot', 'DeleteSnapshot'];

/**
 * Its clock is not the run's: its calls fall 37 ms past the run's start and every second after,
 * so that neither side's calls sit on a shared grid where ties would always go the same way.
 */
const OFFSET_MS = 37;

/**
 * Another tool of the account and region (AWS Backup, a script) taking the rest of each bucket
 * the deployment leaves it: (100 − ec2RateShare) % of CreateSnapshot's and DeleteSnapshot's
 * refill, one call at a time on its own clock, from the run's start to its end.
 */
export function addCompetingTool(ec2: SimulatedEc2, sharePercent: number, start: number): void {
  for (const action of COMPETED) {
    const perSecond = (EC2_MUTATING_BUCKETS[action].refillPerSecond * (100 - sharePercent)) / 100;
    ec2.addCompetingCaller({ action, perSecond, from: start + OFFSET_MS });
  }
}

/** What the competing tool saw of one action, for a benchmark row. */
export interface CompetingToolFigures {
  action: string;
  perSecond: number;
  calls: number;
  admitted: number;
  throttled: number;
  /** Throttled ÷ calls: 0 when the deployment left it its share. */
  throttledShare: number;
}

export function competingToolFigures(calls: readonly CompetingCalls[]): CompetingToolFigures[] {
  return calls.map(({ action, perSecond, admitted, throttled }) => ({
    action,
    perSecond,
    calls: admitted + throttled,
    admitted,
    throttled,
    throttledShare: admitted + throttled === 0 ? 0 : round(throttled / (admitted + throttled), 4),
  }));
}
