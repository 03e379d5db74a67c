import {
  isServerError,
  isThrottlingError,
  isTransientError,
  StandardRetryStrategy,
} from '@smithy/core/retry';
import type { RetryErrorInfo, RetryErrorType, SdkError } from '@smithy/types';
import { SDK_ATTEMPTS } from '../../lambdas/commons/function-limits';

/**
 * The client with each call retried as the SDK's own retry middleware would retry it. A
 * connected client (`connectEc2`) answers `send` directly, so the middleware stack, retries
 * included, never runs: without this, a simulated step would see every throttled or failed
 * attempt that the SDK hides from the deployed one, and the simulation would be harsher on some
 * paths and kinder on others (one attempt where AWS makes three).
 *
 * The loop is the SDK's (`bindRetryMiddleware` in @smithy/core/retry, @smithy/core 3.41), and so
 * is the strategy: `StandardRetryStrategy`, what a client gets with the default `retryMode`
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). It makes up to
 * `maxAttempts` attempts (SDK_ATTEMPTS, the default); it retries THROTTLING errors
 * (RequestLimitExceeded among its codes, or HTTP 429) and TRANSIENT ones (timeouts, connection
 * errors, HTTP 500/502/503/504) and nothing else; it waits `random × min(base × 2^retry, 20 s)`
 * before each retry, base 1 s after a throttle and 50 ms otherwise (its `Retry.throttlingDelay`
 * and `Retry.delay`), drawn from Math.random (seeded in a benchmark, see SeededMathRandom); and
 * it stops early when its retry quota (500, 5 per throttled retry, 14 per other retry) runs out.
 *
 * One strategy per wrapped client, as the SDK has one per client. The local runner wraps the
 * clients of each invocation (see `localFunctions`), so the quota starts full in each
 * invocation, where a deployed function's client keeps it for the life of its execution
 * environment: the quota only matters when most calls fail, which no benchmark models.
 */
export function withSdkRetries<C extends { send(command: never): Promise<unknown> }>(
  client: C,
  maxAttempts: number = SDK_ATTEMPTS,
): C {
  const strategy = new StandardRetryStrategy({ maxAttempts });
  return new Proxy(client, {
    get(target, property) {
      if (property !== 'send') return Reflect.get(target, property, target);
      return (command: never) =>
        retried(() => (target.send as (command: never) => Promise<unknown>).call(target, command), strategy);
    },
  });
}

async function retried<T>(attempt: () => Promise<T>, strategy: StandardRetryStrategy): Promise<T> {
  let token = await strategy.acquireInitialRetryToken('');
  for (let attempts = 1; ; attempts++) {
    try {
      const output = await attempt();
      strategy.recordSuccess(token);
      const metadata = (output as { $metadata?: { attempts?: number } }).$metadata;
      if (metadata) metadata.attempts = attempts;
      return output;
    } catch (error) {
      const info: RetryErrorInfo = { error: error as SdkError, errorType: retryErrorType(error as SdkError) };
      try {
        // Waits the back-off itself (the token it returns carries no further delay), or refuses.
        token = await strategy.refreshRetryTokenForRetry(token, info);
      } catch {
        throw error;
      }
      const delay = token.getRetryDelay();
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** How the SDK's retry middleware classifies an error before asking the strategy (`getRetryErrorType`). */
function retryErrorType(error: SdkError): RetryErrorType {
  if (isThrottlingError(error)) return 'THROTTLING';
  if (isTransientError(error)) return 'TRANSIENT';
  if (isServerError(error)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}
