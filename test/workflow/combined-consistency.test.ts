import { getJson } from '../../lambdas/aws/json-store';
import type { RunReport } from '../../lambdas/contracts/run-documents';
import { runKey } from '../../lambdas/contracts/work-bucket';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { RunMetrics } from '../../local/benchmark/run-metrics';
import type { LocalExecutionResult } from '../../local/runner/local-execution';
import { EC2_DEFAULT_RATE_LIMITS, LOST_RESPONSE } from '../../local/simulated-account';
import { StateName } from '../../statemachine/names';
import { DAY, givenWorkflow, HOUR, ofRun, START, TAG, tagsOf } from '../fixtures/workflow';

const MINUTE = 60_000;
const COPY_TAG = 'Backup-Copy-Generation';
const REGIONS = ['eu-west-1', 'us-west-2'];
const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * Every consistency hazard of issue 15 in one run of the real definition, under EC2's rate
 * limits, with copies to two regions: listings 20 s late everywhere, a lost CreateSnapshot
 * answer, a lost CopySnapshot answer, an overlapping run with N=1, one new snapshot deleted by a
 * person mid-wait, and a 5,000-snapshot backlog. THEN exactly one snapshot per volume and one
 * copy per volume and region, nothing deleted beyond N, each volume's outcome as it should be,
 * and the run ends with its slowest live snapshot (3 h) and the backlog, not the 24 h wait limit.
 */
