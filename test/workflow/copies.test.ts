import { CopySnapshotCommand, type Snapshot } from '@aws-sdk/client-ec2';
import { getJson } from '../../lambdas/aws/json-store';
import { CONCURRENT_COPY_LIMIT } from '../../lambdas/contracts/deployment';
import type { RunReport, SummariseOutput } from '../../lambdas/contracts/run-documents';
import { runKey } from '../../lambdas/contracts/work-bucket';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { redriveLocalExecution } from '../../local/runner/local-execution';
import { HANG } from '../../local/simulated-account';
import { copyLimitWaitGuaranteeSeconds } from '../../statemachine/definition';
import { StateName } from '../../statemachine/names';
import { DAY, givenWorkflow, HOUR, START, TAG, tagsOf } from '../fixtures/workflow';

const MINUTE = 60_000;
const COPY_TAG = 'Backup-Copy-Generation';
const HOME = 'us-east-1';
const IRELAND = 'eu-west-1';
const SYDNEY = 'ap-southeast-2';

/**
 * Copies in other regions (SPEC §10), each scenario on the real definition run locally against
 * a simulated account with several regions, on a virtual clock.
 */
describe('copies in other regions: the workflow', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  const given = (ec2: Parameters<typeof givenWorkflow>[0] = {}, regions = [IRELAND, SYDNEY]) => {
    world = givenWorkflow(
      { completionDelayMs: 10 * MINUTE, copyCompletionDelayMs: 30 * MINUTE, ...ec2 },
      { copyRegions: regions.map((region) => ({ region })) },
    );
    return world;
  };
  const report = async (output: unknown) =>
    getJson<RunReport>(world.clients.s3, (output as SummariseOutput).report);
  /** This deployment's snapshots of the volume in `region`, oldest first. */
  const snapshotsIn = (region: string, volumeId: string) =>
    world.account
      .ec2In(region)
      .allSnapshots()
      .filter((s) => {
        const tags = tagsOf(s);
        return (
          tags[SnapshotTag.managedBy] === world.deployment.managedBy &&
          tags[SnapshotTag.volumeId] === volumeId
        );
      })
      .sort((a, b) => new Date(a.StartTime ?? 0).getTime() - new Date(b.StartTime ?? 0).getTime());
  const completedIn = (region: string, volumeId: string) =>
    snapshotsIn(region, volumeId).filter((s) => s.State === 'completed');

  it("GIVEN 2 copy regions and Backup-Copy-Generation=2 WHEN run 4 days THEN 3 generations at home and 2 copies in each region, tagged and described like their source, carrying the volume's tags", async () => {
    given();
    world.deployment.copyVolumeTags = ['CostCenter', 'Name'];
    const web = world.sim.addInstance({
      name: 'web',
      tags: { [TAG]: '3', [COPY_TAG]: '2' },
      volumes: [{ tags: { CostCenter: 'cc-42', Owner: 'ops', Name: 'web-root' } }],
    });
    const [volumeId] = web.volumeIds;
    const results = await world.runDaily(4);
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(completedIn(HOME, volumeId)).toHaveLength(3);
    // copyVolumeTags: CostCenter is carried; Owner is not listed; our own Name is never taken from the volume.
    for (const snapshot of completedIn(HOME, volumeId)) {
      expect(tagsOf(snapshot)).toMatchObject({ CostCenter: 'cc-42', Name: 'web' });
      expect(tagsOf(snapshot)).not.toHaveProperty('Owner');
    }
    for (const region of [IRELAND, SYDNEY]) {
      const copies = completedIn(region, volumeId);
      expect(copies).toHaveLength(2);
      const newest = copies[1];
      const source = world.sim.snapshot(tagsOf(newest)[SnapshotTag.sourceSnapshotId]);
      expect(source).toBeDefined();
      expect(newest.Description).toBe(`Auto Snapshot ${volumeId}(web)`);
      expect(newest.Description).toBe(source?.Description);
      expect(tagsOf(newest)).toEqual({
        ...tagsOf(source as Snapshot),
        [SnapshotTag.generation]: '2',
        [SnapshotTag.sourceSnapshotId]: source?.SnapshotId,
        [SnapshotTag.sourceRegion]: HOME,
      });
      expect(tagsOf(newest).CostCenter).toBe('cc-42');
    }
    const last = await report(results[3].output);
    expect(last.copies?.map((c) => [c.region, c.deletedCount])).toEqual([
      [SYDNEY, 1],
      [IRELAND, 1],
    ]);
    expect(results[3].tasks.slice(0, 2)).toEqual([StateName.discover, StateName.snapshotAndPrune]);
    // Copies only once the volume's own retention ran: after the last PruneVolumes.
    expect(results[3].tasks.indexOf(StateName.copyVolumes)).toBeGreaterThan(
      results[3].tasks.lastIndexOf(StateName.pruneVolumes),
    );
    expect(results[3].tasks).toContain(StateName.copyVolumes);
    expect(results[3].tasks).toContain(StateName.awaitCopies);
    expect(results[3].tasks).toContain(StateName.pruneCopies);
  });

  it('GIVEN CopySnapshot fails in one region WHEN run THEN the run FAILS naming the volume and region, the other region and the source retention go on', async () => {
    given();
    const { volumeIds } = world.sim.addInstance({
      name: 'db',
      tags: { [TAG]: '1', [COPY_TAG]: '1' },
      volumes: [{}],
    });
    const [volumeId] = volumeIds;
    const [day1] = await world.runDaily(1);
    expect(day1.status).toBe('SUCCEEDED');
    await world.clock.advanceTo(START + DAY);
    world.account
      .ec2In(SYDNEY)
      .injectFault({ action: 'CopySnapshot', error: 'UnauthorizedOperation', times: 100 });
    const day2 = await world.run();
    expect(day2.status).toBe('FAILED');
    expect(day2.cause).toContain(volumeId);
    expect(day2.cause).toContain(SYDNEY);
    expect(day2.cause).toContain('CopySnapshot');
    // The source was pruned to N as usual; Ireland got its copy and pruned to N.
    expect(completedIn(HOME, volumeId)).toHaveLength(1);
    expect(completedIn(IRELAND, volumeId)).toHaveLength(1);
    // Sydney keeps yesterday's copy: nothing of its family was touched.
    const sydney = completedIn(SYDNEY, volumeId);
    expect(sydney).toHaveLength(1);
    expect(tagsOf(sydney[0])[SnapshotTag.execution]).toBe('run-1');
    // A failed run has no output: its report is where Summarise wrote it.
    const full = await getJson<RunReport>(world.clients.s3, {
      bucket: world.deployment.bucket,
      key: runKey(day2.executionName, 'report'),
    });
    expect(full.failures).toEqual([
      expect.objectContaining({
        volumeId,
        region: SYDNEY,
        step: StateName.copySnapshot,
        error: 'UnauthorizedOperation',
      }),
    ]);
    expect(full.volumes.map((v) => [v.volumeId, v.deletedCount])).toEqual([[volumeId, 1]]);
  });

  it('GIVEN a copy still pending past the copy wait limit THEN that volume and region fail, its older copies stay, and the source is pruned', async () => {
    world = givenWorkflow(
      { completionDelayMs: 10 * MINUTE, copyCompletionDelayMs: 30 * MINUTE },
      { copyRegions: [{ region: IRELAND }], copyWaitLimitSeconds: 2 * 3600 },
    );
    const { volumeIds } = world.sim.addInstance({
      name: 'big',
      tags: { [TAG]: '1', [COPY_TAG]: '1' },
      volumes: [{}],
    });
    const [volumeId] = volumeIds;
    expect((await world.runDaily(1))[0].status).toBe('SUCCEEDED');
    await world.clock.advanceTo(START + DAY);
    world.account.ec2In(IRELAND).setSnapshotOutcome(volumeId, 'completed', { completionDelayMs: 5 * HOUR });
    const day2 = await world.run();
    expect(day2.status).toBe('FAILED');
    expect(day2.cause).toContain(IRELAND);
    expect(day2.cause).toContain('PruneCopySnapshots SnapshotNotCompleted');
    expect(completedIn(HOME, volumeId)).toHaveLength(1);
    // Yesterday's copy is kept; today's is still pending when the wait gave up.
    const ireland = snapshotsIn(IRELAND, volumeId);
    expect(ireland.map((s) => s.State)).toEqual(['completed', 'pending']);
  });

  it('GIVEN the run is stopped while CopySnapshot calls are in flight WHEN redriven THEN exactly one copy per region', async () => {
    given();
    world.deployment.copyConcurrency = 2;
    const { volumeIds } = world.sim.addInstance({
      name: 'app',
      tags: { [TAG]: '2', [COPY_TAG]: '2' },
      volumes: [{}, {}, {}],
    });
    // The first volume's copy to Ireland takes effect but its answer never comes: that child is
    // still running when the execution is stopped.
    const [first] = [...volumeIds].sort();
    world.account.ec2In(IRELAND).injectFault({ action: 'CopySnapshot', error: HANG, volumeId: first });
    const stopped = await world.run(
      {},
      { stopWhen: (e) => e.type === 'child' && e.map === StateName.copyVolumes && e.finished === 1 },
    );
    expect(stopped.status).toBe('ABORTED');
    expect(snapshotsIn(IRELAND, first)).toHaveLength(1);
    await world.clock.advance(8 * HOUR);
    const redriven = await world.clock.settle(
      redriveLocalExecution(stopped, { clients: world.clients, deployment: world.deployment }),
    );
    expect(redriven.status).toBe('SUCCEEDED');
    for (const region of [IRELAND, SYDNEY]) {
      for (const id of volumeIds) expect(snapshotsIn(region, id)).toHaveLength(1);
    }
  });

  it('GIVEN the copy generation lowered from 3 to 1 WHEN the next run succeeds THEN the 3 older copies go in each region and the source keeps its N', async () => {
    given();
    const web = world.sim.addInstance({ name: 'web', tags: { [TAG]: '3', [COPY_TAG]: '3' }, volumes: [{}] });
    const [volumeId] = web.volumeIds;
    await world.runDaily(3);
    for (const region of [IRELAND, SYDNEY]) expect(completedIn(region, volumeId)).toHaveLength(3);
    world.sim.tag(web.instanceId, { [COPY_TAG]: '1' });
    await world.clock.advanceTo(START + 3 * DAY);
    const day4 = await world.run();
    expect(day4.status).toBe('SUCCEEDED');
    for (const region of [IRELAND, SYDNEY]) {
      const copies = completedIn(region, volumeId);
      expect(copies).toHaveLength(1);
      expect(tagsOf(copies[0])[SnapshotTag.execution]).toBe('run-4');
    }
    expect(completedIn(HOME, volumeId)).toHaveLength(3);
    expect((await report(day4.output)).copies?.map((c) => c.deletedCount)).toEqual([3, 3]);
  });

  it('GIVEN a region removed from copyRegions WHEN run THEN its copies are left alone and the run says so', async () => {
    given();
    const { volumeIds } = world.sim.addInstance({
      name: 'web',
      tags: { [TAG]: '1', [COPY_TAG]: '1' },
      volumes: [{}],
    });
    const [volumeId] = volumeIds;
    await world.runDaily(2);
    expect(completedIn(SYDNEY, volumeId)).toHaveLength(1);
    const sydneyCopy = completedIn(SYDNEY, volumeId)[0].SnapshotId;
    // Sydney is no longer configured: its copy stays, however many runs go by.
    world.deployment.copyRegions = [{ region: IRELAND }];
    let last: Awaited<ReturnType<typeof world.run>> | undefined;
    for (const day of [2, 3]) {
      await world.clock.advanceTo(START + day * DAY);
      last = await world.run();
      expect(last.status).toBe('SUCCEEDED');
    }
    const output = last?.output as SummariseOutput;
    expect(output.retiredCopyRegions).toEqual([
      expect.objectContaining({ region: SYDNEY, copies: 1, message: expect.stringContaining('untouched') }),
    ]);
    expect(snapshotsIn(SYDNEY, volumeId).map((s) => s.SnapshotId)).toEqual([sydneyCopy]);
    // Ireland goes on: N=1 there, today's copy.
    expect(completedIn(IRELAND, volumeId)).toHaveLength(1);
    expect(tagsOf(completedIn(IRELAND, volumeId)[0])[SnapshotTag.execution]).toBe('run-4');
  });

  it('GIVEN more volumes than the destination allows copies at once WHEN run THEN the copies wait their turn and all are made', async () => {
    given({ concurrentCopyLimit: 2, copyCompletionDelayMs: 20 * MINUTE }, [IRELAND]);
    const volumeIds = [1, 2, 3].flatMap(
      (n) =>
        world.sim.addInstance({ name: `n${n}`, tags: { [TAG]: '1', [COPY_TAG]: '1' }, volumes: [{}, {}] })
          .volumeIds,
    );
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    expect(world.account.ec2In(IRELAND).calls().CopySnapshot.failed).toBeGreaterThan(0);
    for (const id of volumeIds) expect(completedIn(IRELAND, id)).toHaveLength(1);
  });

  /**
   * Takes every copy slot EC2 allows in `region` (CONCURRENT_COPY_LIMIT) with copies of someone
   * else's snapshot that complete `afterMs` from now: until then CopySnapshot there is refused.
   */
  const fillCopySlots = async (region: string, afterMs: number) => {
    const theirs = world.sim.addVolume();
    const source = world.sim.addSnapshot({ volumeId: theirs, description: 'not ours' });
    world.account.ec2In(region).setSnapshotOutcome(theirs, 'completed', { completionDelayMs: afterMs });
    const client = world.account.ec2Client(region);
    for (let i = 0; i < CONCURRENT_COPY_LIMIT; i++) {
      await client.send(new CopySnapshotCommand({ SourceRegion: HOME, SourceSnapshotId: source }));
    }
  };

  it('GIVEN every copy slot of the region held for 3 h WHEN run THEN the copy waits for a slot and is made: the wait is a guarantee, not an average', async () => {
    given({}, [IRELAND]);
    const { volumeIds } = world.sim.addInstance({
      name: 'db',
      tags: { [TAG]: '1', [COPY_TAG]: '1' },
      volumes: [{}],
    });
    const [volumeId] = volumeIds;
    await fillCopySlots(IRELAND, 3 * HOUR);

    const result = await world.run();

    expect(result.status).toBe('SUCCEEDED');
    expect(world.account.ec2In(IRELAND).calls().CopySnapshot.failed).toBeGreaterThan(0);
    const [copy] = completedIn(IRELAND, volumeId);
    // Refused from the moment its snapshot completed (10 min) until the slots freed, 2 h 50 min on:
    // longer than full jitter's average wait (about 1 h 37 min) for the same retrier.
    expect(new Date(copy.StartTime ?? 0).getTime()).toBeGreaterThanOrEqual(START + 3 * HOUR);
  });

  it('GIVEN every copy slot of the region held past the guaranteed wait WHEN run THEN that copy fails visibly, naming the volume and region, and the source region is backed up and pruned as usual', async () => {
    given({}, [IRELAND]);
    const { volumeIds } = world.sim.addInstance({
      name: 'db',
      tags: { [TAG]: '1', [COPY_TAG]: '1' },
      volumes: [{}],
    });
    const [volumeId] = volumeIds;
    const [day1] = await world.runDaily(1);
    expect(day1.status).toBe('SUCCEEDED');
    await world.clock.advanceTo(START + DAY);
    await fillCopySlots(IRELAND, copyLimitWaitGuaranteeSeconds() * 1000 + HOUR);

    const day2 = await world.run();

    expect(day2.status).toBe('FAILED');
    expect(day2.cause).toContain(`${volumeId} (i-`);
    expect(day2.cause).toContain(`in ${IRELAND}: CopySnapshot CopyLimitExceeded`);
    const home = completedIn(HOME, volumeId);
    expect(home).toHaveLength(1);
    expect(tagsOf(home[0])[SnapshotTag.execution]).toBe(day2.executionName);
    // Yesterday's copy stays: its region's retention never ran without today's copy.
    expect(completedIn(IRELAND, volumeId).map((s) => tagsOf(s)[SnapshotTag.execution])).toEqual(['run-1']);
  });

  it('GIVEN an invalid copy tag value THEN the run FAILS naming it, the volume is still backed up at home and its copies are untouched', async () => {
    given();
    const { volumeIds, instanceId } = world.sim.addInstance({
      name: 'web',
      tags: { [TAG]: '1', [COPY_TAG]: '1' },
      volumes: [{}],
    });
    const [volumeId] = volumeIds;
    await world.runDaily(1);
    world.sim.tag(instanceId, { [COPY_TAG]: 'two' });
    await world.clock.advanceTo(START + DAY);
    const day2 = await world.run();
    expect(day2.status).toBe('FAILED');
    expect(day2.cause).toContain(instanceId);
    expect(day2.cause).toContain(COPY_TAG);
    expect(completedIn(HOME, volumeId)).toHaveLength(1);
    expect(tagsOf(completedIn(HOME, volumeId)[0])[SnapshotTag.execution]).toBe('run-2');
    for (const region of [IRELAND, SYDNEY]) {
      const copies = snapshotsIn(region, volumeId);
      expect(copies.map((c) => tagsOf(c)[SnapshotTag.execution])).toEqual(['run-1']);
    }
  });

  it('GIVEN an encrypted volume and a key for one copy region THEN its copies there use that key and elsewhere the default key', async () => {
    world = givenWorkflow({ completionDelayMs: 10 * MINUTE, copyCompletionDelayMs: 30 * MINUTE }, {});
    const key = world.account.createKmsKey(IRELAND);
    world.deployment.copyRegions = [{ region: IRELAND, kmsKeyArn: key }, { region: SYDNEY }];
    const { volumeIds } = world.sim.addInstance({
      name: 'secret',
      tags: { [TAG]: '1', [COPY_TAG]: '1' },
      volumes: [{ encrypted: true }],
    });
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    const [ireland] = completedIn(IRELAND, volumeIds[0]);
    const [sydney] = completedIn(SYDNEY, volumeIds[0]);
    expect(ireland).toMatchObject({ Encrypted: true, KmsKeyId: key });
    expect(sydney).toMatchObject({ Encrypted: true, KmsKeyId: world.account.defaultEbsKmsKey(SYDNEY) });
  });

  it("GIVEN a dry run THEN the copies' retention is planned per region and nothing is created or deleted anywhere", async () => {
    given();
    const { volumeIds } = world.sim.addInstance({
      name: 'web',
      tags: { [TAG]: '2', [COPY_TAG]: '1' },
      volumes: [{}],
    });
    const [volumeId] = volumeIds;
    await world.runDaily(2);
    const before = [HOME, IRELAND, SYDNEY].map((r) => snapshotsIn(r, volumeId).length);
    await world.clock.advanceTo(START + 2 * DAY);
    const dry = await world.run({ dryRun: true });
    expect(dry.status).toBe('SUCCEEDED');
    expect([HOME, IRELAND, SYDNEY].map((r) => snapshotsIn(r, volumeId).length)).toEqual(before);
    const planned = await report(dry.output);
    expect(planned.copies?.map((c) => [c.region, c.dryRun, c.deletedCount])).toEqual([
      [SYDNEY, true, 1],
      [IRELAND, true, 1],
    ]);
    expect(dry.tasks).not.toContain(StateName.copyVolumes);
  });
});
