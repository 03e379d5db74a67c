import { getJson } from '../../lambdas/aws/json-store';
import type { RunReport, SummariseOutput } from '../../lambdas/contracts/run-documents';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { MAX_LISTED } from '../../lambdas/steps/prune-volume';
import { redriveLocalExecution } from '../../local/runner/local-execution';
import { EC2_DEFAULT_RATE_LIMITS, HANG } from '../../local/simulated-account';
import { StateName } from '../../statemachine/names';
import { DAY, givenWorkflow, HOUR, START, TAG } from '../fixtures/workflow';

const MINUTE = 60_000;

/**
 * The ways a real account breaks a run (AWS's re-entry, consistency and throttling semantics),
 * each on the real definition run locally against the simulated account.
 */
describe('hardening: the workflow under real-account semantics', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  const report = async (output: unknown) =>
    getJson<RunReport>(world.clients.s3, (output as SummariseOutput).report);

  it('GIVEN sporadic throttling over a 6 h wait WHEN run THEN the wait goes on and the run SUCCEEDS', async () => {
    // A Retry's MaxAttempts counts across the whole state: ~30 polls with 30 % throttled used to
    // exhaust the 8 attempts of the throttling retrier and fail the run at AwaitSnapshots.
    world = givenWorkflow({ completionDelayMs: 6 * HOUR, seed: 7 });
    const { volumeIds } = world.sim.addInstance({ name: 'web', tags: { [TAG]: '1' }, volumes: [{}, {}] });
    world.sim.injectFault({ action: 'DescribeSnapshots', error: 'RequestLimitExceeded', probability: 0.3 });
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    expect(world.sim.calls().DescribeSnapshots.throttled).toBeGreaterThan(8);
    expect(result.tasks.filter((t) => t === 'AwaitSnapshots').length).toBeGreaterThan(20);
    for (const id of volumeIds) expect(world.managedSnapshots(id)).toHaveLength(1);
  });

  it('GIVEN AwaitSnapshots fails outright WHEN run THEN the run still prunes and Summarise names every failed volume', async () => {
    world = givenWorkflow();
    const { volumeIds } = world.sim.addInstance({ name: 'web', tags: { [TAG]: '1' }, volumes: [{}] });
    world.sim.injectFault({ action: 'DescribeSnapshots', error: 'UnauthorizedOperation' });
    const result = await world.run();
    // The first turn of the pruning loop fails; ListUnprunedVolumes waits for SnapshotVolumes to end
    // and hands every volume to PruneVolumes, without polling; the turn after ends the loop.
    expect([...new Set(result.tasks)]).toEqual([
      'Discover',
      'SnapshotAndPrune',
      'AwaitSnapshots',
      'SnapshotVolumes',
      'ListUnprunedVolumes',
      'RecordSnapshotRun',
      'PruneVolumes',
      'Summarise',
    ]);
    expect(result.tasks.filter((t) => t === 'PruneVolumes')).toHaveLength(1);
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain(`${volumeIds[0]} (`);
    expect(result.cause).toContain('PruneSnapshots SnapshotNotCompleted');
    const full = await getJson<RunReport>(world.clients.s3, {
      bucket: world.deployment.bucket,
      key: 'runs/run-1/report.json',
    });
    expect(full.waitError).toEqual({ error: 'UnauthorizedOperation', message: expect.any(String) });
    expect(full.failures.map((f) => f.volumeId)).toEqual(volumeIds);
  });

  it('GIVEN EC2 lists new snapshots 10 min late WHEN run THEN the wait waits for them and every volume is pruned', async () => {
    // EC2 is eventually consistent: an empty listing used to read as "nothing pending", and
    // every volume then failed with "created no snapshot of it".
    world = givenWorkflow({ completionDelayMs: 5 * MINUTE, visibilityLagMs: 10 * MINUTE });
    const { volumeIds } = world.sim.addInstance({ name: 'web', tags: { [TAG]: '1' }, volumes: [{}, {}] });
    const results = await world.runDaily(2);
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const last = await report(results[1].output);
    expect(last.volumes.map((v) => v.deletedCount)).toEqual([1, 1]);
    for (const id of volumeIds) expect(world.managedSnapshots(id)).toHaveLength(1);
  });

  it("GIVEN an overlapping run pruned this run's snapshot WHEN this run prunes THEN superseded, not failed", async () => {
    world = givenWorkflow({ completionDelayMs: 20 * MINUTE });
    const web = world.sim.addInstance({ name: 'web', tags: { [TAG]: '1' }, volumes: [{}] });
    const slow = world.sim.addInstance({ name: 'slow', tags: { [TAG]: '1' }, volumes: [{}] });
    world.sim.setSnapshotOutcome(slow.volumeIds[0], 'completed', { completionDelayMs: 3 * HOUR });
    // Run A waits 3 h for `slow`; meanwhile run B (just `web`) completes and prunes web with N=1.
    const runA = world.run();
    let runB: ReturnType<typeof world.run> | undefined;
    setTimeout(() => {
      runB = world.run({ instanceIds: [web.instanceId] });
    }, MINUTE);
    const a = await runA;
    const b = await (runB as ReturnType<typeof world.run>);
    expect(b.status).toBe('SUCCEEDED');
    expect(a.status).toBe('SUCCEEDED');
    const aReport = await report(a.output);
    const [newest] = world.managedSnapshots(web.volumeIds[0]);
    expect(aReport.superseded).toEqual([{ volumeId: web.volumeIds[0], supersededBy: newest.SnapshotId }]);
    expect(world.managedSnapshots(web.volumeIds[0])).toHaveLength(1);
    expect((a.output as SummariseOutput).counts.volumesSuperseded).toBe(1);
  });

  it('GIVEN an execution of the same name 110 days ago WHEN a throttled create is retried THEN a new snapshot is made', async () => {
    // Execution names repeat after 90 days: the old snapshot must not pass for this run's.
    world = givenWorkflow();
    const { volumeIds } = world.sim.addInstance({ name: 'web', tags: { [TAG]: '5' }, volumes: [{}] });
    await world.run({}, { executionName: 'nightly' });
    await world.clock.advanceTo(START + 110 * DAY);
    world.sim.injectFault({ action: 'CreateSnapshot', error: 'RequestLimitExceeded' });
    const again = await world.run({}, { executionName: 'nightly' });
    expect(again.status).toBe('SUCCEEDED');
    const snapshots = world.managedSnapshots(volumeIds[0]);
    expect(snapshots).toHaveLength(2);
    const runIds = snapshots.map((s) => s.Tags?.find((t) => t.Key === SnapshotTag.runId)?.Value);
    expect(new Set(runIds).size).toBe(2);
  });

  it('GIVEN 1,000 generations on one volume and N=1 WHEN run under EC2 rate limits THEN all are pruned within the run', async () => {
    world = givenWorkflow({ rateLimits: EC2_DEFAULT_RATE_LIMITS });
    const { volumeIds } = world.sim.addInstance({ name: 'db', tags: { [TAG]: '1' }, volumes: [{}] });
    const volumeId = volumeIds[0];
    for (let i = 0; i < 1000; i++) {
      world.sim.addSnapshot({
        volumeId,
        startTime: START - (i + 1) * HOUR,
        tags: { [SnapshotTag.managedBy]: world.deployment.managedBy, [SnapshotTag.volumeId]: volumeId },
      });
    }
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    expect(world.managedSnapshots(volumeId)).toHaveLength(1);
    const full = await report(result.output);
    expect(full.volumes[0]).toMatchObject({ deletedCount: 1000, more: false });
    expect(full.volumes[0].deleted).toHaveLength(MAX_LISTED);
    expect((result.output as SummariseOutput).counts.snapshotsDeleted).toBe(1000);
  });

  it('GIVEN a run stopped while CreateSnapshot invocations ran on WHEN redriven the next morning THEN no second snapshot of any volume', async () => {
    // AWS redrives an aborted STANDARD child with its original input: the parent's RedriveCount
    // frozen there still reads 0 and the child's RetryCount restarts at 0; only the child's own
    // $$.Execution.RedriveCount tells that its earlier invocation may have created the snapshot.
    world = givenWorkflow({}, { snapshotConcurrency: 2 });
    const { volumeIds } = world.sim.addInstance({
      name: 'web',
      tags: { [TAG]: '2' },
      volumes: [{}, {}, {}, {}],
    });
    // The first volume's CreateSnapshot takes effect but its answer never comes: that child is
    // still running when the execution is stopped.
    const [first] = [...volumeIds].sort();
    world.sim.injectFault({ action: 'CreateSnapshot', error: HANG, volumeId: first });
    const stopped = await world.run(
      {},
      { stopWhen: (e) => e.type === 'child' && e.map === StateName.snapshotVolumes && e.finished === 1 },
    );
    expect(stopped.status).toBe('ABORTED');
    const children = stopped.mapRuns[StateName.snapshotVolumes][0].children;
    expect(children[0]?.result.Status).toBe('ABORTED');
    expect(world.managedSnapshots(first)).toHaveLength(1);

    await world.clock.advance(8 * HOUR);
    const redriven = await world.clock.settle(
      redriveLocalExecution(stopped, { clients: world.clients, deployment: world.deployment }),
    );
    expect(redriven.status).toBe('SUCCEEDED');
    for (const id of volumeIds) expect(world.managedSnapshots(id)).toHaveLength(1);
  });

  it('GIVEN a CreateSnapshot whose answer never comes WHEN run THEN the Lambda timeout is retried and the snapshot found, not made twice', async () => {
    world = givenWorkflow();
    const { volumeIds } = world.sim.addInstance({ name: 'web', tags: { [TAG]: '1' }, volumes: [{}] });
    world.sim.injectFault({ action: 'CreateSnapshot', error: HANG });
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    expect(world.managedSnapshots(volumeIds[0])).toHaveLength(1);
    expect(world.sim.calls().CreateSnapshot.succeeded).toBe(1);
  });
});
