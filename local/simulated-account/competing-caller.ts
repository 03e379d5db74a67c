import type { Ec2Action } from './ec2-actions';

/**
 * Another tool of the same account and region (AWS Backup, Data Lifecycle Manager, a script)
 * calling one EC2 action on a clock, against the same token bucket as the product: modelled
 * simply, one call every 1/perSecond seconds from `from`, never retried. What it saw tells
 * whether the product left it its share: its calls admitted at its rate, few throttled.
 */
export interface CompetingCallerSpec {
  readonly action: Ec2Action;
  readonly perSecond: number;
  /** Epoch ms of its first call. */
  readonly from: number;
}

/** What a competing caller saw so far. */
export interface CompetingCalls {
  readonly action: Ec2Action;
  readonly perSecond: number;
  admitted: number;
  throttled: number;
}

/**
 * Its calls are worked out when the bucket is next asked (by the product's call, or `catchUp`):
 * each at its own time, in order, before the call that asks, so no timer runs for it and a
 * virtual clock jumps over idle stretches as before.
 */
export class CompetingCaller {
  readonly calls: CompetingCalls;
  private made = 0;

  constructor(private readonly spec: CompetingCallerSpec) {
    if (!(spec.perSecond > 0))
      throw new Error(`A competing caller makes calls: perSecond > 0, got ${spec.perSecond}`);
    this.calls = { action: spec.action, perSecond: spec.perSecond, admitted: 0, throttled: 0 };
  }

  get action(): Ec2Action {
    return this.spec.action;
  }

  /** Makes every call due by `now`, each at its own time, against `tryTakeAt`. */
  catchUp(now: number, tryTakeAt: (time: number) => boolean): void {
    for (;;) {
      const at = this.spec.from + (this.made * 1000) / this.spec.perSecond;
      if (at > now) return;
      this.made += 1;
      if (tryTakeAt(at)) this.calls.admitted += 1;
      else this.calls.throttled += 1;
    }
  }
}
