import { CallPace, EnvironmentPace } from '../../lambdas/aws/call-pace';
import { callIntervalEnv } from '../../lambdas/commons/env';
import { callIntervalMs } from '../../lambdas/contracts/rate-share';
import { mulberry32 } from '../../local/seeded-random';

/** A clock whose sleeps pass at once, and the call log of one invocation on it. */
function manualClock(start = 0) {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms: number) => {
      now += ms;
    },
    pass: (ms: number) => {
      now += ms;
    },
  };
}

const throttled = () => Object.assign(new Error('throttled'), { name: 'Ec2Throttled' });

describe('callIntervalMs: each child’s time per mutating call, so that the fan-out keeps to its share', () => {
  test.each([
    ['CreateSnapshot', 5, 80, 1_250],
    ['DeleteSnapshot', 5, 100, 1_000],
    ['CopySnapshot', 20, 80, 5_000],
    ['CreateSnapshot', 1, 10, 2_000],
    ['DeleteSnapshot', 3, 70, 858],
  ] as const)('GIVEN %s, %i children and %i %% THEN %i ms', (action, concurrency, share, interval) => {
    expect(callIntervalMs(action, concurrency, share)).toBe(interval);
  });
});

describe('callIntervalEnv: the pace from the environment the deployment sets', () => {
  test('GIVEN the share and the fan-out concurrency THEN the interval', () => {
    expect(callIntervalEnv('CreateSnapshot', { EC2_RATE_SHARE: '80', FAN_OUT_CONCURRENCY: '5' })).toBe(1_250);
  });

  test.each([
    [
      { FAN_OUT_CONCURRENCY: '5' },
      'Environment variable EC2_RATE_SHARE is not set; the deployment must provide it',
    ],
    [
      { EC2_RATE_SHARE: '80', FAN_OUT_CONCURRENCY: 'five' },
      'Environment variable FAN_OUT_CONCURRENCY must be a whole number of at least 1, got "five"',
    ],
    [
      { EC2_RATE_SHARE: '180', FAN_OUT_CONCURRENCY: '5' },
      'Environment variable EC2_RATE_SHARE is a percentage, at most 100, got 180',
    ],
    [
      { EC2_RATE_SHARE: '10', FAN_OUT_CONCURRENCY: '20' },
      "Environment variables FAN_OUT_CONCURRENCY (20) and EC2_RATE_SHARE (10) pace DeleteSnapshot at one call every 40000 ms, more than the 20000 ms the function's time budget allows",
    ],
  ])('GIVEN %j THEN refused, naming the variable', (env, message) => {
    expect(() => callIntervalEnv('DeleteSnapshot', env)).toThrow(message);
  });
});

