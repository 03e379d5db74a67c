import { DeleteSnapshotCommand } from '@aws-sdk/client-ec2';
import { PLANNED_SNAPSHOT_ID } from '../../lambdas/contracts/run-documents';
import type { VolumeWorkItem } from '../../lambdas/contracts/work-items';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import {
  MAX_LISTED_KEPT,
  MAX_LISTED_SKIPS,
  type PruneSlice,
  pruneVolume,
  pruneVolumeSlice,
} from '../../lambdas/steps/prune-volume';
import { MAX_DELETIONS_PER_INVOCATION } from '../../lambdas/steps/slice-deletions';
import { givenSteps, MANAGED_BY, REGION, rejection, task, workItem } from '../fixtures/steps';

const DAY = 86_400_000;
/** A copy's VolumeId is arbitrary (API_CopySnapshot); EC2 shows this one. Copies are found by tag. */
const COPY_VOLUME_ID = 'vol-ffffffff';
const T0 = Date.UTC(2025, 0, 1);

describe('prune step (SPEC §3)', () => {
  function given(generations = 3) {
    const steps = givenSteps();
    const { volumeIds } = steps.sim.addInstance({ name: 'web', volumes: [{}] });
    const volume = workItem(volumeIds[0], generations);
    // Waits between retries of a throttled deletion pass on the manual clock.
    const deps = {
      ec2: steps.ec2,
      ec2In: steps.ec2In,
      region: REGION,
      managedBy: MANAGED_BY,
      now: steps.clock.now,
      sleep: async (ms: number) => steps.clock.advance(ms),
    };
    /** A snapshot this deployment made on `day` in execution `run-<day>`. */
    const managed = (
      day: number,
      state: 'completed' | 'pending' | 'error' = 'completed',
      of: VolumeWorkItem = volume,
    ) =>
      steps.sim.addSnapshot({
        volumeId: of.volumeId,
        description: of.description,
        state,
        startTime: T0 + day * DAY,
        tags: {
          [SnapshotTag.managedBy]: MANAGED_BY,
          [SnapshotTag.volumeId]: of.volumeId,
          [SnapshotTag.execution]: `run-${day}`,
          [SnapshotTag.runId]: `run-${day}-key`,
        },
      });
    const remaining = () => steps.sim.snapshotsOf(volume.volumeId).map((s) => s.SnapshotId);
    return { ...steps, volume, deps, managed, remaining };
  }

  it("GIVEN 5 completed and N=3 WHEN this run's snapshot completed THEN keeps the newest 3 and deletes 2", async () => {
    const { deps, volume, managed, remaining } = given(3);
    const ids = [1, 2, 3, 4, 5].map((day) => managed(day));
    const result = await pruneVolume(deps, task(volume, 'run-5'));
    expect(result.deleted.sort()).toEqual([ids[0], ids[1]].sort());
    expect(result.kept).toEqual([ids[4], ids[3], ids[2]]);
    expect(remaining().sort()).toEqual(ids.slice(2).sort());
  });

  it('GIVEN pending snapshots of other runs WHEN pruned THEN they are neither counted nor deleted', async () => {
    const { deps, volume, managed, remaining } = given(2);
    const old = managed(1);
    const pending = managed(2, 'pending');
    const mine = managed(3);
    const result = await pruneVolume(deps, task(volume, 'run-3'));
    expect(result.deleted).toEqual([]);
    expect(result.pending).toBe(1);
    expect(remaining().sort()).toEqual([old, pending, mine].sort());
  });

  it('GIVEN managed snapshots in state error WHEN pruned THEN they are deleted', async () => {
    const { deps, volume, managed, remaining } = given(5);
    const failed = managed(1, 'error');
    const mine = managed(2);
    expect((await pruneVolume(deps, task(volume, 'run-2'))).deleted).toEqual([failed]);
    expect(remaining()).toEqual([mine]);
  });

  it("GIVEN a user's own snapshot with the identical description WHEN pruned THEN it is never deleted", async () => {
    const { sim, deps, volume, managed, remaining } = given(1);
    const users = sim.addSnapshot({
      volumeId: volume.volumeId,
      description: volume.description,
      startTime: T0,
    });
    const recipe = sim.addSnapshot({
      volumeId: volume.volumeId,
      description: volume.description,
      startTime: T0 + DAY / 2,
      tags: { [SnapshotTag.managedBy]: 'another-deployment', [SnapshotTag.volumeId]: volume.volumeId },
    });
    managed(1);
    const mine = managed(2);
    await pruneVolume(deps, task(volume, 'run-2'));
    expect(remaining().sort()).toEqual([users, recipe, mine].sort());
  });

  it('GIVEN an old snapshot backing an AMI WHEN pruned THEN skipped with the reason, the rest deleted', async () => {
    const { sim, deps, volume, managed, remaining } = given(1);
    const ami = managed(1);
    sim.registerImage(ami);
    const older = managed(0);
    const mine = managed(2);
    const result = await pruneVolume(deps, task(volume, 'run-2'));
    expect(result.deleted).toEqual([older]);
    expect(result.skipped).toEqual([
      { snapshotId: ami, reason: expect.stringMatching(/^InvalidSnapshot\.InUse: .*ami-/) },
    ]);
    expect(remaining().sort()).toEqual([ami, mine].sort());
  });

  it('GIVEN a snapshot deleted meanwhile WHEN pruned THEN it counts as deleted', async () => {
    const { sim, deps, volume, managed } = given(1);
    const gone = managed(1);
    managed(2);
    sim.injectFault({ action: 'DeleteSnapshot', error: 'InvalidSnapshot.NotFound', snapshotId: gone });
    expect((await pruneVolume(deps, task(volume, 'run-2'))).deleted).toEqual([gone]);
  });

  it.each([
    ['missing', undefined, /created no snapshot/],
    ['in error', 'error' as const, /ended in state error/],
    ['still pending', 'pending' as const, /still pending when the wait ended/],
  ])(
    "GIVEN this run's snapshot is %s WHEN pruned THEN SnapshotNotCompleted and nothing is deleted",
    async (_, state, message) => {
      const { deps, volume, managed, remaining } = given(1);
      const before = [managed(1), managed(2), managed(3)];
      if (state) managed(4, state);
      const error = await rejection(pruneVolume(deps, task(volume, 'run-4')));
      expect(error.name).toBe('SnapshotNotCompleted');
      expect(error.message).toMatch(message);
      expect(error.message).toContain(volume.volumeId);
      expect(remaining()).toEqual(expect.arrayContaining(before));
    },
  );

  describe('snapshots in state error when this run failed (SPEC §3.3, §3.4)', () => {
    it("GIVEN this run's snapshot ended in error and two earlier ones did WHEN pruned THEN SnapshotNotCompleted naming the earlier two, deleted; this run's and every completed one kept", async () => {
      const { deps, volume, managed, remaining } = given(2);
      const completed = [managed(1), managed(2), managed(3)];
      const earlier = [managed(4, 'error'), managed(5, 'error')];
      const mine = managed(6, 'error');
      const error = await rejection(pruneVolume(deps, task(volume, 'run-6')));
      expect(error.name).toBe('SnapshotNotCompleted');
      expect(error.message).toMatch(/ended in state error; older generations kept/);
      expect(error.message).toContain(
        `deleted its 2 other snapshot(s) in state error (${earlier[1]}, ${earlier[0]})`,
      );
      expect(remaining().sort()).toEqual([...completed, mine].sort());
    });

    it('GIVEN this run made no snapshot and five in error fill the volume WHEN pruned THEN all five are deleted, the completed one kept', async () => {
      const { deps, volume, managed, remaining } = given(1);
      const completed = managed(0);
      for (const day of [1, 2, 3, 4, 5]) managed(day, 'error');
      const error = await rejection(pruneVolume(deps, task(volume, 'run-6')));
      expect(error.message).toContain('created no snapshot of it');
      expect(error.message).toContain('deleted its 5 other snapshot(s) in state error');
      expect(remaining()).toEqual([completed]);
    });

    it('GIVEN EC2 refuses to delete the error snapshots WHEN pruned THEN still SnapshotNotCompleted, saying so', async () => {
      const { sim, deps, volume, managed, remaining } = given(1);
      const failed = managed(1, 'error');
      managed(2, 'error');
      sim.injectFault({ action: 'DeleteSnapshot', error: 'UnauthorizedOperation' });
      const error = await rejection(pruneVolume(deps, task(volume, 'run-2')));
      expect(error.name).toBe('SnapshotNotCompleted');
      expect(error.message).toMatch(
        /could not delete its other snapshots in state error \(UnauthorizedOperation/,
      );
      expect(remaining()).toContain(failed);
    });
  });

  it('GIVEN a renamed instance WHEN pruned THEN the older generations under the old name are pruned with the new', async () => {
    const { deps, volume, managed, remaining } = given(2);
    const oldName = { ...volume, description: `Auto Snapshot ${volume.volumeId}(old-name)` };
    const [a, b] = [managed(1, 'completed', oldName), managed(2, 'completed', oldName)];
    const c = managed(3);
    const result = await pruneVolume(deps, task(volume, 'run-3'));
    expect(result.deleted).toEqual([a]);
    expect(remaining().sort()).toEqual([b, c].sort());
  });

  it('GIVEN N lowered from 5 to 2 WHEN pruned THEN 3 are deleted', async () => {
    const { deps, volume, managed } = given(2);
    for (const day of [1, 2, 3, 4, 5]) managed(day);
    expect((await pruneVolume(deps, task(volume, 'run-5'))).deleted).toHaveLength(3);
  });

  it('GIVEN a dry run WHEN planned THEN it lists what a new snapshot would push out, and deletes nothing', async () => {
    const { deps, volume, managed, remaining, clock } = given(2);
    const ids = [1, 2, 3].map((day) => managed(day));
    clock.advance(4 * DAY);
    const result = await pruneVolume(deps, task(volume, 'dry-1', { dryRun: true }));
    expect(result.dryRun).toBe(true);
    expect(result.kept).toEqual([PLANNED_SNAPSHOT_ID, ids[2]]);
    expect(result.deleted.sort()).toEqual([ids[0], ids[1]].sort());
    expect(remaining().sort()).toEqual(ids.sort());
  });

  it('GIVEN a throttled deletion WHEN pruned THEN it is retried in the invocation and the job is done', async () => {
    const { sim, deps, volume, managed, remaining } = given(1);
    managed(1);
    managed(2);
    const mine = managed(3);
    sim.injectFault({ action: 'DeleteSnapshot', error: 'RequestLimitExceeded', times: 2 });
    const result = await pruneVolume(deps, task(volume, 'run-3'));
    expect(result).toMatchObject({ deletedCount: 2, more: false });
    expect(sim.calls().DeleteSnapshot).toMatchObject({ succeeded: 2, throttled: 2 });
    expect(remaining()).toEqual([mine]);
  });

  it('GIVEN throttling that outlasts the slice before any deletion WHEN pruned THEN the retryable Ec2Throttled', async () => {
    const { sim, deps, volume, managed } = given(1);
    managed(1);
    managed(2);
    sim.injectFault({ action: 'DeleteSnapshot', error: 'RequestLimitExceeded', times: 10_000 });
    expect((await rejection(pruneVolume(deps, task(volume, 'run-2')))).name).toBe('Ec2Throttled');
  });

  it('GIVEN a family over many pages WHEN pruned THEN every page is read', async () => {
    const steps = givenSteps({ maxPageSize: 5 });
    const { volumeIds } = steps.sim.addInstance({ volumes: [{}] });
    const volume = workItem(volumeIds[0], 3);
    for (let day = 1; day <= 23; day++) {
      steps.sim.addSnapshot({
        volumeId: volume.volumeId,
        startTime: T0 + day * DAY,
        tags: {
          [SnapshotTag.managedBy]: MANAGED_BY,
          [SnapshotTag.volumeId]: volume.volumeId,
          [SnapshotTag.execution]: `run-${day}`,
          [SnapshotTag.runId]: `run-${day}-key`,
        },
      });
    }
    const result = await pruneVolume(
      { ec2: steps.ec2, ec2In: steps.ec2In, region: REGION, managedBy: MANAGED_BY, now: steps.clock.now },
      task(volume, 'run-23'),
    );
    expect(result.deleted).toHaveLength(20);
    expect(steps.sim.snapshotsOf(volume.volumeId)).toHaveLength(3);
  });

  describe('overlapping runs (SPEC §6.3)', () => {
    it("GIVEN a later run's retention deleted this run's snapshot WHEN pruned THEN superseded, nothing deleted", async () => {
      const { deps, ec2, volume, managed, remaining } = given(1);
      const old = managed(0);
      const mine = managed(1);
      const newer = managed(2);
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: mine })); // the later run, N=1
      const result = await pruneVolume(
        deps,
        task({ ...volume, newSnapshot: { snapshotId: mine, startTime: T0 + DAY } }, 'run-1'),
      );
      expect(result).toMatchObject({ outcome: 'superseded', supersededBy: newer, deletedCount: 0 });
      expect(remaining().sort()).toEqual([old, newer].sort());
    });

    it("GIVEN this run's snapshot is gone and nothing newer exists WHEN pruned THEN SnapshotNotCompleted", async () => {
      const { deps, ec2, volume, managed, remaining } = given(1);
      const old = managed(0);
      const mine = managed(1);
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: mine }));
      const error = await rejection(
        pruneVolume(
          deps,
          task({ ...volume, newSnapshot: { snapshotId: mine, startTime: T0 + DAY } }, 'run-1'),
        ),
      );
      expect(error.name).toBe('SnapshotNotCompleted');
      expect(error.message).toContain(`snapshot ${mine} of this run no longer exists`);
      expect(remaining()).toEqual([old]);
    });
    it("GIVEN the wait failed (no snapshot ID) and a later run superseded this run's WHEN pruned THEN superseded, by the run's start time", async () => {
      const { deps, ec2, volume, managed, remaining } = given(1);
      const old = managed(0);
      const mine = managed(1);
      const newer = managed(2);
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: mine }));
      const runStartedAt = new Date(T0 + DAY - 60_000).toISOString();
      const result = await pruneVolume(deps, task(volume, 'run-1', { runStartedAt }));
      expect(result).toMatchObject({ outcome: 'superseded', supersededBy: newer, deletedCount: 0 });
      expect(remaining().sort()).toEqual([old, newer].sort());
    });

    it('GIVEN the wait failed and only generations older than the run exist WHEN pruned THEN SnapshotNotCompleted, nothing deleted', async () => {
      const { deps, volume, managed, remaining } = given(1);
      const old = managed(0);
      const runStartedAt = new Date(T0 + DAY).toISOString();
      const error = await rejection(pruneVolume(deps, task(volume, 'run-1', { runStartedAt })));
      expect(error.message).toContain('created no snapshot of it');
      expect(remaining()).toEqual([old]);
    });

    it('GIVEN a copy item whose source was superseded before it was copied WHEN pruned THEN superseded at once: no listing, nothing deleted', async () => {
      const { deps, sim, volume } = given(1);
      const before = sim.calls().DescribeSnapshots.succeeded;
      const result = await pruneVolume(
        deps,
        task({ ...volume, region: 'eu-west-1', supersededBy: 'snap-0000000000000newer' }, 'run-1'),
      );
      expect(result).toMatchObject({
        region: 'eu-west-1',
        outcome: 'superseded',
        supersededBy: 'snap-0000000000000newer',
        deletedCount: 0,
      });
      expect(sim.calls().DescribeSnapshots.succeeded).toBe(before);
    });
  });

  describe('a backlog larger than one invocation (declarative continuation)', () => {
    it('GIVEN 250 generations over N=1 WHEN pruned THEN slices of 100 until done, every deletion reported', async () => {
      const { deps, volume, managed, remaining } = given(1);
      const old = Array.from({ length: 250 }, (_, day) => managed(day));
      const mine = managed(250);
      const slices: PruneSlice[] = [];
      let slice: PruneSlice | undefined;
      do {
        const progress = slice?.progress;
        slice = await pruneVolumeSlice(deps, task(volume, 'run-250', { ...(progress && { progress }) }));
        slices.push(slice);
      } while (slice.result.more);
      expect(slices.map((s) => s.result.deletedCount)).toEqual([100, 200, 250]);
      expect(slices.map((s) => s.progress.slices)).toEqual([1, 2, 3]);
      expect(MAX_DELETIONS_PER_INVOCATION).toBe(100);
      expect(slice.result.deleted.sort()).toEqual(old.sort());
      expect(remaining()).toEqual([mine]);
    });

    it("GIVEN throttling past the slice's time after some deletions WHEN pruned THEN the work so far is returned with more to do", async () => {
      const { sim, deps, volume, managed, remaining } = given(1);
      const old = [1, 2, 3, 4, 5].map((day) => managed(day));
      const mine = managed(6);
      // Throttled for longer than the slice's time budget.
      sim.injectFault({
        action: 'DeleteSnapshot',
        error: 'RequestLimitExceeded',
        snapshotId: old[2],
        times: 10_000,
      });
      const first = await pruneVolumeSlice(deps, task(volume, 'run-6'));
      expect(first.result).toMatchObject({ deleted: [old[4], old[3]], deletedCount: 2, more: true });
      sim.clearFaults();
      const second = await pruneVolume(deps, task(volume, 'run-6', { progress: first.progress }));
      expect(second).toMatchObject({ deletedCount: 5, more: false });
      expect(second.deleted.sort()).toEqual(old.sort());
      expect(remaining()).toEqual([mine]);
    });

    it('GIVEN a snapshot in use WHEN a backlog continues THEN it is not tried again in the next slice', async () => {
      const { sim, deps, volume, managed } = given(1);
      const inUse = managed(0);
      sim.registerImage(inUse);
      managed(1);
      const first = await pruneVolumeSlice(deps, task(volume, 'run-1'));
      sim.resetCalls();
      const again = await pruneVolume(deps, task(volume, 'run-1', { progress: first.progress }));
      expect(sim.calls().DeleteSnapshot.failed).toBe(0);
      expect(again.skipped).toEqual(first.result.skipped);
    });

    it('GIVEN N=1,000 and 150 old snapshots in use WHEN a slice prunes THEN every list is bounded, every count exact, the result a few KB', async () => {
      const { sim, deps, volume, managed } = given(1000);
      const inUse = Array.from({ length: 150 }, (_, day) => managed(day));
      for (const id of inUse) sim.registerImage(id);
      const kept = Array.from({ length: 1000 }, (_, day) => managed(150 + day));
      const result = await pruneVolume(deps, task(volume, 'run-1149'));
      // A slice tries 100 deletions: all refused here, the other 50 are the next slice's.
      expect(result).toMatchObject({ keptCount: 1000, skippedCount: 100, deletedCount: 0, more: true });
      expect(result.kept).toEqual(kept.slice(-MAX_LISTED_KEPT).reverse());
      expect(result.skipped).toHaveLength(MAX_LISTED_SKIPS);
      expect(Buffer.byteLength(JSON.stringify(result))).toBeLessThan(16 * 1024);
    });
  });

  describe("a copy region's copies (SPEC §10.4)", () => {
    const EU = 'eu-west-1';

    function givenCopies(copyGenerations = 2) {
      const fixture = given(3);
      const { account, volume } = fixture;
      /** A copy in `region` made on `day` by run `run-<day>`, of a source in `sourceRegion`. */
      const copy = (
        day: number,
        state: 'completed' | 'pending' | 'error' = 'completed',
        region = EU,
        sourceRegion = REGION,
      ) =>
        account.ec2In(region).addSnapshot({
          volumeId: COPY_VOLUME_ID,
          description: volume.description,
          state,
          startTime: T0 + day * DAY,
          tags: {
            [SnapshotTag.managedBy]: MANAGED_BY,
            [SnapshotTag.volumeId]: volume.volumeId,
            [SnapshotTag.runId]: `run-${day}-key`,
            [SnapshotTag.sourceRegion]: sourceRegion,
            [SnapshotTag.sourceSnapshotId]: `snap-source-${day}`,
          },
        });
      const remainingIn = (region: string) =>
        account
          .ec2In(region)
          .allSnapshots()
          .map((s) => s.SnapshotId)
          .sort();
      const item = { ...volume, generations: copyGenerations, region: EU };
      return { ...fixture, copy, remainingIn, item };
    }

    it('GIVEN 4 copies and copy N=2 WHEN pruned THEN the 2 oldest copies there go, and nothing else anywhere', async () => {
      const { deps, managed, copy, remainingIn, remaining, item } = givenCopies(2);
      const sources = [1, 2, 3, 4].map((day) => managed(day));
      const otherRegion = [1, 2, 3, 4].map((day) => copy(day, 'completed', 'ap-south-1'));
      const ours = [1, 2, 3, 4].map((day) => copy(day));
      const result = await pruneVolume(
        deps,
        task({ ...item, newSnapshot: { snapshotId: ours[3], startTime: T0 + 4 * DAY } }, 'run-4'),
      );
      expect(result).toMatchObject({ region: EU, generations: 2, kept: [ours[3], ours[2]], deletedCount: 2 });
      expect(result.deleted.sort()).toEqual([ours[0], ours[1]].sort());
      expect(remainingIn(EU)).toEqual([ours[2], ours[3]].sort());
      // The source family keeps its 4 (its own N is 3, but only its own retention applies it).
      expect(remaining().sort()).toEqual(sources.sort());
      expect(remainingIn('ap-south-1')).toEqual(otherRegion.sort());
    });

    it("GIVEN this run's copy failed in the copy region WHEN the volume's own family is pruned THEN its retention applies as ever, and no copy is touched", async () => {
      const { deps, volume, managed, copy, remaining, remainingIn } = givenCopies(1);
      const sources = [1, 2, 3, 4, 5].map((day) => managed(day));
      const copies = [copy(1), copy(2), copy(5, 'error')];
      const result = await pruneVolume(deps, task(volume, 'run-5'));
      expect(result).not.toHaveProperty('region');
      expect(result.deleted.sort()).toEqual([sources[0], sources[1]].sort());
      expect(remaining().sort()).toEqual(sources.slice(2).sort());
      expect(remainingIn(EU)).toEqual(copies.sort());
    });

    it("GIVEN another deployment's copies and source snapshots in the copy region WHEN pruned THEN only this deployment's copies from this region count", async () => {
      const { deps, account, volume, copy, remainingIn, item } = givenCopies(1);
      const eu = account.ec2In(EU);
      // Same marker and volume tag, but not a copy (a source there), or a copy from elsewhere.
      const notACopy = eu.addSnapshot({
        volumeId: volume.volumeId,
        startTime: T0,
        tags: { [SnapshotTag.managedBy]: MANAGED_BY, [SnapshotTag.volumeId]: volume.volumeId },
      });
      const fromElsewhere = copy(0, 'completed', EU, 'eu-central-1');
      const old = copy(1);
      const mine = copy(2);
      const result = await pruneVolume(deps, task(item, 'run-2'));
      expect(result.deleted).toEqual([old]);
      expect(remainingIn(EU)).toEqual([notACopy, fromElsewhere, mine].sort());
    });

    it.each([
      [
        'missing',
        undefined,
        /^vol-\S+: execution run-4 created no copy of it in eu-west-1 \(see CopyVolumes\); older copies in eu-west-1 kept$/,
      ],
      [
        'in error',
        'error' as const,
        /: copy snap-\S+ in eu-west-1 ended in state error; older copies in eu-west-1 kept$/,
      ],
      [
        'still pending',
        'pending' as const,
        /: copy snap-\S+ in eu-west-1 still pending when the wait ended; older copies in eu-west-1 kept$/,
      ],
    ])(
      "GIVEN this run's copy is %s WHEN pruned THEN SnapshotNotCompleted naming the region, and no copy is deleted",
      async (_, state, message) => {
        const { deps, copy, remainingIn, item } = givenCopies(1);
        const before = [copy(1), copy(2), copy(3)];
        if (state) copy(4, state);
        const error = await rejection(pruneVolume(deps, task(item, 'run-4')));
        expect(error.name).toBe('SnapshotNotCompleted');
        expect(error.message).toMatch(message);
        expect(remainingIn(EU)).toEqual(expect.arrayContaining(before));
      },
    );

    it("GIVEN this run's copy ended in error and an earlier one did WHEN pruned THEN the earlier one is deleted there, the completed copies and the source region untouched", async () => {
      const { deps, managed, copy, remainingIn, remaining, item } = givenCopies(1);
      const sources = [managed(1), managed(2)];
      const completed = [copy(1), copy(2)];
      const earlier = copy(3, 'error');
      const mine = copy(4, 'error');
      const error = await rejection(pruneVolume(deps, task(item, 'run-4')));
      expect(error.message).toMatch(
        new RegExp(
          `ended in state error; older copies in eu-west-1 kept; deleted its 1 other copy\\(s\\) in state error \\(${earlier}\\)$`,
        ),
      );
      expect(remainingIn(EU)).toEqual([...completed, mine].sort());
      expect(remaining().sort()).toEqual(sources.sort());
    });

    it('GIVEN a copy region in a dry run WHEN planned THEN the copies a new copy would push out are listed, none deleted', async () => {
      const { deps, clock, copy, remainingIn, item } = givenCopies(2);
      const ids = [1, 2, 3].map((day) => copy(day));
      clock.advance(4 * DAY);
      const result = await pruneVolume(deps, task(item, 'dry-1', { dryRun: true }));
      expect(result).toMatchObject({ region: EU, dryRun: true, kept: [PLANNED_SNAPSHOT_ID, ids[2]] });
      expect(result.deleted.sort()).toEqual([ids[0], ids[1]].sort());
      expect(remainingIn(EU)).toEqual(ids.sort());
    });

    it('GIVEN the copy region throttles a deletion WHEN pruned THEN it is retried there, the home region untouched', async () => {
      const { deps, sim, account, copy, remainingIn, item } = givenCopies(1);
      copy(1);
      const mine = copy(2);
      account.ec2In(EU).injectFault({ action: 'DeleteSnapshot', error: 'RequestLimitExceeded', times: 2 });
      sim.resetCalls();
      expect(await pruneVolume(deps, task(item, 'run-2'))).toMatchObject({ deletedCount: 1, more: false });
      expect(account.ec2In(EU).calls().DeleteSnapshot).toMatchObject({ succeeded: 1, throttled: 2 });
      expect(sim.calls().DeleteSnapshot.succeeded + sim.calls().DescribeSnapshots.succeeded).toBe(0);
      expect(remainingIn(EU)).toEqual([mine]);
    });
  });

  describe("the pace of DeleteSnapshot calls (the deployment's share of EC2's bucket)", () => {
    it('GIVEN three generations to delete at one per second WHEN pruned THEN the deletions start a second apart and the slice ends three seconds after its first', async () => {
      const { ec2, clock, deps, volume, managed } = given(1);
      for (const day of [1, 2, 3, 4]) managed(day);
      const starts: number[] = [];
      const send = ec2.send.bind(ec2) as (command: object) => Promise<unknown>;
      (ec2 as { send: unknown }).send = (command: object) => {
        if (command instanceof DeleteSnapshotCommand) starts.push(clock.now());
        return send(command);
      };
      const started = clock.now();
      const result = await pruneVolume({ ...deps, callIntervalMs: 1_000 }, task(volume, 'run-4'));
      expect(result.deletedCount).toBe(3);
      expect(starts.map((time) => time - started)).toEqual([0, 1_000, 2_000]);
      expect(clock.now() - started).toBe(3_000);
    });
  });
});
