import type { RunReport } from '../../lambdas/contracts/run-documents';
import { DEFAULT_CONSISTENCY_TAG_KEY, setDescription } from '../../lambdas/contracts/sets';
import { runKey } from '../../lambdas/contracts/work-bucket';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { redriveLocalExecution } from '../../local/runner/local-execution';
import { HANG, LOST_RESPONSE, script } from '../../local/simulated-account';
import { snapshotScriptsDocument } from '../../local/simulated-account/ssm-documents';
import { StateName } from '../../statemachine/names';
import { DAY, givenWorkflow, ofRun, START, TAG, tagsOf } from '../fixtures/workflow';

const MINUTE = 60_000;
const MODE = DEFAULT_CONSISTENCY_TAG_KEY;

/**
 * Consistent backups of multi-volume instances (SPEC §12) on the real definition, run locally
 * against the simulated account: CreateSnapshots for the sets, SSM Run Command for the scripts.
 */
describe('consistent sets of multi-volume instances (SPEC §12)', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  /**
   * One instance of each mode: web (volume: root and data), db (instance: root, data, log with its
   * own N=2, scratch excluded by its own tag 0), app (application: root and data, its scripts
   * scripted per test). Every instance keeps 3 generations.
   */
  function givenFleet(deployment: Parameters<typeof givenWorkflow>[1] = {}) {
    world = givenWorkflow({ completionDelayMs: 10 * MINUTE }, deployment);
    const web = world.sim.addInstance({ name: 'web', tags: { [TAG]: '3' }, volumes: [{}, {}] });
    const db = world.sim.addInstance({
      name: 'db',
      tags: { [TAG]: '3', [MODE]: 'instance' },
      volumes: [{}, {}, { tags: { [TAG]: '2' } }, { tags: { [TAG]: '0' } }],
    });
    const app = world.sim.addInstance({
      name: 'app',
      tags: { [TAG]: '3', [MODE]: ' application ' },
      volumes: [{}, {}],
    });
    world.account.ssm.createDocument(snapshotScriptsDocument(world.deployment.scriptDocument));
    world.account.ssm.registerInstance(app.instanceId);
    return { web, db, app };
  }

  const report = async (executionName: string) => {
    const s3 = world.clients.s3;
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const object = await s3.send(
      new GetObjectCommand({ Bucket: world.deployment.bucket, Key: runKey(executionName, 'report') }),
    );
    return JSON.parse(
      await (object.Body as { transformToString(): Promise<string> }).transformToString(),
    ) as RunReport;
  };

  it('GIVEN one instance of each mode WHEN run daily THEN volume mode per volume, each set by one CreateSnapshots call at one StartTime, exclusions kept out, and each volume pruned to its own N', async () => {
    const { web, db, app } = givenFleet();
    world.account.ssm.setScriptOutcome(app.instanceId, script.succeeds({ afterMs: 2_000 }));
    const results = await world.runDaily(4);
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);

    // One set per run for each of db and app; per-volume snapshots for web.
    expect(world.sim.snapshotSetsOf(db.instanceId)).toHaveLength(4);
    expect(world.sim.snapshotSetsOf(app.instanceId)).toHaveLength(4);
    expect(world.sim.snapshotSetsOf(web.instanceId)).toHaveLength(0);
    expect(world.sim.calls().CreateSnapshots.succeeded).toBe(8);
    expect(world.sim.calls().CreateSnapshot.succeeded).toBe(8);

    const [dbRoot, dbData, dbLog, dbScratch] = db.volumeIds;
    const run4 = (volumeId: string) => ofRun(world.managedSnapshots(volumeId), 'run-4');
    const dbSet = [dbRoot, dbData, dbLog].map((v) => run4(v)[0]);
    expect(new Set(dbSet.map((s) => new Date(s.StartTime as Date).getTime())).size).toBe(1);
    expect(new Set(dbSet.map((s) => tagsOf(s)[SnapshotTag.setId])).size).toBe(1);
    for (const snapshot of dbSet) {
      expect(snapshot.Description).toBe(setDescription(db.instanceId, 'db'));
      expect(tagsOf(snapshot)).toMatchObject({
        [SnapshotTag.managedBy]: world.deployment.managedBy,
        [SnapshotTag.volumeId]: snapshot.VolumeId,
        [SnapshotTag.instanceId]: db.instanceId,
        [SnapshotTag.consistency]: 'crash',
      });
    }
    // The excluded volume has no snapshot at all; the log volume keeps its own 2, the others 3.
    expect(world.sim.snapshotsOf(dbScratch)).toHaveLength(0);
    expect(world.managedSnapshots(dbLog)).toHaveLength(2);
    expect(world.managedSnapshots(dbData)).toHaveLength(3);
    expect(world.managedSnapshots(dbRoot)).toHaveLength(3);
    for (const volumeId of [...web.volumeIds, ...app.volumeIds])
      expect(world.managedSnapshots(volumeId)).toHaveLength(3);

    // The application's set was taken between its scripts, each run once per run.
    for (const volumeId of app.volumeIds)
      expect(tagsOf(run4(volumeId)[0])[SnapshotTag.consistency]).toBe('application');
    const comments = world.account.ssm.invocationsTo(app.instanceId).map((i) => i.Comment ?? '');
    expect(comments.filter((c) => c.startsWith('ebs-backup pre-snapshot'))).toHaveLength(4);
    expect(comments.filter((c) => c.startsWith('ebs-backup post-snapshot'))).toHaveLength(4);
  });

  it('GIVEN a pre-script that fails WHEN run THEN the set is still taken crash-consistent, the post-script runs, the volumes are pruned, and the run FAILS naming the instance and its volumes', async () => {
    const { app } = givenFleet();
    world.account.ssm.setScriptOutcome(app.instanceId, script.succeeds());
    world.account.ssm.setScriptOutcome(
      app.instanceId,
      script.fails(2, { stderr: 'pg_start_backup: could not connect\n' }),
      {
        parameterContains: 'pre',
      },
    );
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('PreScriptFailed');
    expect(result.cause).toContain(app.instanceId);
    for (const volumeId of app.volumeIds) expect(result.cause).toContain(volumeId);
    expect(result.cause).toContain('pg_start_backup: could not connect');
    const [set] = world.sim.snapshotSetsOf(app.instanceId);
    expect(set).toBeDefined();
    for (const volumeId of app.volumeIds) {
      expect(tagsOf(ofRun(world.managedSnapshots(volumeId), 'run-1')[0])[SnapshotTag.consistency]).toBe(
        'crash',
      );
    }
    const comments = world.account.ssm.invocationsTo(app.instanceId).map((i) => i.Comment ?? '');
    expect(comments.some((c) => c.startsWith('ebs-backup post-snapshot'))).toBe(true);
    const failures = (await report('run-1')).failures.filter((f) => f.instanceId === app.instanceId);
    expect(failures.map((f) => [f.volumeId, f.step, f.error])).toEqual(
      app.volumeIds.map((v) => [v, StateName.preScript, 'PreScriptFailed']).sort(),
    );
  });

  it('GIVEN an SSM agent that is offline WHEN run THEN it is reported, not waited for: crash-consistent set, no post-script, FAILED with AgentOffline', async () => {
    const { app } = givenFleet();
    world.account.ssm.setAgentStatus(app.instanceId, 'connection-lost');
    const started = world.clock.now();
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('AgentOffline');
    expect(world.sim.snapshotSetsOf(app.instanceId)).toHaveLength(1);
    const comments = world.account.ssm.invocationsTo(app.instanceId).map((i) => i.Comment ?? '');
    expect(comments.filter((c) => c.startsWith('ebs-backup post-snapshot'))).toHaveLength(0);
    // Not waited for: the set was taken within a minute of the run's start.
    const [set] = world.sim.snapshotSetsOf(app.instanceId);
    expect(new Date(set[0].StartTime as Date).getTime() - started).toBeLessThan(MINUTE);
  });

  it('GIVEN a post-script that fails WHEN run THEN PostScriptFailed says the application may be left frozen, the set is kept and pruned', async () => {
    const { app } = givenFleet();
    world.account.ssm.setScriptOutcome(app.instanceId, script.succeeds());
    world.account.ssm.setScriptOutcome(app.instanceId, script.fails(1), { parameterContains: 'post' });
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('PostScriptFailed');
    expect(result.cause).toContain('may be left frozen');
    for (const volumeId of app.volumeIds) expect(world.managedSnapshots(volumeId)).toHaveLength(1);
  });

  it('GIVEN preScriptFailure skip and a pre-script that times out WHEN run THEN no set is taken and the run FAILS saying so', async () => {
    const { app } = givenFleet({ preScriptFailure: 'skip', scriptTimeoutSeconds: 10 });
    world.account.ssm.setScriptOutcome(app.instanceId, script.hangs(), { parameterContains: 'pre' });
    world.account.ssm.setScriptOutcome(app.instanceId, script.succeeds(), { parameterContains: 'post' });
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('no set taken');
    expect(world.sim.snapshotSetsOf(app.instanceId)).toHaveLength(0);
  });

  it('GIVEN CreateSnapshots refused for an instance WHEN run THEN SnapshotSetFailed names the instance and each volume, whose older generations are kept; the other instances go on', async () => {
    const { db, web } = givenFleet();
    world.sim.injectFault({
      action: 'CreateSnapshots',
      instanceId: db.instanceId,
      error: 'UnauthorizedOperation',
      times: 5,
    });
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('SnapshotSetFailed');
    expect(result.cause).toContain('UnauthorizedOperation');
    const failures = (await report('run-1')).failures.filter((f) => f.instanceId === db.instanceId);
    expect(failures.map((f) => [f.volumeId, f.step])).toEqual(
      db.volumeIds
        .slice(0, 3)
        .map((v) => [v, StateName.createSnapshotSet])
        .sort(),
    );
    for (const volumeId of db.volumeIds) expect(world.managedSnapshots(volumeId)).toHaveLength(0);
    for (const volumeId of web.volumeIds) expect(world.managedSnapshots(volumeId)).toHaveLength(1);
  });

  it('GIVEN a lost CreateSnapshots response and a listing 20 s late WHEN run THEN exactly one set, found by ConfirmSnapshotSet', async () => {
    const { db } = givenFleet();
    world.sim.setVisibilityLag(20_000);
    world.sim.injectFault({ action: 'CreateSnapshots', instanceId: db.instanceId, error: LOST_RESPONSE });
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    expect(world.sim.snapshotSetsOf(db.instanceId)).toHaveLength(1);
  });

  it('GIVEN CreateSnapshotSet timing out while its call took effect, reported as Lambda.Unknown WHEN run THEN the set is confirmed, not made again: one set', async () => {
    const { db } = givenFleet();
    world.sim.setVisibilityLag(20_000);
    world.sim.injectFault({ action: 'CreateSnapshots', instanceId: db.instanceId, error: HANG });
    const result = await world.run({}, { lambdaTimeoutError: 'Lambda.Unknown' });
    expect(result.status).toBe('SUCCEEDED');
    expect(world.sim.snapshotSetsOf(db.instanceId)).toHaveLength(1);
    for (const volumeId of db.volumeIds.slice(0, 3)) expect(world.managedSnapshots(volumeId)).toHaveLength(1);
  });

  it('GIVEN a stop while CreateSnapshots hangs, then a redrive WHEN the set child is redriven THEN it finds the set: exactly one', async () => {
    const { db } = givenFleet();
    world.sim.setVisibilityLag(20_000);
    world.sim.injectFault({ action: 'CreateSnapshots', instanceId: db.instanceId, error: HANG });
    const stopped = await world.run(
      {},
      { stopWhen: () => world.sim.snapshotSetsOf(db.instanceId).length > 0 },
    );
    expect(stopped.status).toBe('ABORTED');
    const redriven = await world.clock.settle(
      redriveLocalExecution(stopped, { clients: world.clients, deployment: world.deployment }),
    );
    expect(redriven.redriveCount).toBe(1);
    expect(world.sim.snapshotSetsOf(db.instanceId)).toHaveLength(1);
    for (const volumeId of db.volumeIds.slice(0, 3)) {
      expect(world.managedSnapshots(volumeId)).toHaveLength(1);
    }
  });

  it('GIVEN an invalid consistency value WHEN run THEN the instance is reported invalid naming the key, its volumes are backed up one by one, and the run FAILS', async () => {
    world = givenWorkflow();
    const odd = world.sim.addInstance({
      name: 'odd',
      tags: { [TAG]: '2', [MODE]: 'Instance' },
      volumes: [{}, {}],
    });
    const result = await world.run();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain(MODE);
    expect(world.sim.snapshotSetsOf(odd.instanceId)).toHaveLength(0);
    for (const volumeId of odd.volumeIds) expect(world.managedSnapshots(volumeId)).toHaveLength(1);
  });

  it('GIVEN sets and volumes on their own WHEN run THEN SnapshotSets runs beside SnapshotVolumes (a branch each), not after it', async () => {
    const { db } = givenFleet();
    // Many volumes on their own keep SnapshotVolumes busy for minutes at its paced rate.
    const own = Array.from({ length: 8 }, (_, i) =>
      world.sim.addInstance({ name: `web-${i}`, tags: { [TAG]: '1' }, volumes: [{}, {}, {}] }),
    ).flatMap((instance) => instance.volumeIds);
    const result = await world.run();
    expect(result.status).toBe('SUCCEEDED');
    const [set] = world.sim.snapshotSetsOf(db.instanceId);
    const setTime = new Date(set[0].StartTime as Date).getTime();
    const volumeTimes = own
      .flatMap((v) => world.managedSnapshots(v))
      .map((s) => new Date(s.StartTime as Date).getTime());
    expect(volumeTimes).toHaveLength(own.length);
    expect(setTime).toBeLessThan(Math.max(...volumeTimes));
  });

  it('GIVEN a dry run WHEN instances are taken as sets THEN no set is made and the run plans each set volume', async () => {
    const { db } = givenFleet();
    const result = await world.run({ dryRun: true });
    expect(result.status).toBe('SUCCEEDED');
    expect(world.sim.calls().CreateSnapshots.succeeded).toBe(0);
    expect(world.account.ssm.calls().SendCommand.succeeded).toBe(0);
    const { plan } = result.output as { plan: { create: string[] } };
    expect(plan.create.join(' ')).toContain(db.volumeIds[1]);
  });

  it('GIVEN a day with sets WHEN the next day runs THEN pruning counts a set snapshot as its volume generation (marker + volume id family)', async () => {
    const { db } = givenFleet();
    await world.runDaily(2);
    const [, dbData] = db.volumeIds;
    const days = world.managedSnapshots(dbData).map((s) => new Date(s.StartTime as Date).getTime());
    expect(days.sort()).toEqual([START, START + DAY]);
  });
});
