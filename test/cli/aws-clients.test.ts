import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { RetryErrorType } from '@smithy/types';
import { awsClients } from '../../cli/aws';
import {
  MAX_ATTEMPTS,
  MAX_BACKOFF_MS,
  MAX_THROTTLED_WAIT_MS,
  OperatorRetryStrategy,
} from '../../cli/retry-strategy';
import { REQUEST_TIMEOUT_MS } from '../../lambdas/commons/function-limits';
import { VirtualClock } from '../../local/runner/virtual-clock';
import { SimulatedAccount, simulatedEc2Endpoint } from '../../local/simulated-account';
import { ec2Error } from '../../local/simulated-account/ec2-errors';
import { silentEndpoint, withEnv } from '../fixtures/endpoints';

const ENDPOINT = 'http://ec2.simulated.test:4566';

/** The waits (in virtual time) the strategy makes, retry after retry, until it refuses. */
async function waits(error: unknown, errorType: RetryErrorType, random = () => 0.999_999): Promise<number[]> {
  const clock = VirtualClock.install(0);
  try {
    const strategy = new OperatorRetryStrategy(random);
    let token = await strategy.acquireInitialRetryToken();
    const granted: number[] = [];
    for (;;) {
      const before = Date.now();
      try {
        token = await clock.settle(
          strategy.refreshRetryTokenForRetry(token, { error: error as never, errorType }),
        );
      } catch {
        return granted;
      }
      expect(token.getRetryDelay()).toBe(0);
      granted.push(Date.now() - before);
    }
  } finally {
    clock.uninstall();
  }
}

/** An EC2 client of the operator tools whose requests a simulated account answers, in virtual time. */
async function onSimulatedEndpoint<T>(account: SimulatedAccount, body: (ec2: EC2Client) => Promise<T>) {
  const endpoint = simulatedEc2Endpoint(account, ENDPOINT);
  return withEnv({ AWS_ENDPOINT_URL_EC2: ENDPOINT }, async () => {
    const clock = VirtualClock.install(Date.now());
    try {
      const started = Date.now();
      // Jitter pinned at half of each wait's ceiling, so that the figures printed repeat.
      const clients = awsClients({ region: 'us-east-1' }, new OperatorRetryStrategy(() => 0.5));
      const result = await clock.settle(body(endpoint.connect(clients.ec2())));
      return { result, virtualMs: Date.now() - started };
    } finally {
      clock.uninstall();
    }
  });
}

