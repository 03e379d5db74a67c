import { getJson, putJson } from '../../lambdas/aws/json-store';
import type { CopyRegion } from '../../lambdas/contracts/deployment';
import type { ChildExecutionResult } from '../../lambdas/contracts/map-run';
import type { AwaitSnapshotsEvent, CreatedSnapshot } from '../../lambdas/contracts/run-documents';
import type { CopyWorkItem, PruneWorkItem, VolumeWorkItem } from '../../lambdas/contracts/work-items';
import { LISTING_LAG_TOLERANCE_MS } from '../../lambdas/core/listing-lag';
import { awaitSnapshots } from '../../lambdas/steps/await-snapshots';
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

describe('await-snapshots step (SPEC §4.3)', () => {
  /** `volumes` volumes snapshotted by run-1, SnapshotVolumes' results written as the ResultWriter does. */
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
    const children = (outputs: CreatedSnapshot[]): ChildExecutionResult[] =>
      outputs.map((output) => ({ Status: 'SUCCEEDED', Output: JSON.stringify(output) }));
    const event = async (
      outputs = created,
      failed: ChildExecutionResult[] = [],
    ): Promise<AwaitSnapshotsEvent> => ({
      executionName: 'run-1',
      runId: task(items[0], 'run-1').runId,
      items: await putJson(steps.s3, { bucket: BUCKET, key: 'runs/run-1/volumes.json' }, items),
      snapshotRun: await writeMapRun(steps.s3, 'snapshot', [...children(outputs), ...failed]),
    });
    return { ...steps, items, created, deps, event };
  }

  it('GIVEN snapshots still pending WHEN polled THEN the named SnapshotsPending error with the count', async () => {
    const { deps, event } = await given(3);
    const error = await rejection(awaitSnapshots(deps, await event()));
    expect(error.name).toBe('SnapshotsPending');
    expect(error.message).toBe(
      '3 of 3 snapshots of execution run-1 still pending (0 not yet visible in EC2)',
    );
  });

  it("GIVEN all completed WHEN polled THEN PruneVolumes' work list carries each volume's new snapshot", async () => {
    const { deps, clock, s3, items, created, event } = await given(3);
    clock.advance(11 * MINUTE);
    const workList = await awaitSnapshots(deps, await event());
    expect(workList).toEqual({
      bucket: BUCKET,
      key: 'runs/run-1/prune.json',
      progress: { created: 3, completed: 3, error: 0, notVisible: 0, gone: 0, pending: 0, timedOut: 0 },
    });
    expect(await getJson<PruneWorkItem[]>(s3, workList)).toEqual(
      items.map((item, i) => ({
        ...item,
        newSnapshot: { snapshotId: created[i].snapshotId, startTime: created[i].startTime },
      })),
    );
  });

  it('GIVEN one snapshot ends in error WHEN polled THEN it is counted, not waited for', async () => {
    const { deps, clock, sim, created, event } = await given(2);
    sim.failSnapshot(created[0].snapshotId);
    clock.advance(11 * MINUTE);
    expect((await awaitSnapshots(deps, await event())).progress).toMatchObject({ completed: 1, error: 1 });
  });

  it('GIVEN a snapshot stuck pending past the wait limit WHEN polled THEN it is reported timed out', async () => {
    const { deps, clock, event } = await given(2, { completionDelayMs: MINUTE }, { stuck: [0] });
    clock.advance(30 * MINUTE);
    expect((await rejection(awaitSnapshots(deps, await event()))).message).toMatch(/^1 of 2/);
    clock.advance(31 * MINUTE);
    expect((await awaitSnapshots(deps, await event())).progress).toMatchObject({
      completed: 1,
      pending: 1,
      timedOut: 1,
    });
  });

  it(`GIVEN a created snapshot EC2 does not list yet WHEN polled THEN it is waited for while the listing may lag (${LISTING_LAG_TOLERANCE_MS / 60_000} min), then settled as gone, never held to the wait limit`, async () => {
    const { deps, clock, created, event } = await given(1);
    clock.advance(11 * MINUTE);
    const lagging = {
      ...created[0],
      volumeId: 'vol-0000000000000000f',
      snapshotId: 'snap-0000000000000000f',
      startTime: clock.now(),
    };
    const error = await rejection(awaitSnapshots(deps, await event([...created, lagging])));
    expect(error.message).toBe(
      '1 of 2 snapshots of execution run-1 still pending (1 not yet visible in EC2)',
    );
    clock.advance(LISTING_LAG_TOLERANCE_MS);
    expect((await awaitSnapshots(deps, await event([...created, lagging]))).progress).toMatchObject({
      completed: 1,
      notVisible: 0,
      gone: 1,
      timedOut: 0,
    });
  });

  it('GIVEN one created snapshot deleted mid-wait (an overlapping run, a person) while another is pending WHEN polled THEN only the live one is waited for', async () => {
    const { deps, clock, sim, created, event } = await given(2, {}, { stuck: [1] });
    clock.advance(MINUTE);
    sim.deleteSnapshot({ SnapshotId: created[0].snapshotId });
    // Within the listing lag tolerated, a missing snapshot may still be on its way.
    expect((await rejection(awaitSnapshots(deps, await event()))).message).toBe(
      '2 of 2 snapshots of execution run-1 still pending (1 not yet visible in EC2)',
    );
    clock.advance(LISTING_LAG_TOLERANCE_MS);
    expect((await rejection(awaitSnapshots(deps, await event()))).message).toBe(
      '1 of 2 snapshots of execution run-1 still pending (0 not yet visible in EC2)',
    );
    sim.completeSnapshot(created[1].snapshotId);
    expect((await awaitSnapshots(deps, await event())).progress).toMatchObject({ completed: 1, gone: 1 });
  });

  it('GIVEN EC2 throttles a page once WHEN polled THEN the page is tried again in the invocation', async () => {
    const { deps, clock, sim, event } = await given(2);
    clock.advance(11 * MINUTE);
    sim.injectFault({ action: 'DescribeSnapshots', error: 'RequestLimitExceeded' });
    expect((await awaitSnapshots(deps, await event())).progress.completed).toBe(2);
    expect(sim.calls().DescribeSnapshots.throttled).toBe(1);
  });

  it('GIVEN EC2 throttles the poll for longer WHEN polled THEN still pending (the wait goes on), not a failure', async () => {
    const { deps, clock, sim, event } = await given(2);
    clock.advance(11 * MINUTE);
    sim.injectFault({ action: 'DescribeSnapshots', error: 'RequestLimitExceeded', times: 10_000 });
    const error = await rejection(awaitSnapshots(deps, await event()));
    expect(error.name).toBe('SnapshotsPending');
    expect(error.message).toMatch(
      /^Could not check the 2 snapshots of execution run-1 this time \(RequestLimitExceeded/,
    );
    sim.clearFaults();
    expect((await awaitSnapshots(deps, await event())).progress.completed).toBe(2);
  });

  it('GIVEN a volume whose CreateSnapshot child failed WHEN done THEN its prune item has no new snapshot', async () => {
    const { deps, clock, s3, created, event } = await given(2);
    clock.advance(11 * MINUTE);
    const failed: ChildExecutionResult = { Status: 'FAILED', Error: 'Ec2Throttled' };
    const workList = await awaitSnapshots(deps, await event([created[1]], [failed]));
    const items = await getJson<PruneWorkItem[]>(s3, workList);
    expect(items[0].newSnapshot).toBeUndefined();
    expect(items[1].newSnapshot?.snapshotId).toBe(created[1].snapshotId);
  });

  it("GIVEN another run's pending snapshots WHEN polled THEN they are not waited for", async () => {
    const { deps, clock, ec2, items, event } = await given(2);
    clock.advance(11 * MINUTE);
    await createVolumeSnapshot({ ec2, managedBy: MANAGED_BY }, task(items[0], 'run-2'));
    expect((await awaitSnapshots(deps, await event())).progress.created).toBe(2);
  });

  it('GIVEN 40 volumes at page size 5 WHEN polled THEN one call per page, not per volume', async () => {
    const { deps, clock, sim, event } = await given(40, { maxPageSize: 5 });
    clock.advance(11 * MINUTE);
    const ev = await event();
    sim.resetCalls();
    expect((await awaitSnapshots(deps, ev)).progress.completed).toBe(40);
    expect(sim.calls().DescribeSnapshots.succeeded).toBe(8);
  });

  it("GIVEN a first poll WHEN the next one runs THEN SnapshotVolumes' results are not read again", async () => {
    const { deps, clock, s3, event } = await given(2);
    const ev = await event();
    await rejection(awaitSnapshots(deps, ev)); // still pending: the created set is kept
    // The map run's results are read once: emptying them now changes nothing.
    await putJson(s3, { bucket: BUCKET, key: 'map-runs/snapshot/id/SUCCEEDED_0.json' }, []);
    clock.advance(11 * MINUTE);
    expect((await awaitSnapshots(deps, ev)).progress).toMatchObject({ created: 2, completed: 2 });
  });

  describe("CopyVolumes' work list (SPEC §10.3)", () => {
    const copyRegions = [{ region: 'eu-west-1' }, { region: 'ap-south-1', kmsKeyArn: 'arn:aws:kms:key' }];

    it('GIVEN volumes with copies and two copy regions WHEN all completed THEN one item per volume with copies and region, with its source', async () => {
      const { deps, clock, s3, items, created, event } = await given(
        3,
        {},
        {},
        { copyGenerations: [4, undefined, 1], copyRegions },
      );
      clock.advance(11 * MINUTE);
      const workList = await awaitSnapshots(deps, await event());
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
      const { deps, clock, s3, event } = await given(
        2,
        {},
        {},
        { copyGenerations: [1, 1], copyRegions: [{ region: 'eu-west-1' }], encrypted: [1] },
      );
      clock.advance(11 * MINUTE);
      const workList = await awaitSnapshots(deps, await event());
      const copyItems = await getJson<CopyWorkItem[]>(
        s3,
        workList.copyItems as NonNullable<typeof workList.copyItems>,
      );
      expect(copyItems.map((c) => c.source.encrypted)).toEqual([false, true]);
    });

    it('GIVEN a snapshot in error, one timed out and one not made WHEN the wait ends THEN only the completed one is copied', async () => {
      const { deps, clock, s3, sim, items, created, event } = await given(
        4,
        { completionDelayMs: MINUTE },
        { stuck: [1] },
        { copyGenerations: [2, 2, 2, 2], copyRegions: [{ region: 'eu-west-1' }] },
      );
      sim.failSnapshot(created[0].snapshotId);
      clock.advance(61 * MINUTE);
      const failed: ChildExecutionResult = { Status: 'FAILED', Error: 'Ec2Throttled' };
      const workList = await awaitSnapshots(deps, await event(created.slice(0, 3), [failed]));
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
      const { deps, clock, s3, sim, created, event } = await given(
        2,
        {},
        {},
        { copyGenerations: [3, undefined], copyRegions },
      );
      sim.failSnapshot(created[0].snapshotId);
      clock.advance(11 * MINUTE);
      const workList = await awaitSnapshots(deps, await event());
      expect(workList.copyItems).toEqual({ bucket: BUCKET, key: 'runs/run-1/copies.json', count: 0 });
      expect(await getJson(s3, workList.copyItems as NonNullable<typeof workList.copyItems>)).toEqual([]);
    });

    it.each([
      ['no copy regions are configured', [5, 5], []],
      ['no volume has copies', [undefined, undefined], [{ region: 'eu-west-1' }]],
    ])('GIVEN %s WHEN the wait ends THEN no copy work list', async (_, copyGenerations, regions) => {
      const { deps, clock, event } = await given(2, {}, {}, { copyGenerations, copyRegions: regions });
      clock.advance(11 * MINUTE);
      expect(await awaitSnapshots(deps, await event())).not.toHaveProperty('copyItems');
    });
  });
});
