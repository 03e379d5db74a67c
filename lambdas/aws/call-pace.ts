import type { BackoffClock } from './throttle-backoff';

/**
 * What one Lambda execution environment remembers of its last invocation: when it ended. The
 * handlers keep one at module level (it lives as long as the environment, which serves one
 * invocation at a time); a new environment starts with none.
 */
export class EnvironmentPace {
  lastEnd: number | undefined;
}

/**
 * Paces one invocation's mutating calls (CreateSnapshot, DeleteSnapshot, CopySnapshot) to one
 * every `intervalMs` (see `callIntervalMs`), so that a fan-out of `concurrency` children stays
 * within the deployment's share of EC2's bucket with no coordination between them.
 *
 * The count runs per execution environment. An environment runs one invocation at a time, so if
 * each invocation counts from an anchor no earlier than the end of the environment's previous
 * one, starts its k-th call no earlier than anchor + (k − 1) intervals and ends no earlier than
 * anchor + k intervals, the environment never makes more than one call per interval over any
 * stretch of time. Lambda runs a function in as many environments as it has invocations at once
 * and reuses a free one before it makes another
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html): a fan-out of
 * MaxConcurrency children keeps that many environments, so it makes at most MaxConcurrency
 * calls per interval, its share of the refill. (Were Lambda to spread the invocations over more
 * environments than that, each one more could add one call per interval.)
 *
 * The anchor is the end of the environment's previous invocation when that was less than an
 * interval ago, else this invocation's own start. Counting from that end, not from this start,
 * puts the time between two invocations of a busy environment (Step Functions ending one child,
 * starting the next, invoking Lambda) inside the interval rather than on top of it, so the
 * fan-out runs at its share, not below it; an environment idle for an interval or more starts
 * afresh.
 *
 * A throttled call took no token from the bucket, so it does not count: trying it again (after a
 * back-off) comes at no extra pace. Any other answer, an error included, may have taken one.
 */
export class CallPace {
  private next: number;
  private calls = 0;

  /** `intervalMs` 0 paces nothing. Without an `environment`, every invocation counts from its own start. */
  constructor(
    private readonly intervalMs: number,
    private readonly clock: BackoffClock,
    private readonly environment: EnvironmentPace = new EnvironmentPace(),
  ) {
    const now = clock.now();
    const lastEnd = environment.lastEnd;
    this.next = lastEnd !== undefined && lastEnd <= now && now - lastEnd < intervalMs ? lastEnd : now;
  }

  /** Waits until the pace allows the next call. */
  async ready(): Promise<void> {
    await this.until(this.next);
  }

  /** Runs one mutating call once the pace allows it, counting it unless EC2 throttled it. */
  async paced<T>(call: () => Promise<T>): Promise<T> {
    await this.ready();
    try {
      const result = await call();
      this.count();
      return result;
    } catch (error) {
      if ((error as Error).name !== 'Ec2Throttled') this.count();
      throw error;
    }
  }

  /**
   * Before the invocation returns or fails: waits out the interval of its last call, if it made
   * any, and leaves its end to the environment's next invocation.
   */
  async finish(): Promise<void> {
    if (this.calls > 0) await this.until(this.next);
    this.environment.lastEnd = this.clock.now();
  }

  private count(): void {
    this.calls += 1;
    this.next += this.intervalMs;
  }

  private async until(time: number): Promise<void> {
    const wait = time - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
  }
}
