import { startEngineRun } from '../../local/runner/engine-run';
import { asLambdaTask } from '../../local/runner/lambda-task';
import { SeededMathRandom } from '../../local/runner/seeded-math-random';
import { VirtualClock } from '../../local/runner/virtual-clock';

describe('SeededMathRandom: the Retry jitter of a local run is the same from one run to the next', () => {
  const execution = {
    name: 'child-0',
    arn: 'arn:aws:states:us-east-1:123456789012:execution:sm:child-0',
    redriveCount: 0,
    startTime: '2025-01-01T03:00:00.000Z',
  };
  /** A Task that fails four times, retried with FULL jitter: each wait is drawn at random. */
  const definition = {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work',
        Retry: [
          {
            ErrorEquals: ['Flaky'],
            IntervalSeconds: 10,
            MaxAttempts: 4,
            BackoffRate: 2,
            JitterStrategy: 'FULL',
          },
        ],
        End: true,
      },
    },
  };

  /** The virtual times (ms after the start) at which the engine ran the Task, with `seed` installed or none. */
  async function attemptTimes(seed?: number): Promise<number[]> {
    const start = Date.UTC(2025, 0, 1);
    const clock = VirtualClock.install(start);
    const random = seed === undefined ? undefined : SeededMathRandom.install(seed);
    try {
      const times: number[] = [];
      const work = asLambdaTask(async () => {
        times.push(Date.now() - start);
        if (times.length < 5) throw Object.assign(new Error('again'), { name: 'Flaky' });
        return {};
      });
      const run = startEngineRun({ definition, input: {}, execution, handlers: { Work: work } });
      expect(await clock.settle(run.outcome)).toEqual({ status: 'SUCCEEDED', output: {} });
      return times;
    } finally {
      random?.uninstall();
      clock.uninstall();
    }
  }

  it('GIVEN the same seed THEN the engine waits the same between attempts; GIVEN another seed THEN other waits', async () => {
    const first = await attemptTimes(7);
    expect(await attemptTimes(7)).toEqual(first);
    expect(await attemptTimes(8)).not.toEqual(first);
    // The waits are drawn, not fixed: each within its FULL jitter interval (10, 20, 40, 80 s).
    const waits = first.slice(1).map((time, i) => time - first[i]);
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThanOrEqual(10_000 * 2 ** i);
    });
    expect(new Set(waits.map((wait, i) => wait / (10_000 * 2 ** i))).size).toBe(4);
  });

  it('WHEN uninstalled THEN Math.random is the process’s own again', () => {
    const own = Math.random;
    const seeded = SeededMathRandom.install(1);
    expect(Math.random).not.toBe(own);
    seeded.uninstall();
    expect(Math.random).toBe(own);
  });

  it('GIVEN a seed that is not a whole number THEN it is refused', () => {
    expect(() => SeededMathRandom.install(1.5)).toThrow('A seed is a whole number, got 1.5');
  });
});
