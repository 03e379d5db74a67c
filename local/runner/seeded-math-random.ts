import { mulberry32 } from '../seeded-random';

/**
 * `Math.random` replaced by a seeded generator for the length of one run, so that every random
 * draw in the process is the same from one run to the next: the FULL jitter of Step Functions'
 * Retry as aws-local-stepfunctions computes it (its `shouldRetry` calls `getRandomNumber(0,
 * wait)`, whose generator defaults to `Math.random` and cannot be given one; 3.0.0,
 * build/main.node.cjs), the handlers' throttle back-off (`retryThrottled` draws from
 * `Math.random` unless its clock brings a `random`), and the SDK's own retry strategy
 * (`DefaultRetryBackoffStrategy` in @smithy/core/retry draws from `Math.random`). The draws
 * follow one another in the order the run makes them; under the virtual clock that order is the
 * same every time, so the same seed gives the same waits.
 *
 * Install it around the run, as `VirtualClock` is, and uninstall it in a `finally`: outside a
 * run, `Math.random` is the process's own again.
 */
export class SeededMathRandom {
  private constructor(private readonly original: () => number) {}

  static install(seed: number): SeededMathRandom {
    if (!Number.isSafeInteger(seed)) throw new Error(`A seed is a whole number, got ${seed}`);
    const installed = new SeededMathRandom(Math.random);
    Math.random = mulberry32(seed);
    return installed;
  }

  uninstall(): void {
    Math.random = this.original;
  }
}
