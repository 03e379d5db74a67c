/** Size and refill rate of one EC2 API token bucket. */
export interface BucketSpec {
  /** Tokens in a full bucket: the burst a caller may make at once. */
  readonly capacity: number;
  /** Tokens added back per second, up to `capacity`. */
  readonly refillPerSecond: number;
}

/**
 * The token bucket EC2 throttles with. It refills lazily, from the injected clock, when someone
 * asks for a token: no timers, so fake clocks and long simulated days cost nothing.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number | undefined;

  constructor(
    private readonly spec: BucketSpec,
    private readonly now: () => number,
  ) {
    this.tokens = spec.capacity;
  }

  /** Takes one token if there is one; false means the request is throttled. */
  tryTake(): boolean {
    return this.tryTakeAt(this.now());
  }

  /**
   * As `tryTake`, for a request made at `time`, no later than now: a caller whose requests are
   * worked out when someone else asks (see CompetingCaller). Requests must come in time order,
   * none earlier than the last one the bucket saw (a clock that jumps back restarts the refill
   * from there, as `tryTake` does).
   */
  tryTakeAt(time: number): boolean {
    this.refill(time);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens available now (fractional while refilling). */
  available(): number {
    this.refill(this.now());
    return this.tokens;
  }

  private refill(now: number): void {
    // The clock is read on first use, not at construction: a fake clock installed after the
    // simulator was built must not make the bucket wait for a time that never comes.
    const elapsedMs = this.refilledAt === undefined ? 0 : Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.spec.capacity, this.tokens + (elapsedMs * this.spec.refillPerSecond) / 1000);
    this.refilledAt = now;
  }
}
