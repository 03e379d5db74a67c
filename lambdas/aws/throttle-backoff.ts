import { ec2Call } from './ec2-errors';
/**
 * Retries a call that EC2 throttled, inside the invocation, until `budgetMs` has passed. A
 * throttled request did nothing (EC2 refused it before acting), so trying it again needs no
 * look-up; handing it to the state machine's Retry instead would cost a transition, a new
 * invocation and, for CreateSnapshot, a look-up, since the next attempt could not tell a
 * throttle from a lost response. Waits grow from 1 s to 5 s with full jitter, as AWS advises
 * for throttling (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html,
 * "Retries and exponential backoff"). The first wait's ceiling is the SDK's own after a throttle
 * (its standard retry mode backs off from 1 s for throttling errors, `Retry.throttlingDelay` in
 * @smithy/core/retry; https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html):
 * a throttled call means the bucket, which other tools share, is empty, and it refills at 5 a
 * second for CreateSnapshot; at 100 ms, a fan-out of throttled children asked again ten times a
 * second and kept it empty for everyone.
 * When the budget is spent the last `Ec2Throttled` is thrown, for the declared Retry.
 */
export interface BackoffClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
}

export const FIRST_BACKOFF_MS = 1_000;
export const MAX_BACKOFF_MS = 5_000;

export async function retryThrottled<T>(
  call: () => Promise<T>,
  clock: BackoffClock,
  budgetMs: number,
): Promise<T> {
  const started = clock.now();
  const random = clock.random ?? Math.random;
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if ((error as Error).name !== 'Ec2Throttled') throw error;
      const wait = Math.floor(random() * Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** attempt));
      if (clock.now() - started + wait > budgetMs) throw error;
      await clock.sleep(wait);
    }
  }
}

/** Sleeps on the timers of the process (virtual ones in local runs). */
export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The client with every call retried, inside the invocation, while EC2 throttles it (see
 * `retryThrottled`; each call has `budgetMs`). For paginated listings: the SDK's paginators call
 * `send` page by page, so one throttled page is tried again rather than the whole listing, or the
 * whole step through the state machine's Retry. The result is still an instance of the client's
 * class, which the paginators check.
 */
export function withThrottleRetries<C extends { send(command: never): Promise<unknown> }>(
  client: C,
  clock: BackoffClock,
  budgetMs: number,
): C {
  return new Proxy(client, {
    get(target, property) {
      if (property !== 'send') return Reflect.get(target, property, target);
      return (command: never, ...rest: unknown[]) =>
        retryThrottled(
          () =>
            ec2Call(() =>
              (target.send as (command: never, ...rest: unknown[]) => Promise<unknown>).call(
                target,
                command,
                ...rest,
              ),
            ),
          clock,
          budgetMs,
        );
    },
  });
}
