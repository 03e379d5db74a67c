import { ManualClock } from '../../local/simulated-account/manual-clock';
import { TokenBucket } from '../../local/simulated-account/token-bucket';

function drain(bucket: TokenBucket): number {
  let taken = 0;
  while (bucket.tryTake()) taken += 1;
  return taken;
}

describe('TokenBucket', () => {
  test('GIVEN a full bucket WHEN drained THEN it gives exactly its capacity', () => {
    const clock = new ManualClock();

    expect(drain(new TokenBucket({ capacity: 7, refillPerSecond: 1 }, clock.now))).toBe(7);
  });

  test('GIVEN an empty bucket WHEN time passes THEN it refills at its rate, fractions included, up to capacity', () => {
    const clock = new ManualClock();
    const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 4 }, clock.now);
    drain(bucket);

    clock.advance(100);
    const afterTenthOfSecond = bucket.tryTake();
    clock.advance(400);
    const afterHalfSecond = bucket.available();
    clock.advance(60_000);

    expect(afterTenthOfSecond).toBe(false);
    expect(afterHalfSecond).toBeCloseTo(2);
    expect(bucket.available()).toBe(10);
  });

  test('GIVEN the clock was installed after the bucket WHEN it jumps back THEN the bucket neither refills nor breaks', () => {
    let now = Date.UTC(2030, 0, 1);
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1 }, () => now);
    drain(bucket);

    now = Date.UTC(2025, 0, 1);
    const afterJumpBack = bucket.tryTake();
    now += 1000;

    expect(afterJumpBack).toBe(false);
    expect(bucket.tryTake()).toBe(true);
  });
});
