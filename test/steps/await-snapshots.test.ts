import { getJson, putJson } from '../../lambdas/aws/json-store';
import type { CopyRegion } from '../../lambdas/contracts/deployment';
import type { ChildExecutionResult } from '../../lambdas/contracts/map-run';
import type { AwaitSnapshotsEvent, CreatedSnapshot, PruneBatch } from '../../lambdas/contracts/run-documents';
import type { CopyWorkItem, PruneWorkItem, VolumeWorkItem } from '../../lambdas/contracts/work-items';
import { LISTING_LAG_TOLERANCE_MS } from '../../lambdas/core/listing-lag';
import { PRUNE_BATCH_MIN_VOLUMES } from '../../lambdas/core/prune-batching';
import { nextPruneBatch } from '../../lambdas/steps/await-snapshots';
import { createVolumeSnapshot } from '../../lambdas/steps/create-snapshot';
import {
  BUCKET,
  givenSteps,
  MANAGED_BY,
  REGION,
  rejection,
  task,
  workItem,
  writeMapRun,
} from '../fixtures/steps';

const MINUTE = 60_000;

describe('await-snapshots step: a turn of the pruning loop (SPEC §4.3, §4.4)', () => {
  /**
   * `volumes` volumes snapshotted by run-1. `ended()` records that SnapshotVolumes has ended, with
   * its results written as the ResultWriter does; until then the loop knows the snapshots only
   * from EC2's listing.
   */
  async function given(
    volumes: number,
    options: Parameters<typeof givenSteps>[0] = {},
    outcomes: { stuck?: number[] } = {},
    copies: {
      copyGenerations?: (number | undefined)[];
      copyRegions?: CopyRegion[];
      encrypted?: number[];
    } = {},
  ) {
    const steps = givenSteps({ completionDelayMs: 10 * MINUTE, ...options });
    const items: VolumeWorkItem[] = [];
    for (let i = 0; i < volumes; i++) {
      const copyGenerations = copies.copyGenerations?.[i];
      items.push({
        ...workItem(
          steps.sim.addInstance({ volumes: [{ encrypted: copies.encrypted?.includes(i) ?? false }] })
            .volumeIds[0],
          2,
        ),
        ...(copyGenerations !== undefined && { copyGenerations }),
      });
    }
    for (const i of outcomes.stuck ?? []) steps.sim.setSnapshotOutcome(items[i].volumeId, 'stuck-pending');
    const created: CreatedSnapshot[] = [];
    for (const item of items) {
      created.push(
        await createVolumeSnapshot({ ec2: steps.ec2, managedBy: MANAGED_BY }, task(item, 'run-1')),
      );
    }
    const deps = {
      ec2: steps.ec2,
      s3: steps.s3,
      bucket: BUCKET,
      managedBy: MANAGED_BY,
      waitLimitSeconds: 3600,
      copyRegions: copies.copyRegions ?? [],
      region: REGION,
      now: steps.clock.now,
      sleep: async (ms: number) => steps.clock.advance(ms),
    };
    const runId = task(items[0], 'run-1').runId;
    const snapshotRecord = { bucket: BUCKET, key: 'runs/run-1/snapshot-run.json' };
    const children = (outputs: CreatedSnapshot[]): ChildExecutionResult[] =>
      outputs.map((output) => ({ Status: 'SUCCEEDED', Output: JSON.stringify(output) }));
    /** RecordSnapshotRun: SnapshotVolumes has ended with these children. */
    const ended = async (outputs = created, failed: ChildExecutionResult[] = [], recordRunId = runId) => {
      const snapshotRun = await writeMapRun(steps.s3, 'snapshot', [...children(outputs), ...failed]);
      await putJson(steps.s3, snapshotRecord, { runId: recordRunId, snapshotRun });
    };
    const event = async (extra: Partial<AwaitSnapshotsEvent> = {}): Promise<AwaitSnapshotsEvent> => ({
      executionName: 'run-1',
      runId,
      dryRun: false,
      items: await putJson(steps.s3, { bucket: BUCKET, key: 'runs/run-1/volumes.json' }, items),
      snapshotRecord,
      ...extra,
    });
    let runs = 0;
    /** The next turn's state: after this batch, and PruneVolumes' result of it. */
    const nextTurn = async (batch: PruneBatch, extra: Partial<AwaitSnapshotsEvent> = {}) =>
      event({ pruneBatch: batch, pruneRun: await writeMapRun(steps.s3, `prune-${++runs}`, []), ...extra });
    const volumesOf = async (batch: PruneBatch) =>
      batch.items ? await getJson<PruneWorkItem[]>(steps.s3, batch.items) : [];
    return { ...steps, items, created, deps, event, ended, nextTurn, volumesOf };
  }
  const ids = (volumes: { volumeId: string }[]) => volumes.map((v) => v.volumeId);

  it('GIVEN SnapshotVolumes still running and no snapshot completed WHEN polled THEN the named SnapshotsPending error with the counts', async () => {
    const { deps, event } = await given(3);
    const error = await rejection(nextPruneBatch(deps, await event()));
    expect(error.name).toBe('SnapshotsPending');
    expect(error.message).toBe(
      '3 volumes wait for their snapshot of execution run-1 (3 pending, 0 not yet visible in EC2, ' +
        `SnapshotVolumes still running); 0 ready to prune, a batch takes ${PRUNE_BATCH_MIN_VOLUMES} or the last ones`,
    );
  });

  it('GIVEN SnapshotVolumes has ended and every snapshot completed WHEN polled THEN one final batch carries each volume with its new snapshot', async () => {
    const { deps, clock, s3, items, created, event, ended, volumesOf } = await given(3);
    await ended();
    clock.advance(11 * MINUTE);
    const batch = await nextPruneBatch(deps, await event());
    expect(batch).toEqual({
      number: 1,
      count: 3,
      final: true,
      items: { bucket: BUCKET, key: 'runs/run-1/prune-batches/1/volumes.json' },
      ledger: { bucket: BUCKET, key: 'runs/run-1/prune-batches/1/ledger.json' },
      progress: { created: 3, completed: 3, error: 0, notVisible: 0, gone: 0, pending: 0, timedOut: 0 },
    });
    expect(await volumesOf(batch)).toEqual(
      items.map((item, i) => ({
        ...item,
        newSnapshot: { snapshotId: created[i].snapshotId, startTime: created[i].startTime },
      })),
    );
    expect(await getJson(s3, batch.ledger)).toEqual({ batched: ids(items), runs: [] });
  });

  it(`GIVEN SnapshotVolumes still running WHEN ${PRUNE_BATCH_MIN_VOLUMES} volumes' snapshots completed THEN a batch of just those, their snapshots as listed by the run's tag, not final`, async () => {
    const n = PRUNE_BATCH_MIN_VOLUMES;
    const { deps, clock, sim, items, created, event, volumesOf } = await given(
      n + 2,
      {},
      { stuck: [n, n + 1] },
    );
    clock.advance(11 * MINUTE);
    const batch = await nextPruneBatch(deps, await event());
    expect(batch).toMatchObject({ number: 1, count: n, final: false });
    expect(batch).not.toHaveProperty('copyItems');
    const batched = await volumesOf(batch);
    expect(ids(batched)).toEqual(ids(items.slice(0, n)));
    expect(batched[0].newSnapshot).toEqual({
      snapshotId: created[0].snapshotId,
      startTime: created[0].startTime,
    });
    // SPEC §3.3 per volume: nothing batched whose own snapshot has not settled.
    for (const volume of batched) {
      expect(
        sim.snapshotsOf(volume.volumeId).find((s) => s.SnapshotId === volume.newSnapshot?.snapshotId)?.State,
      ).toBe('completed');
    }
  });

  it(`GIVEN SnapshotVolumes still running WHEN fewer than ${PRUNE_BATCH_MIN_VOLUMES} are ready THEN no batch yet: SnapshotsPending`, async () => {
    const { deps, clock, event } = await given(3, {}, { stuck: [2] });
    clock.advance(11 * MINUTE);
    expect((await rejection(nextPruneBatch(deps, await event()))).message).toMatch(
      /^1 volumes wait .*; 2 ready to prune, a batch takes/,
    );
  });

  it('GIVEN a batch made WHEN the next turns run THEN its volumes are never batched again, its PruneVolumes run goes in the ledger, and the turn after the final batch ends the loop', async () => {
    const n = PRUNE_BATCH_MIN_VOLUMES;
    const { deps, clock, sim, s3, items, created, event, ended, nextTurn, volumesOf } = await given(
      n + 1,
      {},
      { stuck: [n] },
    );
    clock.advance(11 * MINUTE);
    const first = await nextPruneBatch(deps, await event());
    sim.completeSnapshot(created[n].snapshotId);
    await ended();
    const secondInput = await nextTurn(first);
    const second = await nextPruneBatch(deps, secondInput);
    expect(second).toMatchObject({ number: 2, count: 1, final: true });
    expect(ids(await volumesOf(second))).toEqual([items[n].volumeId]);
    const thirdInput = await nextTurn(second);
    const third = await nextPruneBatch(deps, thirdInput);
    expect(third).toEqual({
      number: 3,
      count: 0,
      final: true,
      ledger: { bucket: BUCKET, key: 'runs/run-1/prune-batches/3/ledger.json' },
    });
    expect(await getJson(s3, third.ledger)).toEqual({
      batched: ids(items),
      runs: [secondInput.pruneRun, thirdInput.pruneRun],
    });
  });

  it('GIVEN a turn retried after it wrote its batch WHEN it runs again from the same state THEN the same batch, nothing lost or doubled', async () => {
    const { deps, clock, event, ended } = await given(2);
    await ended();
    clock.advance(11 * MINUTE);
    const input = await event();
    const once = await nextPruneBatch(deps, input);
    expect(await nextPruneBatch(deps, input)).toEqual(once);
  });

  it('GIVEN one snapshot ends in error WHEN polled THEN it is settled: its volume is batched, to fail visibly', async () => {
    const { deps, clock, sim, created, event, ended } = await given(2);
    sim.failSnapshot(created[0].snapshotId);
    await ended();
    clock.advance(11 * MINUTE);
    expect(await nextPruneBatch(deps, await event())).toMatchObject({
      count: 2,
      progress: { completed: 1, error: 1 },
    });
  });

  it('GIVEN a snapshot stuck pending past the wait limit WHEN polled THEN it is settled as timed out', async () => {
    const { deps, clock, event, ended } = await given(2, { completionDelayMs: MINUTE }, { stuck: [0] });
    await ended();
    clock.advance(30 * MINUTE);
    expect((await rejection(nextPruneBatch(deps, await event()))).message).toMatch(/^1 volumes wait/);
    clock.advance(31 * MINUTE);
    expect(await nextPruneBatch(deps, await event())).toMatchObject({
      count: 2,
      final: true,
      progress: { completed: 1, pending: 1, timedOut: 1 },
    });
  });

  it(`GIVEN a created snapshot EC2 does not list yet WHEN polled THEN it is waited for while the listing may lag (${LISTING_LAG_TOLERANCE_MS / 60_000} min), then settled as gone, never held to the wait limit`, async () => {
    const { deps, clock, created, event, ended } = await given(2);
    clock.advance(11 * MINUTE);
    // SnapshotVolumes' results name a snapshot of volume 1 that EC2 does not list (yet).
    const lagging = { ...created[1], snapshotId: 'snap-0000000000000000f', startTime: clock.now() };
    await ended([created[0], lagging]);
    const error = await rejection(nextPruneBatch(deps, await event()));
    expect(error.message).toMatch(/^1 volumes wait .*\(0 pending, 1 not yet visible in EC2\); 1 ready/);
    clock.advance(LISTING_LAG_TOLERANCE_MS);
    expect(await nextPruneBatch(deps, await event())).toMatchObject({
      count: 2,
      final: true,
      progress: { completed: 1, notVisible: 0, gone: 1, timedOut: 0 },
    });
  });

  it('GIVEN one created snapshot deleted mid-wait (an overlapping run, a person) while another is pending WHEN polled THEN only the live one is waited for', async () => {
    const { deps, clock, sim, created, event, ended } = await given(2, {}, { stuck: [1] });
    await ended();
    clock.advance(MINUTE);
    sim.deleteSnapshot({ SnapshotId: created[0].snapshotId });
    // Within the listing lag tolerated, a missing snapshot may still be on its way.
    expect((await rejection(nextPruneBatch(deps, await event()))).message).toMatch(
      /^2 volumes wait .*\(1 pending, 1 not yet visible in EC2\)/,
    );
    clock.advance(LISTING_LAG_TOLERANCE_MS);
    expect((await rejection(nextPruneBatch(deps, await event()))).message).toMatch(
      /^1 volumes wait .*\(1 pending, 0 not yet visible in EC2\); 1 ready/,
    );
    sim.completeSnapshot(created[1].snapshotId);
    expect((await nextPruneBatch(deps, await event())).progress).toMatchObject({ completed: 1, gone: 1 });
  });

  it('GIVEN EC2 throttles a page once WHEN polled THEN the page is tried again in the invocation', async () => {
    const { deps, clock, sim, event, ended } = await given(2);
    await ended();
    clock.advance(11 * MINUTE);
    sim.injectFault({ action: 'DescribeSnapshots', error: 'RequestLimitExceeded' });
    expect((await nextPruneBatch(deps, await event())).progress?.completed).toBe(2);
    expect(sim.calls().DescribeSnapshots.throttled).toBe(1);
  });

  it('GIVEN EC2 throttles the poll for longer WHEN polled THEN still pending (the wait goes on), not a failure', async () => {
    const { deps, clock, sim, event, ended } = await given(2);
    await ended();
    clock.advance(11 * MINUTE);
    sim.injectFault({ action: 'DescribeSnapshots', error: 'RequestLimitExceeded', times: 10_000 });
    const error = await rejection(nextPruneBatch(deps, await event()));
    expect(error.name).toBe('SnapshotsPending');
    expect(error.message).toMatch(
      /^Could not list the snapshots of execution run-1 this time \(RequestLimitExceeded.*\); 2 volumes still to prune$/,
    );
    sim.clearFaults();
    expect((await nextPruneBatch(deps, await event())).progress?.completed).toBe(2);
  });

  it('GIVEN a volume whose CreateSnapshot child failed WHEN SnapshotVolumes has ended THEN its prune item has no new snapshot, to fail visibly', async () => {
    const { deps, clock, created, event, ended, volumesOf } = await given(2);
    clock.advance(11 * MINUTE);
    await ended([created[1]], [{ Status: 'FAILED', Error: 'Ec2Throttled' }]);
    const batched = await volumesOf(await nextPruneBatch(deps, await event()));
    expect(batched[0].newSnapshot).toBeUndefined();
    expect(batched[1].newSnapshot?.snapshotId).toBe(created[1].snapshotId);
  });

  it("GIVEN a volume listed with two snapshots of the run before SnapshotVolumes' results are known THEN it waits for the results, which say which one is the run's", async () => {
    const n = PRUNE_BATCH_MIN_VOLUMES;
    const { deps, clock, ec2, items, created, event, ended, volumesOf } = await given(n + 1);
    // A broken promise of SPEC §2.3, on purpose: a second snapshot of volume 0 tagged with the run
    // (after EC2's 15 s between two snapshots of a volume).
    clock.advance(16_000);
    await createVolumeSnapshot(
      { ec2, managedBy: MANAGED_BY },
      task(items[0], 'run-1', { absenceConfirmed: true }),
    );
    clock.advance(11 * MINUTE);
    const first = await nextPruneBatch(deps, await event());
    expect(ids(await volumesOf(first))).not.toContain(items[0].volumeId);
    await ended();
    const { pruneBatch: _, ...state } = await event();
    const last = await nextPruneBatch(deps, {
      ...state,
      pruneBatch: first,
      pruneRun: await writeMapRun(deps.s3, 'p', []),
    });
    expect(await volumesOf(last)).toEqual([
      { ...items[0], newSnapshot: { snapshotId: created[0].snapshotId, startTime: created[0].startTime } },
    ]);
  });

  it('GIVEN a record left by another execution of the same name WHEN polled THEN SnapshotVolumes of this run is not taken for ended', async () => {
    const { deps, clock, event, ended } = await given(2);
    await ended(undefined, [], 'another-run-key');
    clock.advance(11 * MINUTE);
    expect((await rejection(nextPruneBatch(deps, await event()))).message).toContain(
      'SnapshotVolumes still running',
    );
  });

  it("GIVEN another run's pending snapshots WHEN polled THEN they are not waited for", async () => {
    const { deps, clock, ec2, items, event, ended } = await given(2);
    await ended();
    clock.advance(11 * MINUTE);
    await createVolumeSnapshot({ ec2, managedBy: MANAGED_BY }, task(items[0], 'run-2'));
    expect((await nextPruneBatch(deps, await event())).progress?.created).toBe(2);
  });

  it('GIVEN 40 volumes at page size 5 WHEN polled THEN one call per page, not per volume', async () => {
    const { deps, clock, sim, event, ended } = await given(40, { maxPageSize: 5 });
    await ended();
    clock.advance(11 * MINUTE);
    const ev = await event();
    sim.resetCalls();
    expect((await nextPruneBatch(deps, ev)).progress?.completed).toBe(40);
    expect(sim.calls().DescribeSnapshots.succeeded).toBe(8);
  });

  it("GIVEN a first poll after SnapshotVolumes ended WHEN the next one runs THEN SnapshotVolumes' results are not read again", async () => {
    const { deps, clock, s3, event, ended } = await given(2);
    await ended();
    const ev = await event();
    await rejection(nextPruneBatch(deps, ev)); // still pending: the created set is kept
    // The map run's results are read once: emptying them now changes nothing.
    await putJson(s3, { bucket: BUCKET, key: 'map-runs/snapshot/id/SUCCEEDED_0.json' }, []);
    clock.advance(11 * MINUTE);
    expect((await nextPruneBatch(deps, ev)).progress).toMatchObject({ created: 2, completed: 2 });
  });

  it('GIVEN a dry run WHEN the loop starts THEN every volume is one final batch at once, without a snapshot and without asking EC2', async () => {
    const { deps, sim, items, event, volumesOf } = await given(2);
    sim.resetCalls();
    const batch = await nextPruneBatch(deps, await event({ dryRun: true }));
    expect(batch).toMatchObject({ number: 1, count: 2, final: true });
    expect(batch).not.toHaveProperty('progress');
    expect(await volumesOf(batch)).toEqual(items);
    expect(sim.calls().DescribeSnapshots.succeeded).toBe(0);
  });

  it('GIVEN AwaitSnapshots failed (waitError in the state) WHEN the next turn runs THEN it never polls: it waits for SnapshotVolumes to end, then hands every volume not pruned yet over at once, each with its snapshot', async () => {
    const n = PRUNE_BATCH_MIN_VOLUMES;
    const { deps, clock, sim, items, created, event, ended, nextTurn, volumesOf } = await given(
      n + 2,
      {},
      { stuck: [n, n + 1] },
    );
    clock.advance(11 * MINUTE);
    const first = await nextPruneBatch(deps, await event());
    const waitError = { Error: 'UnauthorizedOperation', Cause: 'not allowed' };
    sim.resetCalls();
    const failed = await nextTurn(first, { waitError });
    expect((await rejection(nextPruneBatch(deps, failed))).message).toBe(
      'Waiting for SnapshotVolumes of execution run-1 to end before handing PruneVolumes the 2 volumes not pruned yet',
    );
    await ended();
    const last = await nextPruneBatch(deps, failed);
    expect(last).toMatchObject({ number: 2, count: 2, final: true });
    expect(last).not.toHaveProperty('progress');
    expect(await volumesOf(last)).toEqual(
      [n, n + 1].map((i) => ({
        ...items[i],
        newSnapshot: { snapshotId: created[i].snapshotId, startTime: created[i].startTime },
      })),
    );
    expect(sim.calls().DescribeSnapshots.succeeded).toBe(0);
  });

  describe("CopyVolumes' work list (SPEC §10.3)", () => {
    const copyRegions = [{ region: 'eu-west-1' }, { region: 'ap-south-1', kmsKeyArn: 'arn:aws:kms:key' }];

    it('GIVEN volumes with copies and two copy regions WHEN all completed THEN one item per volume with copies and region, with its source', async () => {
      const { deps, clock, s3, items, created, event, ended } = await given(
        3,
        {},
        {},
        { copyGenerations: [4, undefined, 1], copyRegions },
      );
      clock.advance(11 * MINUTE);
      await ended();
      const workList = await nextPruneBatch(deps, await event());
      expect(workList.copyItems).toEqual({ bucket: BUCKET, key: 'runs/run-1/copies.json', count: 4 });
      const source = (i: number) => ({
        snapshotId: created[i].snapshotId,
        startTime: created[i].startTime,
        region: REGION,
        encrypted: false,
      });
      expect(
        await getJson<CopyWorkItem[]>(s3, workList.copyItems as NonNullable<typeof workList.copyItems>),
      ).toEqual([
        { ...items[0], region: 'eu-west-1', copyGenerations: 4, source: source(0) },
        { ...items[0], region: 'ap-south-1', copyGenerations: 4, source: source(0) },
        { ...items[2], region: 'eu-west-1', copyGenerations: 1, source: source(2) },
        { ...items[2], region: 'ap-south-1', copyGenerations: 1, source: source(2) },
      ]);
    });

    it('GIVEN an encrypted volume WHEN its snapshot completed THEN its copy items say the source is encrypted', async () => {
      const { deps, clock, s3, event, ended } = await given(
        2,
        {},
        {},
        { copyGenerations: [1, 1], copyRegions: [{ region: 'eu-west-1' }], encrypted: [1] },
      );
      clock.advance(11 * MINUTE);
      await ended();
      const workList = await nextPruneBatch(deps, await event());
      const copyItems = await getJson<CopyWorkItem[]>(
        s3,
        workList.copyItems as NonNullable<typeof workList.copyItems>,
      );
      expect(copyItems.map((c) => c.source.encrypted)).toEqual([false, true]);
    });

    it('GIVEN a snapshot in error, one timed out and one not made WHEN the wait ends THEN only the completed one is copied', async () => {
      const { deps, clock, s3, sim, items, created, event, ended } = await given(
        4,
        { completionDelayMs: MINUTE },
        { stuck: [1] },
        { copyGenerations: [2, 2, 2, 2], copyRegions: [{ region: 'eu-west-1' }] },
      );
      sim.failSnapshot(created[0].snapshotId);
      clock.advance(61 * MINUTE);
      const failed: ChildExecutionResult = { Status: 'FAILED', Error: 'Ec2Throttled' };
      await ended(created.slice(0, 3), [failed]);
      const workList = await nextPruneBatch(deps, await event());
      expect(workList.progress).toMatchObject({ completed: 1, error: 1, timedOut: 1 });
      const copyItems = await getJson<CopyWorkItem[]>(
        s3,
        workList.copyItems as NonNullable<typeof workList.copyItems>,
      );
      expect(copyItems.map((c) => [c.volumeId, c.source.snapshotId])).toEqual([
        [items[2].volumeId, created[2].snapshotId],
      ]);
    });

    it('GIVEN every snapshot with copies failed WHEN the wait ends THEN an empty list is still written (count 0)', async () => {
      const { deps, clock, s3, sim, created, event, ended } = await given(
        2,
        {},
        {},
        { copyGenerations: [3, undefined], copyRegions },
      );
      sim.failSnapshot(created[0].snapshotId);
      clock.advance(11 * MINUTE);
      await ended();
      const workList = await nextPruneBatch(deps, await event());
      expect(workList.copyItems).toEqual({ bucket: BUCKET, key: 'runs/run-1/copies.json', count: 0 });
      expect(await getJson(s3, workList.copyItems as NonNullable<typeof workList.copyItems>)).toEqual([]);
    });

    it.each([
      ['no copy regions are configured', [5, 5], []],
      ['no volume has copies', [undefined, undefined], [{ region: 'eu-west-1' }]],
    ])('GIVEN %s WHEN the wait ends THEN no copy work list', async (_, copyGenerations, regions) => {
      const { deps, clock, event, ended } = await given(2, {}, {}, { copyGenerations, copyRegions: regions });
      clock.advance(11 * MINUTE);
      await ended();
      expect(await nextPruneBatch(deps, await event())).not.toHaveProperty('copyItems');
    });
  });
});
