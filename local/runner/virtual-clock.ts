import * as FakeTimers from '@sinonjs/fake-timers';

type InstalledClock = ReturnType<typeof FakeTimers.install>;

/**
 * Simulated time for local runs: `Date` and timers are faked, so Step Functions' Retry waits
 * (computed by the engine, jitter included), snapshot completion and EC2's token-bucket refills
 * all happen in virtual time, and days pass in seconds. Only setTimeout/clearTimeout/Date are
 * faked; promises and I/O run for real.
 */
export class VirtualClock {
  private constructor(private readonly clock: InstalledClock) {}

  static install(start: Date | number): VirtualClock {
    return new VirtualClock(
      FakeTimers.install({
        now: start,
        toFake: ['setTimeout', 'clearTimeout', 'Date'],
        shouldClearNativeTimers: true,
      }),
    );
  }

  now(): number {
    return this.clock.now;
  }

  /** Lets `ms` of virtual time pass, firing the timers due in it. */
  async advance(ms: number): Promise<void> {
    await this.clock.tickAsync(ms);
  }

  /** Moves to `time` (if it is ahead), firing the timers due before it. */
  async advanceTo(time: Date | number): Promise<void> {
    const target = new Date(time).getTime();
    if (target > this.clock.now) await this.advance(target - this.clock.now);
  }

  /**
   * Waits for `work`, jumping virtual time from one timer to the next whenever nothing else
   * can run: a 24 h wait costs no real time.
   */
  async settle<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    work.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    while (!settled) {
      if (this.clock.countTimers() > 0) await this.clock.nextAsync();
      else await new Promise((resolve) => setImmediate(resolve));
    }
    return work;
  }

  /** Timers set and not yet fired or cleared: what would keep a real process alive. */
  pendingTimers(): number {
    return this.clock.countTimers();
  }

  uninstall(): void {
    this.clock.uninstall();
  }
}
