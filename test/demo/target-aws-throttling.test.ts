import {
  type BucketSpec,
  EC2_ACTIONS,
  EC2_DEFAULT_RATE_LIMITS,
  type RateLimits,
  type SimulatedEc2,
} from '../../local/simulated-account';
import { runOnEndpoint } from '../fixtures/demo-cli';
import { givenLiveFleet, type LiveFleet, managedByVolume } from '../fixtures/live-account';

/**
 * `npm start -- --target aws` against an EC2 endpoint that throttles as EC2 does: with
 * RequestLimitExceeded (HTTP 503), answered to the SDK's own middleware (`runOnEndpoint`). The
 * plan's calls are retried by the operator clients' strategy (cli/retry-strategy.ts), the
 * workflow's by its steps and the state machine's Retry. Virtual time: the waits cost nothing.
 */

/**
 * EC2's default token buckets at 1/20 of their size and refill (describes: 5 tokens, 1 a second;
 * 2.5 and 0.5 unfiltered and unpaginated).
 */
const scaledDown = (buckets: Readonly<Record<string, BucketSpec>>) =>
  Object.fromEntries(
    Object.entries(buckets).map(([action, bucket]) => [
      action,
      { capacity: bucket.capacity / 20, refillPerSecond: bucket.refillPerSecond / 20 },
    ]),
  );
const SCALED_DOWN: RateLimits = {
  buckets: scaledDown(EC2_DEFAULT_RATE_LIMITS.buckets),
  unfilteredUnpaginated: scaledDown(EC2_DEFAULT_RATE_LIMITS.unfilteredUnpaginated),
};

function throttleEveryAction(sim: SimulatedEc2, probability: number): void {
  for (const action of EC2_ACTIONS) sim.injectFault({ action, error: 'RequestLimitExceeded', probability });
}

function totals(sim: SimulatedEc2) {
  const counts = Object.values(sim.calls());
  return {
    succeeded: counts.reduce((n, c) => n + c.succeeded, 0),
    throttled: counts.reduce((n, c) => n + c.throttled, 0),
  };
}

interface RunDocument {
  plan: { tonight: string; volumes: { volumeId: string; delete: string[] }[] };
  runs: { status: string; volumes: { volumeId: string; created?: string; deleted: string[] }[] }[];
}

/**
 * THEN: the run succeeded (so every new snapshot completed before its volume was pruned), and
 * each volume keeps its newer earlier snapshot and the new one: the older is gone.
 */
function expectBackedUp(fleet: LiveFleet, doc: RunDocument): void {
  expect(doc.runs.map((r) => r.status)).toEqual(['SUCCEEDED']);
  const managed = managedByVolume(fleet.sim);
  for (const [volumeId, earlier] of fleet.history) {
    const row = doc.runs[0].volumes.find((v) => v.volumeId === volumeId);
    expect(row?.deleted).toEqual([earlier[0]]);
    expect(managed.get(volumeId)).toEqual([earlier[1], row?.created]);
  }
}

/** Each volume's deletions, by volume ID. */
const byVolume = (rows: { volumeId: string; delete: string[] }[]) =>
  rows.map((v): [string, string[]] => [v.volumeId, v.delete]).sort(([a], [b]) => a.localeCompare(b));

