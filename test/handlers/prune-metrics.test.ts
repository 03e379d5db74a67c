import { Metrics } from '@aws-lambda-powertools/metrics';
import type { PruneResult } from '../../lambdas/contracts/run-documents';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { createHandler } from '../../lambdas/handlers/prune';
import { BUCKET, givenSteps, MANAGED_BY, rejection, task, workItem } from '../fixtures/steps';

describe('Prune handler: SnapshotsDeleted over a backlog', () => {
  afterEach(() => jest.restoreAllMocks());

  function given() {
    const steps = givenSteps();
    const volume = workItem(steps.sim.addInstance({ volumes: [{}] }).volumeIds[0], 1);
    const handler = createHandler({
      ec2: steps.ec2,
      ec2In: steps.ec2In,
      s3: steps.s3,
      bucket: BUCKET,
      region: steps.region,
      managedBy: MANAGED_BY,
      now: steps.clock.now,
    });
    return { ...steps, volume, handler };
  }

  it('GIVEN a backlog pruned in slices WHEN each slice ends THEN only its own deletions are counted', async () => {
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    const { sim, volume, handler } = given();
    for (let day = 0; day <= 150; day++) {
      sim.addSnapshot({
        volumeId: volume.volumeId,
        startTime: Date.UTC(2025, 0, 1) + day * 86_400_000,
        tags: {
          [SnapshotTag.managedBy]: MANAGED_BY,
          [SnapshotTag.volumeId]: volume.volumeId,
          [SnapshotTag.runId]: `run-${day}-key`,
        },
      });
    }
    // The first slice ends with MoreToPrune; the definition's Catch passes it on as `continued`.
    const caught = await rejection(handler(task(volume, 'run-150')));
    expect(caught.name).toBe('MoreToPrune');
    const continued = { Error: caught.name, Cause: JSON.stringify({ errorMessage: caught.message }) };
    const second = (await handler({ ...task(volume, 'run-150'), continued })) as PruneResult;
    expect(second.deletedCount).toBe(150);
    const counted = added.mock.calls
      .filter(([name]) => name === 'SnapshotsDeleted')
      .map(([, , value]) => value);
    expect(counted).toEqual([100, 50]);
  });

  it("GIVEN this run's snapshot failed WHEN its other snapshots in state error are deleted THEN they are counted, and the volume still fails", async () => {
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    const { sim, volume, handler } = given();
    for (const day of [1, 2]) {
      sim.addSnapshot({
        volumeId: volume.volumeId,
        state: 'error',
        startTime: Date.UTC(2025, 0, day),
        tags: { [SnapshotTag.managedBy]: MANAGED_BY, [SnapshotTag.volumeId]: volume.volumeId },
      });
    }
    const error = await rejection(handler(task(volume, 'run-3')));
    expect(error.name).toBe('SnapshotNotCompleted');
    const counted = added.mock.calls.map(([name, , value]) => [name, value]);
    expect(counted).toEqual([['SnapshotsDeleted', 2]]);
  });

  it("GIVEN a copy region's retention WHEN it deletes THEN CopiesDeleted is counted, not SnapshotsDeleted", async () => {
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    const { account, region, volume, handler } = given();
    const eu = account.ec2In('eu-west-1');
    for (const day of [1, 2, 3]) {
      eu.addSnapshot({
        volumeId: 'vol-ffffffff',
        startTime: Date.UTC(2025, 0, day),
        tags: {
          [SnapshotTag.managedBy]: MANAGED_BY,
          [SnapshotTag.volumeId]: volume.volumeId,
          [SnapshotTag.runId]: `run-${day}-key`,
          [SnapshotTag.sourceRegion]: region,
        },
      });
    }
    const result = (await handler(task({ ...volume, region: 'eu-west-1' }, 'run-3'))) as PruneResult;
    expect(result).toMatchObject({ region: 'eu-west-1', deletedCount: 2 });
    const counted = added.mock.calls.map(([name, , value]) => [name, value]);
    expect(counted).toEqual([['CopiesDeleted', 2]]);
  });
});
