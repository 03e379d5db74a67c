import { putJson } from '../../lambdas/aws/json-store';
import type { CopyWorkItem } from '../../lambdas/contracts/work-items';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { awaitCopies } from '../../lambdas/steps/await-copies';
import { nextPruneBatch } from '../../lambdas/steps/await-snapshots';
import { copyVolumeSnapshot } from '../../lambdas/steps/copy-snapshot';
import { createVolumeSnapshot } from '../../lambdas/steps/create-snapshot';
import { pruneVolume } from '../../lambdas/steps/prune-volume';
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

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

/**
 * SPEC §2.4: against an EC2-compatible endpoint that ignores tag filters, every snapshot a step
 * acts on is still checked client-side for the marker, the volume and (for look-ups) the run.
 */
describe('defence in depth: an endpoint that ignores tag filters', () => {
  function given() {
    const steps = givenSteps({ ignoreTagFilters: true, completionDelayMs: 0 });
    const [a, b] = [steps.sim.addInstance({ volumes: [{}] }), steps.sim.addInstance({ volumes: [{}] })].map(
      (i) => workItem(i.volumeIds[0], 1),
    );
    const snapshot = (volumeId: string, day: number, tags: Record<string, string>) =>
      steps.sim.addSnapshot({ volumeId, startTime: T0 + day * DAY, tags });
    const managed = (volumeId: string, day: number) =>
      snapshot(volumeId, day, {
        [SnapshotTag.managedBy]: MANAGED_BY,
        [SnapshotTag.volumeId]: volumeId,
        [SnapshotTag.runId]: `run-${day}-key`,
      });
    return { ...steps, a, b, snapshot, managed };
  }

  it("GIVEN volume B's generations and another deployment's WHEN volume A is pruned with N=1 THEN only A's are deleted", async () => {
    const { sim, ec2, ec2In, clock, a, b, snapshot, managed } = given();
    const bs = [1, 2, 3].map((day) => managed(b.volumeId, day));
    const foreign = [1, 2].map((day) =>
      snapshot(a.volumeId, day, { [SnapshotTag.managedBy]: 'other', [SnapshotTag.volumeId]: a.volumeId }),
    );
    const unmarked = snapshot(a.volumeId, 0, {});
    const aOld = managed(a.volumeId, 1);
    const aNew = managed(a.volumeId, 2);
    const result = await pruneVolume(
      { ec2, ec2In, region: REGION, managedBy: MANAGED_BY, now: clock.now },
      task(a, 'run-2'),
    );
    expect(result.deleted).toEqual([aOld]);
    expect(sim.snapshotsOf(b.volumeId).map((s) => s.SnapshotId)).toEqual(bs);
    expect(
      sim
        .snapshotsOf(a.volumeId)
        .map((s) => s.SnapshotId)
        .sort(),
    ).toEqual([...foreign, unmarked, aNew].sort());
  });

  it("GIVEN volume B's snapshot of this run WHEN ConfirmSnapshot looks for A's THEN B's is not taken for it", async () => {
    const { sim, ec2, a, b } = given();
    const deps = { ec2, managedBy: MANAGED_BY };
    await createVolumeSnapshot(deps, task(b, 'run-1'));
    const confirmSince = new Date().toISOString();
    const error = await rejection(createVolumeSnapshot(deps, task(a, 'run-1', { confirmSince })));
    expect(error.name).toBe('SnapshotNotListed');
    expect(sim.snapshotsOf(a.volumeId)).toHaveLength(0);
  });

  it("GIVEN another run's snapshot of the volume WHEN a redriven child looks THEN it is not taken for this run's", async () => {
    const { ec2, a, managed } = given();
    managed(a.volumeId, 1);
    const error = await rejection(
      createVolumeSnapshot({ ec2, managedBy: MANAGED_BY }, task(a, 'run-2', { redriveCount: 1 })),
    );
    expect(error.name).toBe('SnapshotOutcomeUnknown');
  });

  it("GIVEN other runs' pending snapshots WHEN awaited THEN only this run's are waited for", async () => {
    const { s3, ec2, clock, a, b, sim } = given();
    sim.setSnapshotOutcome(b.volumeId, 'stuck-pending');
    await createVolumeSnapshot({ ec2, managedBy: MANAGED_BY }, task(b, 'run-0'));
    const mine = await createVolumeSnapshot({ ec2, managedBy: MANAGED_BY }, task(a, 'run-1'));
    const snapshotRecord = await putJson(
      s3,
      { bucket: BUCKET, key: 'runs/run-1/snapshot-run.json' },
      {
        runId: 'run-1-key',
        snapshotRun: await writeMapRun(s3, 'snapshot', [
          { Status: 'SUCCEEDED', Output: JSON.stringify(mine) },
        ]),
      },
    );
    const batch = await nextPruneBatch(
      {
        ec2,
        s3,
        bucket: BUCKET,
        managedBy: MANAGED_BY,
        waitLimitSeconds: 3600,
        copyRegions: [],
        region: REGION,
        now: clock.now,
      },
      {
        executionName: 'run-1',
        runId: 'run-1-key',
        dryRun: false,
        items: await putJson(s3, { bucket: BUCKET, key: 'runs/run-1/volumes.json' }, [a]),
        snapshotRecord,
      },
    );
    expect(batch.progress).toMatchObject({ created: 1, completed: 1, pending: 0 });
  });

  describe('copies (SPEC §10.4): the source family and each copy family never mix', () => {
    const EU = 'eu-west-1';
    const copyTags = (volumeId: string, day: number, sourceRegion: string) => ({
      [SnapshotTag.managedBy]: MANAGED_BY,
      [SnapshotTag.volumeId]: volumeId,
      [SnapshotTag.runId]: `run-${day}-key`,
      [SnapshotTag.sourceRegion]: sourceRegion,
    });

    it("GIVEN copies from another region beside volume A's snapshots WHEN A is pruned with N=1 THEN the copies are not in A's family", async () => {
      const { sim, ec2, ec2In, clock, a, managed, snapshot } = given();
      // Same marker and volume tag (a deployment elsewhere copying here): still not a source snapshot.
      const copies = [0, 1].map((day) => snapshot(a.volumeId, day, copyTags(a.volumeId, day, EU)));
      const old = managed(a.volumeId, 1);
      const mine = managed(a.volumeId, 2);
      const result = await pruneVolume(
        { ec2, ec2In, region: REGION, managedBy: MANAGED_BY, now: clock.now },
        task(a, 'run-2'),
      );
      expect(result.deleted).toEqual([old]);
      expect(
        sim
          .snapshotsOf(a.volumeId)
          .map((s) => s.SnapshotId)
          .sort(),
      ).toEqual([...copies, mine].sort());
    });

    it("GIVEN a copy region with everything the filters would have left out WHEN A's copies are pruned with N=1 THEN only A's copies from here are deleted", async () => {
      const { account, ec2, ec2In, clock, a, b } = given();
      const eu = account.ec2In(EU);
      // A copy's VolumeId is arbitrary (API_CopySnapshot): copies are told apart by tag only.
      const at = (day: number, tags: Record<string, string>) =>
        eu.addSnapshot({ volumeId: 'vol-ffffffff', startTime: T0 + day * DAY, tags });
      const untouchable = [
        at(0, { ...copyTags(a.volumeId, 0, REGION), [SnapshotTag.managedBy]: 'other' }),
        at(0, copyTags(a.volumeId, 0, 'ap-south-1')),
        at(0, { [SnapshotTag.managedBy]: MANAGED_BY, [SnapshotTag.volumeId]: a.volumeId }),
        at(0, copyTags(b.volumeId, 0, REGION)),
        at(0, {}),
      ];
      const old = at(1, copyTags(a.volumeId, 1, REGION));
      const mine = at(2, copyTags(a.volumeId, 2, REGION));
      const result = await pruneVolume(
        { ec2, ec2In, region: REGION, managedBy: MANAGED_BY, now: clock.now },
        task({ ...a, region: EU }, 'run-2'),
      );
      expect(result.deleted).toEqual([old]);
      const left = eu.allSnapshots().map((s) => s.SnapshotId);
      expect(left.sort()).toEqual([...untouchable, mine].sort());
    });

    it("GIVEN volume B's copy of this run in the copy region WHEN A's copy is retried THEN it is not taken for A's", async () => {
      const { account, sim, ec2In, a, b } = given();
      const deps = { ec2In, region: REGION, copyRegions: [{ region: EU }], managedBy: MANAGED_BY };
      const copyOf = (volume: typeof a): CopyWorkItem => ({
        ...volume,
        region: EU,
        copyGenerations: 1,
        source: {
          snapshotId: sim.addSnapshot({ volumeId: volume.volumeId }),
          startTime: T0,
          region: REGION,
          encrypted: false,
        },
      });
      const run = { executionName: 'run-1', runId: 'run-1-key' };
      await copyVolumeSnapshot(deps, { copy: copyOf(b), ...run });
      const confirmSince = new Date().toISOString();
      const error = await rejection(copyVolumeSnapshot(deps, { copy: copyOf(a), ...run, confirmSince }));
      expect(error.name).toBe('SnapshotNotListed');
      expect(account.ec2In(EU).allSnapshots()).toHaveLength(1);
    });

    it("GIVEN other runs' pending copies WHEN copies are awaited THEN this run's copies are found by the copy query and only they count", async () => {
      const { account, s3, ec2In, clock, a } = given();
      const eu = account.ec2In(EU);
      eu.addSnapshot({ volumeId: a.volumeId, state: 'pending', tags: copyTags(a.volumeId, 0, REGION) });
      const mine = eu.addSnapshot({ volumeId: a.volumeId, tags: copyTags(a.volumeId, 1, REGION) });
      const made = { volumeId: a.volumeId, region: EU, snapshotId: mine, startTime: clock.now() };
      const workList = await awaitCopies(
        {
          ec2In,
          s3,
          bucket: BUCKET,
          managedBy: MANAGED_BY,
          region: REGION,
          copyWaitLimitSeconds: 3600,
          now: clock.now,
        },
        {
          executionName: 'run-1',
          runId: 'run-1-key',
          copyItems: await putJson(s3, { bucket: BUCKET, key: 'runs/run-1/copies.json' }, []),
          copyRun: await writeMapRun(s3, 'copy', [{ Status: 'SUCCEEDED', Output: JSON.stringify(made) }]),
        },
      );
      expect(workList.progress[EU]).toMatchObject({ created: 1, completed: 1, pending: 0 });
    });
  });
});
