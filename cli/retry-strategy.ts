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
  /** `random`: the jitter's source, in [0, 1); tests pin it. */
  constructor(private readonly random: () => number = Math.random) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return retryToken(0, 0);
  }

  /** The next attempt's token, its wait included (the SDK's retry middleware sleeps it); or a refusal. */
  async refreshRetryTokenForRetry(token: RetryToken, info: RetryErrorInfo): Promise<RetryToken> {
    const retry = token.getRetryCount();
    if (!answeredRetryable(info) || retry + 1 >= MAX_ATTEMPTS) {
      // The SDK's retry middleware then throws the request's own error, not this one.
      throw new Error('not retried');
    }
    const base = info.errorType === 'THROTTLING' ? THROTTLING_BASE_MS : TRANSIENT_BASE_MS;
    return retryToken(retry + 1, Math.floor(this.random() * Math.min(MAX_BACKOFF_MS, base * 2 ** retry)));
  }

  recordSuccess(): void {}
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

function retryToken(count: number, delayMs: number): RetryToken {
  return { getRetryCount: () => count, getRetryDelay: () => delayMs };
}