describe('the operator tools retry what AWS answers "slow down" to, and nothing unanswered (cli/aws.ts)', () => {
  it('GIVEN throttling answers WHEN retried THEN full-jitter waits doubling from 1 s, at most 20 s, and MAX_ATTEMPTS attempts in all', async () => {
    const granted = await waits(ec2Error('RequestLimitExceeded', 'Request limit exceeded.'), 'THROTTLING');
    expect(granted).toEqual([999, 1_999, 3_999, 7_999, 15_999, 19_999, 19_999]);
    expect(granted).toHaveLength(MAX_ATTEMPTS - 1);
    expect(Math.max(...granted)).toBeLessThan(MAX_BACKOFF_MS);
    expect(await waits(ec2Error('RequestLimitExceeded', 'x'), 'THROTTLING', () => 0)).toEqual(
      new Array(MAX_ATTEMPTS - 1).fill(0),
    );
  });

  it('GIVEN a 5xx answer WHEN retried THEN waits doubling from 50 ms', async () => {
    expect(await waits(ec2Error('InternalError', 'An internal error has occurred.'), 'TRANSIENT')).toEqual([
      49, 99, 199, 399, 799, 1_599, 3_199,
    ]);
  });

  it.each([
    [
      'a request timeout (no answer)',
      Object.assign(new Error('exceeded the configured 10000 ms requestTimeout'), {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      }),
      'TRANSIENT',
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'TRANSIENT',
    ],
    [
      'a 503 page that is not AWS',
      Object.assign(new Error('Deserialization refused'), {
        name: 'NotAnAwsAnswer',
        $metadata: { httpStatusCode: 503 },
      }),
      'TRANSIENT',
    ],
    [
      'a denial',
      ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'),
      'CLIENT_ERROR',
    ],
    ['a 501 answer', ec2Error('NotImplemented', 'Not implemented.', 501), 'SERVER_ERROR'],
  ] as const)(
    'GIVEN %s WHEN asked to retry THEN it refuses: one attempt',
    async (_case, error, errorType) => {
      expect(await waits(error, errorType)).toEqual([]);
    },
  );

  it('GIVEN a request waiting to be retried WHEN the strategy is stopped THEN the wait ends now, the request is not retried, no timer is left', async () => {
    const clock = VirtualClock.install(0);
    try {
      const strategy = new OperatorRetryStrategy(() => 0.5);
      const token = await strategy.acquireInitialRetryToken();
      const throttled = {
        error: ec2Error('RequestLimitExceeded', 'x') as never,
        errorType: 'THROTTLING' as const,
      };
      const waiting = strategy.refreshRetryTokenForRetry(token, throttled).then(
        () => 'retried',
        () => 'refused',
      );
      expect(clock.pendingTimers()).toBe(1);
      strategy.stop();
      expect(await waiting).toBe('refused');
      expect(Date.now()).toBe(0);
      expect(clock.pendingTimers()).toBe(0);
      await expect(strategy.refreshRetryTokenForRetry(token, throttled)).rejects.toThrow();
    } finally {
      clock.uninstall();
    }
  });

  it('GIVEN every client of the operator tools WHEN made THEN each has this strategy and reports MAX_ATTEMPTS', async () => {
    const clients = awsClients({ region: 'us-east-1' });
    for (const client of [
      clients.ec2(),
      clients.ec2In('eu-west-1'),
      clients.sfn(),
      clients.cloudFormation(),
      clients.s3(),
    ]) {
      expect(await client.config.retryStrategy()).toBeInstanceOf(OperatorRetryStrategy);
      expect(await client.config.maxAttempts()).toBe(MAX_ATTEMPTS);
    }
  });

  it('GIVEN an endpoint that throttles 20 % of calls WHEN 200 calls are made through the SDK THEN all succeed, each throttle retried once more', async () => {
    const account = new SimulatedAccount({ ec2: { seed: 14 } });
    account.ec2.injectFault({ action: 'DescribeInstances', error: 'RequestLimitExceeded', probability: 0.2 });
    const { result: outputs, virtualMs } = await onSimulatedEndpoint(account, async (ec2) => {
      const answers = [];
      for (let i = 0; i < 200; i++) answers.push(await ec2.send(new DescribeInstancesCommand({})));
      return answers;
    });
    const { succeeded, throttled } = account.ec2.calls().DescribeInstances;
    const attempts = outputs.map((o) => o.$metadata.attempts ?? 0);
    process.stdout.write(
      `20 % throttling: 200 calls, ${throttled} throttled answers, at most ${Math.max(...attempts)} attempts for one call, ${virtualMs} ms of backoff (virtual)\n`,
    );
    expect(succeeded).toBe(200);
    expect(throttled).toBeGreaterThan(0);
    expect(attempts.reduce((sum, n) => sum + n, 0)).toBe(succeeded + throttled);
  });

  it('GIVEN a call throttled on every attempt WHEN made THEN RequestLimitExceeded after MAX_ATTEMPTS attempts, within MAX_THROTTLED_WAIT_MS', async () => {
    const account = new SimulatedAccount();
    account.ec2.injectFault({
      action: 'DescribeInstances',
      error: 'RequestLimitExceeded',
      times: MAX_ATTEMPTS,
    });
    const { result: error, virtualMs } = await onSimulatedEndpoint(account, (ec2) =>
      ec2.send(new DescribeInstancesCommand({})).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    expect(error).toMatchObject({ name: 'RequestLimitExceeded', $metadata: { attempts: MAX_ATTEMPTS } });
    expect(account.ec2.calls().DescribeInstances.throttled).toBe(MAX_ATTEMPTS);
    expect(virtualMs).toBeLessThanOrEqual(MAX_THROTTLED_WAIT_MS);
  });

  it('GIVEN an endpoint that accepts and never answers WHEN a call is made THEN it fails once, at the request timeout, with no second attempt', async () => {
    const endpoint = await silentEndpoint();
    const clock = VirtualClock.install(Date.now());
    try {
      await withEnv({ AWS_ENDPOINT_URL_EC2: endpoint.url }, async () => {
        const ec2 = awsClients({ region: 'us-east-1' }).ec2();
        const started = Date.now();
        let outcome: unknown;
        let endedAt = 0;
        ec2.send(new DescribeInstancesCommand({})).then(
          () => {
            outcome = 'answered';
          },
          (error: unknown) => {
            outcome = error;
            endedAt = Date.now();
          },
        );
        // The connection and the request are real I/O; only then does (virtual) time pass.
        while (endpoint.received() < 1) await new Promise(setImmediate);
        await clock.advance(REQUEST_TIMEOUT_MS);
        for (let i = 0; i < 20 && outcome === undefined; i++) await new Promise(setImmediate);
        ec2.destroy();
        expect(outcome).toMatchObject({ name: 'TimeoutError', $metadata: { attempts: 1 } });
        expect(endedAt - started).toBe(REQUEST_TIMEOUT_MS);
        expect(endpoint.connections().accepted).toBe(1);
      });
    } finally {
      clock.uninstall();
      await endpoint.close();
    }
  });
});