describe('CallPace: one invocation’s mutating calls, one per interval from its anchor', () => {
  const INTERVAL = 1_250;

  /** An environment whose previous invocation ended at `lastEnd`. */
  const endedAt = (lastEnd: number) => Object.assign(new EnvironmentPace(), { lastEnd });

  test('GIVEN an environment whose last invocation ended 310 ms ago and one quick call THEN the invocation ends an interval after that end', async () => {
    const clock = manualClock(10_310);
    const environment = endedAt(10_000);
    const pace = new CallPace(INTERVAL, clock, environment);
    await pace.paced(async () => clock.pass(400));
    await pace.finish();
    expect(clock.now()).toBe(10_000 + INTERVAL);
    expect(environment.lastEnd).toBe(10_000 + INTERVAL);
  });

  test('GIVEN an environment idle for an interval or more THEN the count starts with the invocation', async () => {
    const clock = manualClock(20_000);
    const pace = new CallPace(INTERVAL, clock, endedAt(20_000 - INTERVAL));
    await pace.paced(async () => clock.pass(400));
    await pace.finish();
    expect(clock.now()).toBe(20_000 + INTERVAL);
  });

  test('GIVEN a new environment THEN the count starts with the invocation; three calls start an interval apart and the invocation ends three intervals in', async () => {
    const clock = manualClock(0);
    const pace = new CallPace(INTERVAL, clock);
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) await pace.paced(async () => starts.push(clock.now()));
    await pace.finish();
    expect(starts).toEqual([0, INTERVAL, 2 * INTERVAL]);
    expect(clock.now()).toBe(3 * INTERVAL);
  });

  test('GIVEN a throttled attempt THEN it does not count: its retry may go at once, and only the call EC2 took counts', async () => {
    const clock = manualClock(0);
    const pace = new CallPace(INTERVAL, clock);
    await expect(pace.paced(async () => Promise.reject(throttled()))).rejects.toThrow('throttled');
    await pace.paced(async () => clock.pass(100));
    expect(clock.now()).toBe(100);
    await pace.finish();
    expect(clock.now()).toBe(INTERVAL);
  });

  test('GIVEN a call that fails otherwise (it may have taken a token) THEN it counts', async () => {
    const clock = manualClock(0);
    const pace = new CallPace(INTERVAL, clock);
    await expect(pace.paced(async () => Promise.reject(new Error('InternalError')))).rejects.toThrow();
    await pace.finish();
    expect(clock.now()).toBe(INTERVAL);
  });

  test("GIVEN no call (a look-up found the snapshot, a dry run) THEN nothing to wait out, and its end is the environment's last", async () => {
    const clock = manualClock(5);
    const environment = endedAt(0);
    await new CallPace(INTERVAL, clock, environment).finish();
    expect(clock.now()).toBe(5);
    expect(environment.lastEnd).toBe(5);
  });

  test('GIVEN interval 0 THEN nothing is paced', async () => {
    const clock = manualClock(0);
    const pace = new CallPace(0, clock);
    await pace.paced(async () => undefined);
    await pace.paced(async () => undefined);
    await pace.finish();
    expect(clock.now()).toBe(0);
  });

  /** The most calls (times) any stretch of `window` ms holds. */
  function busiest(times: number[], window: number): number {
    const sorted = [...times].sort((a, b) => a - b);
    let first = 0;
    let most = 0;
    for (let last = 0; last < sorted.length; last++) {
      while (sorted[last] - sorted[first] >= window) first++;
      most = Math.max(most, last - first + 1);
    }
    return most;
  }

  /**
   * The fan-out's guarantee. `concurrency` slots run invocations one after another, with random
   * time between them (Step Functions, a child's start, a retry, now and then a long pause); each
   * runs in whichever of `concurrency` execution environments is free (at most that many
   * invocations run at once, so one always is) and makes a few calls of random length, now and
   * then a backlog's slice of ten. Whatever those times and that choice, no environment makes
   * more than one call per interval over any stretch of time, so the fan-out makes at most
   * concurrency × (stretch ÷ interval + 1): it stays at its share.
   */
  test('GIVEN 5 slots over 5 environments with random timings THEN no stretch of time holds more calls than the share allows', async () => {
    const random = mulberry32(42);
    const concurrency = 5;
    const environments = Array.from({ length: concurrency }, () => ({
      pace: new EnvironmentPace(),
      freeAt: 0,
      calls: [] as number[],
    }));
    const slots = Array.from({ length: concurrency }, () => Math.floor(random() * 1_000));
    for (let invocation = 0; invocation < 2_000; invocation++) {
      const slot = slots.indexOf(Math.min(...slots));
      const start = slots[slot];
      const free = environments.filter((e) => e.freeAt <= start);
      const environment = free[Math.floor(random() * free.length)];
      const clock = manualClock(start);
      const pace = new CallPace(INTERVAL, clock, environment.pace);
      const made = random() < 0.1 ? 10 : Math.floor(random() * 3);
      for (let call = 0; call < made; call++) {
        await pace.paced(async () => {
          environment.calls.push(clock.now());
          clock.pass(Math.floor(random() * 900));
        });
      }
      await pace.finish();
      environment.freeAt = clock.now();
      slots[slot] = clock.now() + Math.floor(random() * (random() < 0.1 ? 20_000 : 700));
    }
    const all = environments.flatMap((e) => e.calls);
    expect(all.length).toBeGreaterThan(2_000);
    for (const window of [INTERVAL, 10 * INTERVAL, 100 * INTERVAL]) {
      for (const { calls } of environments)
        expect(busiest(calls, window)).toBeLessThanOrEqual(window / INTERVAL + 1);
      expect(busiest(all, window)).toBeLessThanOrEqual(concurrency * (window / INTERVAL + 1));
    }
  });
});
