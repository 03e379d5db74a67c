import { getJson, putJson } from '../../lambdas/aws/json-store';
import type { ChildExecutionResult } from '../../lambdas/contracts/map-run';
import type { AwaitCopiesEvent, CreatedCopy, SupersededCopy } from '../../lambdas/contracts/run-documents';
import type { CopyWorkItem, PruneWorkItem } from '../../lambdas/contracts/work-items';
import { LISTING_LAG_TOLERANCE_MS } from '../../lambdas/core/listing-lag';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { awaitCopies } from '../../lambdas/steps/await-copies';
import { BUCKET, givenSteps, MANAGED_BY, REGION, rejection, workItem, writeMapRun } from '../fixtures/steps';

const MINUTE = 60_000;
const REGIONS = ['eu-west-1', 'ap-south-1'];

describe('await-copies step (SPEC §10.4)', () => {
  /**
   * `volumes` volumes with copies in both copy regions; CopyVolumes' results as its
   * ResultWriter writes them, each copy made pending in its region (it settles when told).
   */
  async function given(volumes: number, options: Parameters<typeof givenSteps>[0] = {}) {
    const steps = givenSteps(options);
    const items: CopyWorkItem[] = [];
    const copies: CreatedCopy[] = [];
    for (let i = 0; i < volumes; i++) {
      const volumeId = steps.sim.addInstance({ volumes: [{}] }).volumeIds[0];
      const source = steps.sim.addSnapshot({ volumeId, startTime: steps.clock.now() });
      for (const region of REGIONS) {
        const item: CopyWorkItem = {
          ...workItem(volumeId, 2),
          copyGenerations: 3,
          region,
          source: { snapshotId: source, startTime: steps.clock.now(), region: REGION, encrypted: false },
        };
        items.push(item);
        copies.push({
          volumeId,
          region,
          sourceSnapshotId: source,
          snapshotId: copyIn(steps, region, volumeId, 'run-1-key'),
          state: 'pending',
          startTime: steps.clock.now(),
          reused: false,
        });
      }
    }
    const deps = {
      ec2In: steps.ec2In,
      s3: steps.s3,
      bucket: BUCKET,
      managedBy: MANAGED_BY,
      region: REGION,
      copyWaitLimitSeconds: 3600,
      now: steps.clock.now,
      sleep: async (ms: number) => steps.clock.advance(ms),
    };
    const event = async (
      outputs: (CreatedCopy | SupersededCopy)[] = copies,
      failed: ChildExecutionResult[] = [],
    ): Promise<AwaitCopiesEvent> => ({
      executionName: 'run-1',
      runId: 'run-1-key',
      copyItems: await putJson(steps.s3, { bucket: BUCKET, key: 'runs/run-1/copies.json' }, items),
      copyRun: await writeMapRun(steps.s3, 'copy', [
        ...outputs.map((output) => ({ Status: 'SUCCEEDED', Output: JSON.stringify(output) })),
        ...failed,
      ]),
    });
    const complete = (...which: CreatedCopy[]) => {
      for (const copy of which) steps.account.ec2In(copy.region).completeSnapshot(copy.snapshotId);
    };
    return { ...steps, items, copies, deps, event, complete };
  }

  /** A pending copy in `region` of a snapshot of `volumeId`, tagged as CopySnapshot tags it. */
  function copyIn(steps: ReturnType<typeof givenSteps>, region: string, volumeId: string, runId: string) {
    return steps.account.ec2In(region).addSnapshot({
      // A copy's VolumeId is arbitrary (API_CopySnapshot): it is found by its tags.
      volumeId: 'vol-ffffffff',
      state: 'pending',
      startTime: steps.clock.now(),
      tags: {
        [SnapshotTag.managedBy]: MANAGED_BY,
        [SnapshotTag.volumeId]: volumeId,
        [SnapshotTag.runId]: runId,
        [SnapshotTag.sourceRegion]: REGION,
      },
    });
  }

  it('GIVEN copies still pending WHEN polled THEN CopiesPending with the count in each region', async () => {
    const { deps, copies, complete, event } = await given(2);
    complete(copies[0]); // vol 0 in eu-west-1
    const error = await rejection(awaitCopies(deps, await event()));
    expect(error.name).toBe('CopiesPending');
    expect(error.message).toBe(
      '3 of 4 copies of execution run-1 still pending ' +
        '(eu-west-1: 1, 0 not yet visible in EC2; ap-south-1: 2, 0 not yet visible in EC2)',
    );
  });

  it("GIVEN every copy completed WHEN polled THEN PruneCopies' list: each item with its region, the copy generation and its copy", async () => {
    const { deps, s3, items, copies, complete, event } = await given(2);
    complete(...copies);
    const workList = await awaitCopies(deps, await event());
    const done = { created: 2, completed: 2, error: 0, notVisible: 0, gone: 0, pending: 0, timedOut: 0 };
    expect(workList).toEqual({
      bucket: BUCKET,
      key: 'runs/run-1/copy-prune.json',
      progress: { 'eu-west-1': done, 'ap-south-1': done },
    });
    const { source: _, copyGenerations: __, ...volume } = items[1];
    expect((await getJson<PruneWorkItem[]>(s3, workList))[1]).toEqual({
      ...volume,
      generations: 3,
      region: 'ap-south-1',
      newSnapshot: { snapshotId: copies[1].snapshotId, startTime: copies[1].startTime },
    });
  });

  it('GIVEN one listing per copy region WHEN polled THEN each region is listed once, whatever the number of copies', async () => {
    const { deps, account, copies, complete, event } = await given(6);
    complete(...copies);
    const ev = await event();
    for (const region of REGIONS) account.ec2In(region).resetCalls();
    await awaitCopies(deps, ev);
    for (const region of REGIONS) {
      expect(account.ec2In(region).calls().DescribeSnapshots.succeeded).toBe(1);
    }
  });

  it('GIVEN a copy EC2 does not list yet WHEN polled THEN it is waited for while the listing may lag, then settled as gone', async () => {
    const { deps, clock, copies, complete, event } = await given(1);
    complete(...copies);
    const lagging = { ...copies[0], snapshotId: 'snap-0000000000000lag', startTime: clock.now() };
    const outputs = [lagging, copies[1]];
    const error = await rejection(awaitCopies(deps, await event(outputs)));
    expect(error.message).toBe(
      '1 of 2 copies of execution run-1 still pending (eu-west-1: 1, 1 not yet visible in EC2)',
    );
    clock.advance(LISTING_LAG_TOLERANCE_MS);
    const workList = await awaitCopies(deps, await event(outputs));
    expect(workList.progress['eu-west-1']).toMatchObject({ notVisible: 0, gone: 1, timedOut: 0 });
  });

  it('GIVEN a copy whose source was superseded before it was made WHEN polled THEN it is not waited for, and its prune item names the newer snapshot', async () => {
    const { deps, s3, copies, complete, event } = await given(1);
    complete(copies[1]);
    const superseded: SupersededCopy = {
      volumeId: copies[0].volumeId,
      region: copies[0].region,
      sourceSnapshotId: copies[0].sourceSnapshotId,
      supersededBy: 'snap-0000000000000newer',
    };
    const workList = await awaitCopies(deps, await event([superseded, copies[1]]));
    expect(workList.progress[copies[0].region]).toMatchObject({ created: 0 });
    const items = await getJson<PruneWorkItem[]>(s3, workList);
    expect(items.find((i) => i.region === copies[0].region)).toMatchObject({
      supersededBy: 'snap-0000000000000newer',
    });
    expect(items.find((i) => i.region === copies[0].region)).not.toHaveProperty('newSnapshot');
  });

  it('GIVEN a copy stuck pending past the copy wait limit WHEN polled THEN the wait ends with it timed out; its prune item keeps the copy', async () => {
    const { deps, clock, s3, copies, complete, event } = await given(1);
    complete(copies[1]);
    clock.advance(59 * MINUTE);
    expect((await rejection(awaitCopies(deps, await event()))).name).toBe('CopiesPending');
    clock.advance(2 * MINUTE);
    const workList = await awaitCopies(deps, await event());
    expect(workList.progress['eu-west-1']).toMatchObject({ pending: 1, timedOut: 1 });
    const items = await getJson<PruneWorkItem[]>(s3, workList);
    expect(items[0].newSnapshot?.snapshotId).toBe(copies[0].snapshotId);
  });

  it('GIVEN a CopySnapshot child that failed WHEN the wait ends THEN its item has no copy, and its region shows none created', async () => {
    const { deps, s3, copies, complete, event } = await given(1);
    complete(copies[1]);
    const failed: ChildExecutionResult = { Status: 'FAILED', Error: 'CopyLimitExceeded' };
    const workList = await awaitCopies(deps, await event([copies[1]], [failed]));
    expect(workList.progress['eu-west-1']).toEqual({
      created: 0,
      completed: 0,
      error: 0,
      notVisible: 0,
      gone: 0,
      pending: 0,
      timedOut: 0,
    });
    const items = await getJson<PruneWorkItem[]>(s3, workList);
    expect(items.map((i) => [i.region, i.newSnapshot?.snapshotId])).toEqual([
      ['eu-west-1', undefined],
      ['ap-south-1', copies[1].snapshotId],
    ]);
  });

  it('GIVEN a copy region EC2 throttles for longer than a page is retried WHEN polled THEN still pending, not a failure', async () => {
    const { deps, account, copies, complete, event } = await given(1);
    complete(...copies);
    account.ec2In('ap-south-1').injectFault({
      action: 'DescribeSnapshots',
      error: 'RequestLimitExceeded',
      times: 10_000,
    });
    const error = await rejection(awaitCopies(deps, await event()));
    expect(error.name).toBe('CopiesPending');
    expect(error.message).toMatch(
      /^Could not check the 1 copies of execution run-1 in ap-south-1 this time \(RequestLimitExceeded/,
    );
    account.ec2In('ap-south-1').clearFaults();
    expect((await awaitCopies(deps, await event())).progress['ap-south-1'].completed).toBe(1);
  });

  it('GIVEN a copy region answers 5xx WHEN polled THEN still pending', async () => {
    const { deps, account, copies, complete, event } = await given(1);
    complete(...copies);
    account.ec2In('eu-west-1').injectFault({ action: 'DescribeSnapshots', error: 'InternalError' });
    expect((await rejection(awaitCopies(deps, await event()))).name).toBe('CopiesPending');
  });

  it("GIVEN another run's pending copies in the region WHEN polled THEN they are not waited for", async () => {
    const steps = await given(1);
    const { deps, copies, complete, event } = steps;
    copyIn(steps, 'eu-west-1', copies[0].volumeId, 'run-0-key');
    complete(...copies);
    expect((await awaitCopies(deps, await event())).progress['eu-west-1']).toMatchObject({
      created: 1,
      completed: 1,
      pending: 0,
    });
  });

  it("GIVEN a first poll WHEN the next one runs THEN CopyVolumes' results are not read again", async () => {
    const { deps, s3, copies, complete, event } = await given(1);
    const ev = await event();
    await rejection(awaitCopies(deps, ev));
    await putJson(s3, { bucket: BUCKET, key: 'map-runs/copy/id/SUCCEEDED_0.json' }, []);
    complete(...copies);
    const workList = await awaitCopies(deps, ev);
    expect(workList.progress['eu-west-1']).toMatchObject({ created: 1, completed: 1 });
  });
});