describe('npm start -- --target aws survives throttling (issue 14, item 4)', () => {
  it('GIVEN an endpoint that throttles 20 % of every EC2 action WHEN the plan is shown THEN it is complete, exit 0', async () => {
    const fleet = givenLiveFleet({ instances: 6, seed: 20 });
    throttleEveryAction(fleet.sim, 0.2);
    const run = await runOnEndpoint(fleet.account, ['--target', 'aws', '--json'], { virtualTime: true });
    const calls = totals(fleet.sim);
    process.stdout.write(
      `plan under 20 % throttling: ${calls.succeeded + calls.throttled} EC2 calls, ${calls.throttled} throttled, exit ${run.code}\n`,
    );
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as RunDocument;
    expect(doc.plan.tonight).toBe('SUCCEEDED');
    expect(byVolume(doc.plan.volumes)).toEqual(
      byVolume([...fleet.history].map(([volumeId, earlier]) => ({ volumeId, delete: [earlier[0]] }))),
    );
    expect(calls.throttled).toBeGreaterThan(0);
  });

  it.each([
    ['throttles 20 % of every EC2 action', { instances: 6, seed: 20 }, 0.2],
    ["has EC2's buckets at 1/20", { instances: 6, rateLimits: SCALED_DOWN }, 0],
  ] as const)(
    'GIVEN an endpoint that %s WHEN --live --yes THEN the run completes: exit 0, every volume backed up and pruned',
    async (_case, given, probability) => {
      const fleet = givenLiveFleet(given);
      if (probability > 0) throttleEveryAction(fleet.sim, probability);
      const started = Date.now();
      const run = await runOnEndpoint(fleet.account, ['--target', 'aws', '--live', '--yes', '--json'], {
        virtualTime: true,
      });
      const calls = totals(fleet.sim);
      process.stdout.write(
        `--live, endpoint that ${_case}: ${calls.succeeded + calls.throttled} EC2 calls, ${calls.throttled} throttled (the workflow's jitter is unseeded: counts vary a little from run to run), exit ${run.code}, ${Math.round((Date.now() - started) / 1000)} s of real time\n`,
      );
      expect(run.code).toBe(0);
      expectBackedUp(fleet, JSON.parse(run.stdout) as RunDocument);
      expect(calls.throttled).toBeGreaterThan(0);
    },
  );

  it('GIVEN a plan denied on one volume while the others wait to be retried WHEN the refusal is printed THEN nothing is left running: no timer, no volume started after it, exit 2', async () => {
    const fleet = givenLiveFleet({ instances: 6 });
    // Of the first four volumes planned at once, two wait to be retried, one is denied, one goes on.
    fleet.sim.injectFault({ action: 'DescribeSnapshots', error: 'RequestLimitExceeded', times: 2 });
    fleet.sim.injectFault({ action: 'DescribeSnapshots', error: 'UnauthorizedOperation', times: 1 });
    const run = await runOnEndpoint(fleet.account, ['--target', 'aws'], { virtualTime: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ebs-backup-local: ec2:DescribeSnapshots was denied/);
    expect(run.timersLeft).toBe(0);
    const listings = run.requests.filter((r) => r.action === 'DescribeSnapshots');
    expect(listings.length).toBeLessThan(fleet.history.size);
  });
});

describe('npm start -- --target aws --live: phases as they are written (issue 14, item 5)', () => {
  const phases = /^ {2}(Discover|SnapshotVolumes|AwaitSnapshots|PruneVolumes|Summarise)\b/;

  it.each([
    [false, 'to a file or a pipe: one line per phase, its summary'],
    [true, 'to a terminal: each phase announced as it starts, then its summary'],
  ])(
    'GIVEN stdin a terminal: %s WHEN a live run is shown THEN %s, and counts read in the singular for one',
    async (isTTY) => {
      const fleet = givenLiveFleet({ instances: 2, seed: 7 });
      const run = await runOnEndpoint(fleet.account, ['--target', 'aws', '--live', '--yes'], {
        virtualTime: true,
        isTTY,
      });
      expect(run.code).toBe(0);
      const lines = run.stdout.split('\n').filter((line) => phases.test(line));
      const names = lines.map((line) => (phases.exec(line) as RegExpExecArray)[1]);
      // Summaries: SnapshotVolumes ends first; the pruning loop, which started beside it, ends after.
      const once = ['Discover', 'SnapshotVolumes', 'AwaitSnapshots', 'PruneVolumes', 'Summarise'];
      // Announcements: the pruning loop's first poll starts with the snapshot fan-out.
      const announced = ['Discover', 'AwaitSnapshots', 'SnapshotVolumes', 'PruneVolumes', 'Summarise'];
      expect(names.filter((name, i) => names.indexOf(name) === i)).toEqual(isTTY ? announced : once);
      if (!isTTY) expect(names).toEqual(once);
      else expect(names.length).toBeGreaterThan(once.length);
      expect(run.stdout).not.toMatch(/\b1 polls\b/);
    },
  );
});
