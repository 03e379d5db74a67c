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
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Tokens available now (fractional while refilling). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.now();
    // The clock is read on first use, not at construction: a fake clock installed after the
    // simulator was built must not make the bucket wait for a time that never comes.
    const elapsedMs = this.refilledAt === undefined ? 0 : Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.spec.capacity, this.tokens + (elapsedMs * this.spec.refillPerSecond) / 1000);
    this.refilledAt = now;
  }
}
