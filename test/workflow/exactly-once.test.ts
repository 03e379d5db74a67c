import { LISTING_LAG_TOLERANCE_MS } from '../../lambdas/core/listing-lag';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { redriveLocalExecution } from '../../local/runner/local-execution';
import { HANG, LOST_RESPONSE } from '../../local/simulated-account';
import { StateName } from '../../statemachine/names';
import { DAY, givenWorkflow, ofRun, START, TAG, tagsOf } from '../fixtures/workflow';

const MINUTE = 60_000;
const COPY_TAG = 'Backup-Copy-Generation';
const IRELAND = 'eu-west-1';

/**
 * Exactly one snapshot (and one copy) per volume per run under EC2's eventual consistency
 * (SPEC §2.3, §6.3, §10.3): the real definition run locally against a simulated account whose
 * listings lag, with responses lost after the call took effect.
 */
describe('exactly one backup per volume per run, whatever the listing lag up to the tolerance', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  /** One volume with N=2 and two completed generations from the two days before. */
  function givenVolumeWithHistory(lagMs: number) {
    world = givenWorkflow({ completionDelayMs: 10 * MINUTE });
    const { volumeIds } = world.sim.addInstance({ name: 'web', tags: { [TAG]: '2' }, volumes: [{}] });
    const [volumeId] = volumeIds;
    const older = [2, 1].map((days) =>
      world.sim.addSnapshot({
        volumeId,
        startTime: START - days * DAY,
        tags: {
          [SnapshotTag.managedBy]: world.deployment.managedBy,
          [SnapshotTag.volumeId]: volumeId,
          [SnapshotTag.runId]: `earlier-${days}`,
        },
      }),
    );
    world.sim.setVisibilityLag(lagMs);
    return { volumeId, older };
  }

  it.each([
    ['20 s, past the retry that meets EC2’s 15 s per-volume rule', 20_000],
    ['just under the tolerance', LISTING_LAG_TOLERANCE_MS - 10_000],
  ])(
    'GIVEN a lost CreateSnapshot response and a listing lag of %s WHEN run THEN one snapshot of the run, and yesterday’s generation survives',
    async (_, lagMs) => {
      const { volumeId, older } = givenVolumeWithHistory(lagMs);
      world.sim.injectFault({ action: 'CreateSnapshot', error: LOST_RESPONSE });
      const result = await world.run();
      expect(result.status).toBe('SUCCEEDED');
      const snapshots = world.managedSnapshots(volumeId);
      expect(ofRun(snapshots, 'run-1')).toHaveLength(1);
      // N=2: the new one and yesterday's; only the day before is deleted.
      expect(snapshots.map((s) => s.SnapshotId).sort()).toEqual(
        [older[1], ofRun(snapshots, 'run-1')[0].SnapshotId].sort(),
      );
    },
  );

  it('GIVEN a CreateSnapshot that hangs, reported as Lambda.Unknown, and a listing 20 s late WHEN run THEN the timeout is confirmed, not retried: one snapshot', async () => {
    const { volumeId } = givenVolumeWithHistory(20_000);
    world.sim.injectFault({ action: 'CreateSnapshot', error: HANG });
    const result = await world.run({}, { lambdaTimeoutError: 'Lambda.Unknown' });
    expect(result.status).toBe('SUCCEEDED');
    expect(ofRun(world.managedSnapshots(volumeId), 'run-1')).toHaveLength(1);
  });

  it('GIVEN Discover times out once, reported as Lambda.Unknown WHEN run THEN it is retried and the run SUCCEEDS', async () => {
    const { volumeId } = givenVolumeWithHistory(0);
    world.sim.injectFault({ action: 'DescribeInstances', error: HANG });
    const result = await world.run({}, { lambdaTimeoutError: 'Lambda.Unknown' });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.tasks.filter((task) => task === StateName.discover)).toHaveLength(2);
    expect(ofRun(world.managedSnapshots(volumeId), 'run-1')).toHaveLength(1);
  });

  it('GIVEN a run stopped while a CreateSnapshot invocation ran on WHEN redriven at once, before the listing shows its snapshot THEN no second snapshot', async () => {
    world = givenWorkflow({ completionDelayMs: 10 * MINUTE }, { snapshotConcurrency: 2 });
    const { volumeIds } = world.sim.addInstance({ name: 'web', tags: { [TAG]: '2' }, volumes: [{}, {}] });
    world.sim.setVisibilityLag(2 * MINUTE);
    // One volume's CreateSnapshot takes effect but its answer never comes: its child is still
    // running when the execution is stopped, as soon as the other child ends.
    const [hung] = [...volumeIds].sort();
    world.sim.injectFault({ action: 'CreateSnapshot', error: HANG, volumeId: hung });
    const stopped = await world.run(
      {},
      { stopWhen: (e) => e.type === 'child' && e.map === StateName.snapshotVolumes && e.finished === 1 },
    );
    expect(stopped.status).toBe('ABORTED');
    expect(ofRun(world.managedSnapshots(hung), 'run-1')).toHaveLength(1);
    const redriven = await world.clock.settle(
      redriveLocalExecution(stopped, { clients: world.clients, deployment: world.deployment }),
    );
    expect(redriven.status).toBe('SUCCEEDED');
    for (const id of volumeIds) expect(ofRun(world.managedSnapshots(id), 'run-1')).toHaveLength(1);
  });

  it('GIVEN Backup-Copy-Generation=2, a lost CopySnapshot response and a copy region listing 3 s late WHEN run THEN one copy of the run, and the previous day’s copy survives', async () => {
    world = givenWorkflow(
      { completionDelayMs: 10 * MINUTE, copyCompletionDelayMs: 30 * MINUTE },
      { copyRegions: [{ region: IRELAND }] },
    );
    const { volumeIds } = world.sim.addInstance({
      name: 'web',
      tags: { [TAG]: '2', [COPY_TAG]: '2' },
      volumes: [{}],
    });
    const [volumeId] = volumeIds;
    const first = await world.run();
    expect(first.status).toBe('SUCCEEDED');
    const ireland = world.account.ec2In(IRELAND);
    const copiesOf = () => ireland.allSnapshots().filter((s) => tagsOf(s)[SnapshotTag.volumeId] === volumeId);
    const yesterday = copiesOf();
    expect(yesterday).toHaveLength(1);

    await world.clock.advanceTo(START + DAY);
    ireland.setVisibilityLag(3_000);
    ireland.injectFault({ action: 'CopySnapshot', error: LOST_RESPONSE });
    const second = await world.run();
    expect(second.status).toBe('SUCCEEDED');
    expect(ofRun(copiesOf(), 'run-2')).toHaveLength(1);
    expect(copiesOf().map((s) => s.SnapshotId)).toContain(yesterday[0].SnapshotId);
    expect(copiesOf()).toHaveLength(2);
  });
});
