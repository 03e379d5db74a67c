/**
 * A clock that moves only when told to: pass `clock.now` as the simulator's `now` and call
 * `advance` to let snapshots complete and token buckets refill, without waiting.
 */
export class ManualClock {
  private current: number;

  constructor(start: Date | number = Date.UTC(2025, 0, 1)) {
    this.current = new Date(start).getTime();
  }

  readonly now = (): number => this.current;

  advance(ms: number): void {
    if (!(ms >= 0)) throw new Error(`A clock only moves forward; got ${ms} ms`);
    this.current += ms;
  }
}
