import type { RetryErrorInfo, RetryStrategyV2, RetryToken } from '@smithy/types';

/**
 * How the operator tools (`ebs-backup`, and the plan of `npm start -- --target aws`) retry a
 * request: an answer that says "slow down" or "try again" is retried with backoff, up to
 * MAX_ATTEMPTS attempts; no answer at all (a request timeout, a refused or unreachable endpoint)
 * is never retried, so a wrong or silent endpoint fails within one request timeout (10 s, see
 * REQUEST_HANDLER_OPTIONS) instead of a multiple of it.
 *
 * It follows the SDK's standard retry mode (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html)
 * as @smithy/core 3.41 implements it (`@smithy/core/retry`, the code behind `retryMode:
 * 'standard'`): the SDK's retry middleware classifies each error before asking the strategy
 * (`errorType`: THROTTLING for HTTP 429 or a throttling code, RequestLimitExceeded among them;
 * TRANSIENT for 500/502/503/504, timeouts and connection errors), and standard mode retries
 * both kinds with "full jitter" backoff, random × min(base × 2^retry, 20 s), base 1 s after a
 * throttle and 50 ms otherwise. `maxAttempts` counts every attempt, the first included. Two
 * departures, both for an operator at a terminal: standard mode would also retry a timeout or
 * a refused connection (TRANSIENT), multiplying the wait on a black-holed endpoint; and it
 * stops early when its client-wide retry quota runs out, which a plan of many volumes under
 * throttling can hit although every request would succeed on its next attempt. The bound here
 * is the attempts alone. Adaptive mode (client-side rate limiting) is not used: it may delay
 * even first attempts, and AWS recommends it only for a client of a single resource.
 *
 * AWS_MAX_ATTEMPTS and AWS_RETRY_MODE do not apply: a client given a `retryStrategy` ignores them.
 */

/** Attempts per request, the first included: a call throttled 20 % of the time fails once in 390,000. */
export const MAX_ATTEMPTS = 8;
/** The first wait's ceiling after a throttle (SDK standard mode's throttling base). */
export const THROTTLING_BASE_MS = 1_000;
/** The first wait's ceiling after a 5xx answer (SDK standard mode's base). */
export const TRANSIENT_BASE_MS = 50;
/** No wait is longer (SDK standard mode's MAX_BACKOFF). */
export const MAX_BACKOFF_MS = 20_000;

/**
 * The longest a request can spend waiting between its attempts while it is throttled: the sum of
 * every wait's ceiling, 1 + 2 + 4 + 8 + 16 + 20 + 20 = 71 s (half of that on average).
 */
export const MAX_THROTTLED_WAIT_MS = Array.from({ length: MAX_ATTEMPTS - 1 }, (_, retry) =>
  Math.min(MAX_BACKOFF_MS, THROTTLING_BASE_MS * 2 ** retry),
).reduce((sum, ms) => sum + ms, 0);

export class OperatorRetryStrategy implements RetryStrategyV2 {
  private stopped = false;
  /** Ends each wait now in progress. */
  private readonly waits = new Set<() => void>();

  /** `random`: the jitter's source, in [0, 1); tests pin it. */
  constructor(private readonly random: () => number = Math.random) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return retryToken(0);
  }

  /**
   * Waits, then hands out the next attempt's token; or refuses, and the SDK's retry middleware
   * throws the request's own error. The wait is done here, as the SDK's own strategies do (their
   * tokens carry no delay), so that `stop` can end it.
   */
  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const retry = token.getRetryCount();
    if (this.stopped || !answeredRetryable(info) || retry + 1 >= MAX_ATTEMPTS) throw new Error('not retried');
    const base = info.errorType === 'THROTTLING' ? THROTTLING_BASE_MS : TRANSIENT_BASE_MS;
    await this.wait(Math.floor(this.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** retry)));
    if (this.stopped) throw new Error('not retried');
    return retryToken(retry + 1);
  }

  recordSuccess(): void {}

  /**
   * For a command that has ended, on success or failure: every wait between attempts ends now
   * and no request is retried any more, so the requests a failed command left behind (a plan's
   * other volumes, throttled while one was denied) fail at once with their last error instead of
   * keeping the process alive for their remaining waits (up to MAX_THROTTLED_WAIT_MS).
   */
  stop(): void {
    this.stopped = true;
    for (const end of this.waits) end();
  }

  /**
   * A pause of the command's own between two tries of a call (a step's backoff, see
   * lambdas/aws/throttle-backoff.ts) that `stop` ends too, failing it: after `stop` nothing waits.
   */
  async pause(ms: number): Promise<void> {
    if (!this.stopped) await this.wait(ms);
    if (this.stopped) throw new Error('The command has ended: no more retries');
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        this.waits.delete(end);
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.waits.add(end);
    });
  }
}

/**
 * Throttling, or a transient server error, that the service itself answered: an AWS error
 * response carries an HTTP status and a fault (`$fault`, set by the SDK's error parser). A
 * timeout or a connection error has no status; a page that is not AWS's (NotAnAwsAnswer, see
 * aws-calls.ts) has no fault: neither would go better the next time.
 */
function answeredRetryable(info: RetryErrorInfo): boolean {
  const error = info.error as { $fault?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const answered = error?.$fault !== undefined && error.$metadata?.httpStatusCode !== undefined;
  return answered && (info.errorType === 'THROTTLING' || info.errorType === 'TRANSIENT');
}

function retryToken(count: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => 0 };
}
