import type { Snapshot } from '@aws-sdk/client-ec2';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { seedBenchFleet } from '../../local/benchmark/bench-fleet';
import { EC2_DEFAULT_RATE_LIMITS } from '../../local/simulated-account';
import { StateName } from '../../statemachine/names';
import { givenWorkflow, START } from '../fixtures/workflow';

const MINUTE = 60_000;
const VOLUMES = 750;

/**
 * Issue 16, end-to-end: PruneVolumes no longer waits for every snapshot. On the real definition,
 * under EC2's request rates (5 CreateSnapshot a second: 750 volumes take some 130 s to snapshot),
 * pruning starts while snapshots are still being made, and still no volume loses an old
 * generation before its own new snapshot completed (SPEC §3.1, §3.3): checked at each deletion,
 * against the account itself.
 */
describe('pruning beside the snapshot fan-out (SnapshotAndPrune)', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  const tag = (s: Snapshot, key: string) => s.Tags?.find((t) => t.Key === key)?.Value;

  it(`GIVEN ${VOLUMES} volumes at N=3 with 3 generations each, one in ten of whose new snapshots takes 15 min WHEN run THEN deletions start long before the last snapshot is made, each volume's only after its own new snapshot completed, each volume in exactly one PruneVolumes Map Run`, async () => {
    world = givenWorkflow({ completionDelayMs: 10_000, rateLimits: EC2_DEFAULT_RATE_LIMITS });
    const { tagKey, managedBy } = world.deployment;
    seedBenchFleet(world.account, { volumes: VOLUMES, tagKey, managedBy, start: START });
    const volumeOf = new Map(
      world.sim.allSnapshots().map((s) => [s.SnapshotId, tag(s, SnapshotTag.volumeId) as string]),
    );
    const volumeIds = [...new Set(volumeOf.values())];
    const slow = new Set(volumeIds.filter((_, i) => i % 10 === 0));
    for (const volumeId of slow) {
      world.sim.setSnapshotOutcome(volumeId, 'completed', { completionDelayMs: 15 * MINUTE });
    }

    // What the functions ask EC2, as they ask it: each snapshot made, and each one deleted with
    // where its volume's new snapshot stood when the deletion was asked for (throttled calls left out).
    const created: number[] = [];
    const deletions: { at: number; volumeId: string; ownSnapshot?: string }[] = [];
    const ec2 = world.clients.ec2;
    const send = ec2.send.bind(ec2) as (command: object) => Promise<unknown>;
    (ec2 as { send: unknown }).send = async (command: { constructor: { name: string }; input?: unknown }) => {
      const action = command.constructor.name;
      const at = Date.now();
      const snapshotId = (command.input as { SnapshotId?: string }).SnapshotId ?? '';
      const volumeId = volumeOf.get(snapshotId) as string;
      const own =
        action === 'DeleteSnapshotCommand'
          ? world.sim.snapshotsOf(volumeId).find((s) => tag(s, SnapshotTag.execution) === 'run-1')?.State
          : undefined;
      const answer = await send(command);
      if (action === 'CreateSnapshotCommand') created.push(Date.now());
      if (action === 'DeleteSnapshotCommand') deletions.push({ at, volumeId, ownSnapshot: own });
      return answer;
    };

    const result = await world.run();

    expect(result.status).toBe('SUCCEEDED');
    const lastCreated = Math.max(...created);
    expect(created).toHaveLength(VOLUMES);
    // One old generation of each volume goes (N=3, a fourth made): every one of them...
    expect(deletions.map((d) => d.volumeId).sort()).toEqual([...volumeIds].sort());
    // ...only once that volume's own new snapshot completed (SPEC §3.1, §3.3).
    expect(deletions.filter((d) => d.ownSnapshot !== 'completed')).toEqual([]);
    // Pruning began while SnapshotVolumes still had a minute of snapshots to make.
    const firstDeletion = Math.min(...deletions.map((d) => d.at));
    expect(lastCreated - firstDeletion).toBeGreaterThan(MINUTE);
    // The slow volumes were pruned in later batches, after their own 15 minutes.
    const slowDeletions = deletions.filter((d) => slow.has(d.volumeId));
    expect(Math.min(...slowDeletions.map((d) => d.at)) - START).toBeGreaterThanOrEqual(15 * MINUTE);
    // Several Map Runs of PruneVolumes, each volume's prune child in exactly one of them.
    const runs = result.mapRuns[StateName.pruneVolumes];
    expect(runs.length).toBeGreaterThan(1);
    const pruned = runs.flatMap((run) =>
      run.children.map((child) => JSON.parse(child?.result.Input ?? '{}').volume.volumeId as string),
    );
    expect(pruned.sort()).toEqual([...volumeIds].sort());
  });
});
