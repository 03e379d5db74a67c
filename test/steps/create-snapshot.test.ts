import { EnvironmentPace } from '../../lambdas/aws/call-pace';
import type { PruneWorkItem } from '../../lambdas/contracts/work-items';
import { LISTING_LAG_TOLERANCE_MS } from '../../lambdas/core/listing-lag';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { parseVolumeTask } from '../../lambdas/core/work-item';
import { createVolumeSnapshot } from '../../lambdas/steps/create-snapshot';
import { LOST_RESPONSE } from '../../local/simulated-account';
import { givenSteps, rejection, task, workItem } from '../fixtures/steps';

describe('create-snapshot step (SPEC §2)', () => {
  function given() {
    const steps = givenSteps();
    const { volumeIds } = steps.sim.addInstance({ name: 'web', volumes: [{}] });
    const volume = workItem(volumeIds[0], 3);
    // Waits between retries of a throttled call pass on the manual clock.
    const clock = { now: steps.clock.now, sleep: async (ms: number) => steps.clock.advance(ms) };
    return { ...steps, volume, deps: { ec2: steps.ec2, managedBy: steps.managedBy, clock } };
  }

  it('GIVEN a volume WHEN snapshotted THEN description and every tag are set at creation, in one call', async () => {
    const { sim, deps, volume } = given();
    const created = await createVolumeSnapshot(deps, task(volume, 'exec-7'));

    const snapshot = sim.snapshot(created.snapshotId);
    expect(snapshot?.Description).toBe(volume.description);
    expect(Object.fromEntries((snapshot?.Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({
      Name: 'web',
      [SnapshotTag.managedBy]: 'backup-test',
      [SnapshotTag.volumeId]: volume.volumeId,
      [SnapshotTag.instanceId]: volume.instanceId,
      [SnapshotTag.generation]: '3',
      [SnapshotTag.execution]: 'exec-7',
      [SnapshotTag.runId]: 'exec-7-key',
    });
    expect(sim.calls().CreateSnapshot.succeeded).toBe(1);
    expect(sim.calls().DescribeSnapshots.succeeded).toBe(0);
    expect(sim.calls().CreateTags.succeeded).toBe(0);
  });

  it("GIVEN a volume at EBS's limit of concurrent snapshots WHEN snapshotted THEN ConcurrentSnapshotLimit naming the volume and what to do; nothing created", async () => {
    const { sim, deps, volume } = given();
    for (let i = 0; i < 5; i++) sim.addSnapshot({ volumeId: volume.volumeId, state: 'error' });
    const error = await rejection(createVolumeSnapshot(deps, task(volume)));
    expect(error.name).toBe('ConcurrentSnapshotLimit');
    expect(error.message).toMatch(new RegExp(`^${volume.volumeId}: EC2 refused a new snapshot`));
    expect(error.message).toContain('state error');
    expect(error.message).toContain('PruneSnapshots');
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(5);
  });

  it('GIVEN carried volume tags WHEN snapshotted THEN they are set at creation and never overwrite our keys or aws: keys', async () => {
    const { sim, deps, volume } = given();
    const carriedTags = {
      team: 'data',
      'cost center': 'cc 7',
      Name: 'forged',
      'aws:cloudformation:stack-name': 'app',
      [SnapshotTag.managedBy]: 'someone-else',
      [SnapshotTag.generation]: '999',
      [SnapshotTag.runId]: 'forged',
    };
    const created = await createVolumeSnapshot(deps, task({ ...volume, carriedTags }, 'exec-7'));

    const tags = sim.snapshot(created.snapshotId)?.Tags ?? [];
    expect(Object.fromEntries(tags.map((t) => [t.Key, t.Value]))).toEqual({
      Name: 'web',
      [SnapshotTag.managedBy]: 'backup-test',
      [SnapshotTag.volumeId]: volume.volumeId,
      [SnapshotTag.instanceId]: volume.instanceId,
      [SnapshotTag.generation]: '3',
      [SnapshotTag.execution]: 'exec-7',
      [SnapshotTag.runId]: 'exec-7-key',
      team: 'data',
      'cost center': 'cc 7',
    });
    expect(new Set(tags.map((t) => t.Key)).size).toBe(tags.length);
    expect(sim.calls().CreateSnapshot.succeeded).toBe(1);
    expect(sim.calls().CreateTags.succeeded).toBe(0);
  });

  it('GIVEN an instance without a Name WHEN snapshotted THEN the Name tag is the volume ID', async () => {
    const { sim, deps } = given();
    const volume = { ...workItem('vol-x', 1), instanceName: undefined };
    const { volumeIds } = sim.addInstance({ volumes: [{}] });
    const created = await createVolumeSnapshot(deps, task({ ...volume, volumeId: volumeIds[0] }));
    expect(sim.snapshot(created.snapshotId)?.Tags).toContainEqual({ Key: 'Name', Value: volumeIds[0] });
  });

  /** ConfirmSnapshot's input: the child's, with when the state was entered. */
  const confirming = (volume: PruneWorkItem, executionName: string, since: number, extra = {}) =>
    task(volume, executionName, { confirmSince: new Date(since).toISOString(), ...extra });

  it('GIVEN the response was lost WHEN ConfirmSnapshot looks THEN the first snapshot is returned and no second is made', async () => {
    const { sim, deps, clock, volume } = given();
    sim.injectFault({ action: 'CreateSnapshot', error: LOST_RESPONSE });

    const first = await rejection(createVolumeSnapshot(deps, task(volume, 'exec-1')));
    expect(first.name).toBe('Ec2Transient');
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(1);

    const confirmed = await createVolumeSnapshot(deps, confirming(volume, 'exec-1', clock.now()));
    expect(confirmed.reused).toBe(true);
    expect(confirmed.snapshotId).toBe(sim.snapshotsOf(volume.volumeId)[0].SnapshotId);
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(1);
  });

  it('GIVEN a lost response and a listing 20 s late WHEN ConfirmSnapshot looks THEN it waits for the listing and never creates', async () => {
    const { sim, deps, clock, volume } = given();
    sim.setVisibilityLag(20_000);
    sim.injectFault({ action: 'CreateSnapshot', error: LOST_RESPONSE });
    await rejection(createVolumeSnapshot(deps, task(volume, 'exec-1')));
    const entered = clock.now();

    const early = await rejection(createVolumeSnapshot(deps, confirming(volume, 'exec-1', entered)));
    expect(early.name).toBe('SnapshotNotListed');
    clock.advance(16_000);
    expect((await rejection(createVolumeSnapshot(deps, confirming(volume, 'exec-1', entered)))).name).toBe(
      'SnapshotNotListed',
    );
    clock.advance(5_000);
    const found = await createVolumeSnapshot(deps, confirming(volume, 'exec-1', entered));
    expect(found.reused).toBe(true);
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(1);
  });

  it(`GIVEN an attempt that made nothing WHEN ConfirmSnapshot has looked for ${LISTING_LAG_TOLERANCE_MS / 1000} s THEN SnapshotAbsent, and only then does CreateSnapshot create`, async () => {
    const { sim, deps, clock, volume } = given();
    const entered = clock.now();
    clock.advance(LISTING_LAG_TOLERANCE_MS - 1);
    expect((await rejection(createVolumeSnapshot(deps, confirming(volume, 'exec-1', entered)))).name).toBe(
      'SnapshotNotListed',
    );
    clock.advance(1);
    const absent = await rejection(createVolumeSnapshot(deps, confirming(volume, 'exec-1', entered)));
    expect(absent.name).toBe('SnapshotAbsent');
    expect(sim.calls().CreateSnapshot.succeeded).toBe(0);

    const lookUps = sim.calls().DescribeSnapshots.succeeded;
    const created = await createVolumeSnapshot(
      deps,
      task(volume, 'exec-1', { redriveCount: 1, absenceConfirmed: true }),
    );
    expect(created.reused).toBe(false);
    // Absence confirmed: no look-up again, even in a redriven child.
    expect(sim.calls().DescribeSnapshots.succeeded).toBe(lookUps);
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(1);
  });

  it('GIVEN a redriven execution WHEN the snapshot exists THEN it is reused', async () => {
    const { sim, deps, volume } = given();
    const original = await createVolumeSnapshot(deps, task(volume, 'exec-1'));
    const redriven = await createVolumeSnapshot(deps, task(volume, 'exec-1', { redriveCount: 1 }));
    expect(redriven).toEqual({ ...original, reused: true });
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(1);
  });

  it('GIVEN a redriven child whose earlier attempt is not listed yet WHEN it runs THEN SnapshotOutcomeUnknown: nothing made, ConfirmSnapshot decides', async () => {
    // The parent was stopped while this child's invocation ran on; the child is redriven with
    // its original input and its own RedriveCount 1, before the listing shows the snapshot.
    const { sim, deps, volume } = given();
    sim.setVisibilityLag(60_000);
    await createVolumeSnapshot(deps, task(volume, 'exec-1'));
    const error = await rejection(createVolumeSnapshot(deps, task(volume, 'exec-1', { redriveCount: 1 })));
    expect(error.name).toBe('SnapshotOutcomeUnknown');
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(1);
  });

  it('GIVEN a same-named execution 110 days ago WHEN ConfirmSnapshot looks THEN its snapshot is not taken for this run', async () => {
    // Execution names repeat after 90 days, and a replaced state machine keeps its name and marker.
    const { sim, deps, clock, volume } = given();
    await createVolumeSnapshot(deps, task(volume, 'daily', { runId: 'key-of-the-old-run' }));
    clock.advance(110 * 86_400_000);
    const error = await rejection(
      createVolumeSnapshot(deps, confirming(volume, 'daily', clock.now(), { runId: 'key-of-this-run' })),
    );
    expect(error.name).toBe('SnapshotNotListed');
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(1);
  });

  it('GIVEN ConfirmSnapshot entered at a time that is not a timestamp THEN InvalidInput naming the field', async () => {
    const { deps, volume } = given();
    const error = await rejection(
      Promise.resolve().then(() =>
        createVolumeSnapshot(deps, parseVolumeTask({ ...task(volume), confirmSince: 'soon' })),
      ),
    );
    expect(error).toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('confirmSince') });
  });

  it('GIVEN EC2 throttles twice WHEN snapshotted THEN retried in the invocation: one snapshot, no look-up', async () => {
    const { sim, deps, volume } = given();
    sim.injectFault({ action: 'CreateSnapshot', error: 'RequestLimitExceeded', times: 2 });
    const created = await createVolumeSnapshot(deps, task(volume));
    expect(created.reused).toBe(false);
    expect(sim.calls().CreateSnapshot).toMatchObject({ succeeded: 1, throttled: 2 });
    expect(sim.calls().DescribeSnapshots.succeeded).toBe(0);
  });

  it.each([
    ['RequestLimitExceeded', 'Ec2Throttled'],
    ['InternalError', 'Ec2Transient'],
    ['ServiceUnavailable', 'Ec2Transient'],
    ['UnauthorizedOperation', 'UnauthorizedOperation'],
  ])('GIVEN EC2 answers %s WHEN snapshotted THEN the step fails with %s', async (code, name) => {
    const { sim, deps, volume } = given();
    // Persistently: a throttle is retried in the invocation until its budget is spent.
    sim.injectFault({ action: 'CreateSnapshot', error: code, times: 10_000 });
    expect((await rejection(createVolumeSnapshot(deps, task(volume)))).name).toBe(name);
  });

  it('GIVEN a snapshot of the volume 5 s ago WHEN snapshotted again THEN the retryable per-volume rate error', async () => {
    const { deps, clock, volume } = given();
    await createVolumeSnapshot(deps, task(volume, 'exec-1'));
    clock.advance(5_000);
    const error = await rejection(createVolumeSnapshot(deps, task(volume, 'exec-2')));
    expect(error.name).toBe('SnapshotRateExceeded');
  });

  it('GIVEN the volume vanished WHEN snapshotted THEN VolumeNotFound names it', async () => {
    const { sim, deps, volume } = given();
    sim.deleteVolume(volume.volumeId);
    const error = await rejection(createVolumeSnapshot(deps, task(volume)));
    expect(error.name).toBe('VolumeNotFound');
    expect(error.message).toContain(volume.volumeId);
  });

  describe("the pace of CreateSnapshot calls (the deployment's share of EC2's bucket)", () => {
    it('GIVEN an environment whose last invocation ended 300 ms ago WHEN snapshotted THEN one call, and the invocation returns one interval after that end', async () => {
      const { sim, clock, deps, volume } = given();
      const environmentPace = Object.assign(new EnvironmentPace(), { lastEnd: clock.now() });
      const lastEnd = clock.now();
      clock.advance(300);
      await createVolumeSnapshot({ ...deps, callIntervalMs: 1_250, environmentPace }, task(volume));
      expect(sim.calls().CreateSnapshot.succeeded).toBe(1);
      expect(clock.now() - lastEnd).toBe(1_250);
      expect(environmentPace.lastEnd).toBe(clock.now());
    });

    it('GIVEN the snapshot already made (a redriven child) WHEN snapshotted THEN no call, so nothing to wait out', async () => {
      const { sim, clock, deps, volume } = given();
      const first = await createVolumeSnapshot(deps, task(volume));
      clock.advance(60_000);
      const started = clock.now();
      const again = await createVolumeSnapshot(
        { ...deps, callIntervalMs: 1_250 },
        task(volume, 'run-1', { redriveCount: 1 }),
      );
      expect(again).toMatchObject({ snapshotId: first.snapshotId, reused: true });
      expect(sim.calls().CreateSnapshot.succeeded).toBe(1);
      expect(clock.now()).toBe(started);
    });

    it('GIVEN a call EC2 refuses (not a throttle) WHEN snapshotted THEN the invocation still waits out its interval before it fails', async () => {
      const { sim, clock, deps, volume } = given();
      sim.injectFault({ action: 'CreateSnapshot', error: 'InternalError', times: 1 });
      const started = clock.now();
      const error = await rejection(createVolumeSnapshot({ ...deps, callIntervalMs: 1_250 }, task(volume)));
      expect(error.name).toBe('Ec2Transient');
      expect(clock.now() - started).toBe(1_250);
    });
  });
});