describe('exactly one backup per volume per run, all hazards at once (issue 15)', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  const copiesIn = (region: string, volumeId: string) =>
    world.account
      .ec2In(region)
      .allSnapshots()
      .filter((s) => tagsOf(s)[SnapshotTag.volumeId] === volumeId && s.State !== 'error');

  it('GIVEN lag, lost answers, an overlapping run, a deleted snapshot and a 5,000-snapshot backlog WHEN run THEN one snapshot and one copy per volume and region, nothing over-deleted, every outcome right, done with the slowest live snapshot', async () => {
    world = givenWorkflow(
      {
        completionDelayMs: 20 * MINUTE,
        copyCompletionDelayMs: 30 * MINUTE,
        rateLimits: EC2_DEFAULT_RATE_LIMITS,
      },
      { copyRegions: REGIONS.map((region) => ({ region })) },
    );
    const managed = (volumeId: string, days: number, runId: string) => ({
      volumeId,
      startTime: START - days * DAY,
      tags: {
        [SnapshotTag.managedBy]: world.deployment.managedBy,
        [SnapshotTag.volumeId]: volumeId,
        [SnapshotTag.runId]: runId,
      },
    });
    const add = (name: string, tags: Record<string, string>) =>
      world.sim.addInstance({ name, tags, volumes: [{}] });
    const web = add('web', { [TAG]: '2', [COPY_TAG]: '1' });
    const db = add('db', { [TAG]: '2', [COPY_TAG]: '2' });
    const archive = add('archive', { [TAG]: '500' });
    const slow = add('slow', { [TAG]: '1' });
    const gone = add('gone', { [TAG]: '1' });
    const app = add('app', { [TAG]: '1' });
    const [webVol, dbVol, archiveVol, slowVol, goneVol, appVol] = [web, db, archive, slow, gone, app].map(
      (i) => i.volumeIds[0],
    );
    // History: two generations each, and the archive's 5,000 adopted snapshots.
    for (const volumeId of [webVol, dbVol, slowVol, goneVol, appVol]) {
      for (const days of [2, 1]) world.sim.addSnapshot(managed(volumeId, days, `earlier-${days}`));
    }
    for (let i = 0; i < 5000; i++) {
      world.sim.addSnapshot({ ...managed(archiveVol, 0, 'adopted'), startTime: START - (i + 1) * HOUR });
    }
    world.sim.setSnapshotOutcome(slowVol, 'completed', { completionDelayMs: 3 * HOUR });
    for (const ec2 of [world.sim, ...REGIONS.map((r) => world.account.ec2In(r))])
      ec2.setVisibilityLag(20_000);
    world.sim.injectFault({ action: 'CreateSnapshot', error: LOST_RESPONSE, volumeId: webVol });
    world.account.ec2In(REGIONS[0]).injectFault({ action: 'CopySnapshot', error: LOST_RESPONSE });

    // A person deletes `gone`'s new snapshot 30 min in; run B (just `app`, N=1) starts 1 min in.
    setTimeout(() => {
      const [ours] = ofRun(world.sim.snapshotsOf(goneVol), 'run-1');
      world.sim.deleteSnapshot({ SnapshotId: ours.SnapshotId as string });
    }, 30 * MINUTE);
    let runB: Promise<LocalExecutionResult> | undefined;
    setTimeout(() => {
      runB = world.run({ instanceIds: [app.instanceId] });
    }, MINUTE);
    const metrics = new RunMetrics(
      new Set<string>([
        StateName.snapshotVolumes,
        StateName.pruneVolumes,
        StateName.copyVolumes,
        StateName.pruneCopies,
      ]),
    );
    const a = await world.run({}, { observer: { onEngineEvent: (e, map) => metrics.onEngineEvent(e, map) } });
    const b = await (runB as Promise<LocalExecutionResult>);
    const endedAfter = Date.now() - START;

    expect(b.status).toBe('SUCCEEDED');
    expect(a.status).toBe('FAILED');
    const report = await getJson<RunReport>(world.clients.s3, {
      bucket: world.deployment.bucket,
      key: runKey(a.executionName, 'report'),
    });
    // Only the volume whose new snapshot a person deleted fails; the overlapping run supersedes `app`.
    expect(report.failures.map((f) => [f.volumeId, f.step, f.region])).toEqual([
      [goneVol, StateName.pruneSnapshots, undefined],
    ]);
    expect(report.superseded.map((s) => s.volumeId)).toEqual([appVol]);
    expect(report.rerunInput).toEqual({ volumeIds: [goneVol] });

    // One snapshot of run A per volume (none left of `app`'s, pruned by B; none of `gone`'s, deleted).
    const snapshots = (volumeId: string) => world.managedSnapshots(volumeId);
    for (const volumeId of [webVol, dbVol, archiveVol, slowVol])
      expect(ofRun(snapshots(volumeId), 'run-1')).toHaveLength(1);
    expect(ofRun(snapshots(appVol), 'run-1')).toHaveLength(0);
    expect(ofRun(snapshots(appVol), b.executionName)).toHaveLength(1);
    // Nothing beyond N: web and db keep 2, the archive 500, slow and app 1; gone keeps both old ones.
    expect(snapshots(webVol)).toHaveLength(2);
    expect(snapshots(dbVol)).toHaveLength(2);
    expect(snapshots(archiveVol)).toHaveLength(500);
    expect(snapshots(slowVol)).toHaveLength(1);
    expect(snapshots(appVol)).toHaveLength(1);
    expect(snapshots(goneVol)).toHaveLength(2);
    // One copy per volume and region, made from run A's snapshot, despite the lost answer.
    for (const region of REGIONS) {
      for (const volumeId of [webVol, dbVol]) {
        const copies = copiesIn(region, volumeId);
        expect(copies).toHaveLength(1);
        expect(tagsOf(copies[0])[SnapshotTag.execution]).toBe('run-1');
      }
    }
    // Done with the slowest live snapshot (3 h), the backlog's 4,501 deletions (a child paced to
    // its part of the deployment's share: 1.25 s each, 94 min) and the copies after them, never
    // the 24 h wait limit.
    expect(endedAfter).toBeLessThan(6 * HOUR);
    expect(metrics.maxPayloadBytes).toBeLessThan(MAX_PAYLOAD_BYTES / 8);
  });
});
