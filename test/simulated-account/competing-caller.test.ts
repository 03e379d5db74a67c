import { DeleteSnapshotCommand } from '@aws-sdk/client-ec2';
import { EC2_DEFAULT_RATE_LIMITS } from '../../local/simulated-account';
import { givenAccount } from '../fixtures/account';

/**
 * Another tool of the account calling DeleteSnapshot on a clock against the same bucket as the
 * product (DeleteSnapshot: 100 tokens, 5 a second). The product's calls name snapshots that do
 * not exist: EC2 admits each (a token), then answers InvalidSnapshot.NotFound.
 */
describe('a competing caller on the same token bucket', () => {
  function given() {
    const setup = givenAccount({ rateLimits: EC2_DEFAULT_RATE_LIMITS });
    // Its clock is not the product's: 37 ms off each whole second.
    setup.sim.addCompetingCaller({ action: 'DeleteSnapshot', perSecond: 1, from: setup.clock.now() + 37 });
    /** The product's calls: `perSecond` DeleteSnapshot calls a second for `seconds`, spread evenly. */
    const product = async (perSecond: number, seconds: number) => {
      for (let call = 0; call < perSecond * seconds; call++) {
        setup.clock.advance(1000 / perSecond);
        const request = new DeleteSnapshotCommand({ SnapshotId: 'snap-00000000000000000' });
        await setup.ec2.send(request).catch(() => undefined);
      }
    };
    return { ...setup, product };
  }

  test('GIVEN nobody else WHEN a minute passes THEN every one of its calls is admitted, one a second', () => {
    const { sim, clock } = given();
    clock.advance(60_000);
    expect(sim.competingCalls()).toEqual([
      { action: 'DeleteSnapshot', perSecond: 1, admitted: 60, throttled: 0 },
    ]);
    expect(sim.calls().CreateSnapshot).toEqual({ succeeded: 0, throttled: 0, failed: 0 });
  });

  test('GIVEN the product at 4 a second (80 % of the refill) WHEN ten minutes pass THEN the competitor is never throttled, nor the product', async () => {
    const { sim, product } = given();
    await product(4, 600);
    expect(sim.competingCalls()).toEqual([
      { action: 'DeleteSnapshot', perSecond: 1, admitted: 600, throttled: 0 },
    ]);
    expect(sim.calls().DeleteSnapshot).toEqual({ succeeded: 0, throttled: 0, failed: 2_400 });
  });

  test('GIVEN the product asking 20 times a second WHEN ten minutes pass THEN it empties the bucket and the competitor is refused most of the time', async () => {
    const { sim, product } = given();
    await product(20, 600);
    const [competitor] = sim.competingCalls();
    expect(competitor.admitted + competitor.throttled).toBe(600);
    expect(competitor.throttled).toBeGreaterThan(400);
    // Together they get the refill and the burst, no more.
    expect(sim.calls().DeleteSnapshot.failed + competitor.admitted).toBeLessThanOrEqual(100 + 5 * 600);
  });

  test('GIVEN an action without a bucket THEN refused: there is nothing to compete for', () => {
    const { sim } = givenAccount();
    expect(() => sim.addCompetingCaller({ action: 'CreateSnapshot', perSecond: 1, from: 0 })).toThrow(
      'A competing caller needs a bucket to compete for: CreateSnapshot has none',
    );
  });
});
