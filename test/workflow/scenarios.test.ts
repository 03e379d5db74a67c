import { getJson } from '../../lambdas/aws/json-store';
import type { RunReport, SummariseOutput } from '../../lambdas/contracts/run-documents';
import { LOST_RESPONSE } from '../../local/simulated-account';
import { DAY, givenWorkflow, HOUR, START, TAG } from '../fixtures/workflow';

describe('the workflow run locally against a simulated account (SPEC §3–§6)', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  /** Two instances: web (N=2, two volumes) and db (N=3, one volume). */
  function givenFleet(ec2: Parameters<typeof givenWorkflow>[0] = {}) {
    world = givenWorkflow(ec2);
    const web = world.sim.addInstance({ name: 'web', tags: { [TAG]: '2' }, volumes: [{}, {}] });
    const db = world.sim.addInstance({ name: 'db', tags: { [TAG]: '3' }, volumes: [{}] });
    return { web, db, volumes: [...web.volumeIds, ...db.volumeIds] };
  }

  it('GIVEN a fleet WHEN run daily for 4 days THEN every run succeeds and retention converges to N', async () => {
    const { web, db } = givenFleet();
    const results = await world.runDaily(4);
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect([...new Set(results[0].tasks)]).toEqual([
      'Discover',
      'SnapshotAndPrune',
      // The pruning loop starts beside the snapshot fan-out.
      'AwaitSnapshots',
      'SnapshotVolumes',
      'RecordSnapshotRun',
      'PruneVolumes',
      'Summarise',
    ]);
    expect(results[0].tasks.filter((t) => t === 'AwaitSnapshots').length).toBeGreaterThan(1);
    for (const id of web.volumeIds) expect(world.managedSnapshots(id)).toHaveLength(2);
    expect(world.managedSnapshots(db.volumeIds[0])).toHaveLength(3);
    const last = results[3].output as SummariseOutput;
    expect(last.counts).toEqual(
      expect.objectContaining({ volumes: 3, volumesFailed: 0, snapshotsDeleted: 3 }),
    );
  });

  it('GIVEN one volume always throttled WHEN run THEN it alone fails, the others are backed up and pruned, FAILED names it', async () => {
    const { web, db } = givenFleet();
    await world.runDaily(2);
    const victim = web.volumeIds[0];
    const before = world.managedSnapshots(victim).map((s) => s.SnapshotId);
    world.sim.injectFault({
      action: 'CreateSnapshot',
      error: 'RequestLimitExceeded',
      volumeId: victim,
      times: 1000,
    });
    await world.clock.advanceTo(START + 2 * DAY);
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('BackupFailed');
    expect(result.cause).toMatch(/^1 volume failed, 0 invalid tag values/);
    expect(result.cause).toContain(
      `${victim} (${web.instanceId} web): CreateSnapshot Ec2Throttled: RequestLimitExceeded`,
    );
    expect(world.managedSnapshots(victim).map((s) => s.SnapshotId)).toEqual(before);
    expect(world.managedSnapshots(web.volumeIds[1])).toHaveLength(2);
    expect(world.managedSnapshots(db.volumeIds[0])).toHaveLength(3);
  });

  it('GIVEN transient throttling and 5xx WHEN run THEN retried and SUCCEEDED, one snapshot per volume', async () => {
    const { volumes } = givenFleet();
    world.sim.injectFault({ action: 'CreateSnapshot', error: 'RequestLimitExceeded', times: 4 });
    world.sim.injectFault({ action: 'DescribeSnapshots', error: 'InternalError', times: 2 });
    world.sim.injectFault({ action: 'DescribeInstances', error: 'RequestLimitExceeded', times: 1 });
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    for (const id of volumes) expect(world.managedSnapshots(id)).toHaveLength(1);
  });

  it('GIVEN one invalid tag WHEN run THEN FAILED naming the instance and value, the rest done', async () => {
    const { volumes } = givenFleet();
    const bad = world.sim.addInstance({ name: 'typo', tags: { [TAG]: 'two' }, volumes: [{}] });
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain(`instance ${bad.instanceId}: tag value "two" is not a whole number`);
    for (const id of volumes) expect(world.managedSnapshots(id)).toHaveLength(1);
    expect(world.sim.snapshotsOf(bad.volumeIds[0])).toEqual([]);
  });

  it('GIVEN a new snapshot ends in error WHEN run THEN its volume is not pruned and the run FAILED', async () => {
    const { db } = givenFleet();
    await world.runDaily(4);
    const volume = db.volumeIds[0];
    const before = world.managedSnapshots(volume).map((s) => s.SnapshotId);
    world.sim.setSnapshotOutcome(volume, 'error');
    await world.clock.advanceTo(START + 4 * DAY);
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain(`${volume} (${db.instanceId} db): PruneSnapshots SnapshotNotCompleted`);
    expect(result.cause).toContain('ended in state error');
    const after = world.managedSnapshots(volume).map((s) => s.SnapshotId);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  it('GIVEN a snapshot pending past the wait limit WHEN run THEN FAILED as timed out, its volume untouched', async () => {
    world = givenWorkflow({}, { waitLimitSeconds: 2 * 3600 });
    const { volumeIds } = world.sim.addInstance({ name: 'slow', tags: { [TAG]: '1' }, volumes: [{}] });
    world.sim.addSnapshot({
      volumeId: volumeIds[0],
      startTime: START - DAY,
      tags: { 'Backup-Managed-By': world.deployment.managedBy, 'Backup-Volume-Id': volumeIds[0] },
    });
    world.sim.setSnapshotOutcome(volumeIds[0], 'stuck-pending');
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('still pending when the wait ended');
    expect(world.managedSnapshots(volumeIds[0])).toHaveLength(2);
    expect(world.clock.now() - START).toBeGreaterThanOrEqual(2 * HOUR);
    expect(world.clock.now() - START).toBeLessThan(4 * HOUR);
  });

  it('GIVEN an old generation backing an AMI WHEN run THEN SUCCEEDED with the skip reported', async () => {
    world = givenWorkflow();
    const { volumeIds } = world.sim.addInstance({ name: 'app', tags: { [TAG]: '1' }, volumes: [{}] });
    await world.runDaily(1);
    const [first] = world.managedSnapshots(volumeIds[0]);
    world.sim.registerImage(first.SnapshotId ?? '');
    await world.clock.advanceTo(START + DAY);
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    const output = result.output as SummariseOutput;
    expect(output.counts.deletionsSkipped).toBe(1);
    expect(output.skippedDeletions).toEqual([
      { snapshotId: first.SnapshotId, reason: expect.stringContaining('InvalidSnapshot.InUse') },
    ]);
  });

  it('GIVEN dryRun WHEN run THEN the plan is listed and nothing is created or deleted', async () => {
    const { volumes } = givenFleet();
    await world.runDaily(3);
    const before = world.sim.allSnapshots().map((s) => s.SnapshotId);
    const result = await world.run({ dryRun: true });
    expect(result.status).toBe('SUCCEEDED');
    // Nothing to wait for: one batch of every volume, planned, and the turn that ends the loop.
    expect(result.tasks).toEqual([
      'Discover',
      'SnapshotAndPrune',
      'AwaitSnapshots',
      'RecordSnapshotRun',
      'PruneVolumes',
      'AwaitSnapshots',
      'Summarise',
    ]);
    const output = result.output as SummariseOutput;
    expect(output.plan?.create).toHaveLength(volumes.length);
    expect(output.plan?.delete).toHaveLength(3);
    expect(world.sim.allSnapshots().map((s) => s.SnapshotId)).toEqual(before);
    expect(world.sim.calls().CreateSnapshot.succeeded + world.sim.calls().DeleteSnapshot.succeeded).toBe(
      3 * 3 + 2,
    );
  });

  it.each([
    [{ generations: 3 }, 'generations: unknown field'],
    [{ dryRun: 'yes' }, 'dryRun: must be true or false'],
    [{ instanceIds: ['web-1'] }, 'instanceIds[0]: must be an instance ID'],
  ])(
    'GIVEN input %j WHEN run THEN it fails at once with InvalidInput naming the field',
    async (input, message) => {
      givenFleet();
      const result = await world.run(input);
      expect(result.status).toBe('FAILED');
      expect(result.error).toBe('InvalidInput');
      expect(result.cause).toContain(message);
      expect(result.tasks).toEqual(['Discover']);
      expect(world.sim.allSnapshots()).toEqual([]);
    },
  );

  it('GIVEN the CreateSnapshot response is lost WHEN the step is retried THEN one snapshot for the execution', async () => {
    const { volumes } = givenFleet();
    world.sim.injectFault({ action: 'CreateSnapshot', error: LOST_RESPONSE, volumeId: volumes[0] });
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    expect(world.sim.snapshotsOf(volumes[0])).toHaveLength(1);
  });

  it('GIVEN two executions overlap WHEN both finish THEN each made one snapshot per volume and exactly N remain', async () => {
    const { web, db } = givenFleet();
    await world.runDaily(3);
    await world.clock.advanceTo(START + 3 * DAY);
    const [a, b] = await Promise.all([world.run(), world.run()]);
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const executionOf = (s: { Tags?: { Key?: string; Value?: string }[] }) =>
      s.Tags?.find((t) => t.Key === 'Backup-Execution')?.Value;
    for (const [ids, n] of [
      [web.volumeIds, 2],
      [db.volumeIds, 3],
    ] as const) {
      for (const id of ids) {
        const remaining = world.managedSnapshots(id);
        expect(remaining).toHaveLength(n);
        expect(remaining.map(executionOf)).toEqual(
          expect.arrayContaining([a.executionName, b.executionName]),
        );
      }
    }
  });

  it('GIVEN a run WHEN it ends THEN the full report is in S3', async () => {
    givenFleet();
    const result = await world.run();
    const output = result.output as SummariseOutput;
    const report = await getJson<RunReport>(world.clients.s3, output.report);
    expect(report.volumes).toHaveLength(3);
    expect(report.outcome).toBe('SUCCEEDED');
  });
});
