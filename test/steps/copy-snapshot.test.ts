import { DeleteSnapshotCommand } from '@aws-sdk/client-ec2';
import type { CopyRegion } from '../../lambdas/contracts/deployment';
import type { CreatedCopy } from '../../lambdas/contracts/run-documents';
import type { CopyWorkItem, Reentry } from '../../lambdas/contracts/work-items';
import { LISTING_LAG_TOLERANCE_MS } from '../../lambdas/core/listing-lag';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { copyVolumeSnapshot as copyOutcome } from '../../lambdas/steps/copy-snapshot';
import { LOST_RESPONSE } from '../../local/simulated-account';
import { givenSteps, MANAGED_BY, REGION, rejection, workItem } from '../fixtures/steps';

const EU = 'eu-west-1';

/** The step, for the cases where it copies (or finds its copy): a superseded source fails the test. */
async function copyVolumeSnapshot(...args: Parameters<typeof copyOutcome>): Promise<CreatedCopy> {
  const outcome = await copyOutcome(...args);
  if ('supersededBy' in outcome) throw new Error(`superseded by ${outcome.supersededBy}`);
  return outcome;
}

describe('copy-snapshot step (SPEC §10.3)', () => {
  /** A completed snapshot of this run in the deployment's region, and its copy item to eu-west-1. */
  function given(
    options: {
      encrypted?: boolean;
      copyRegions?: (account: ReturnType<typeof givenSteps>['account']) => CopyRegion[];
    } = {},
    simOptions: Parameters<typeof givenSteps>[0] = {},
  ) {
    const steps = givenSteps(simOptions);
    const { sim, account, clock } = steps;
    const copyRegions = options.copyRegions?.(account) ?? [{ region: EU }];
    const item = (carriedTags?: Record<string, string>): CopyWorkItem => {
      const { volumeIds } = sim.addInstance({
        name: 'web',
        volumes: [{ encrypted: options.encrypted ?? false }],
      });
      const volume = workItem(volumeIds[0], 2);
      const snapshotId = sim.addSnapshot({ volumeId: volume.volumeId, startTime: clock.now() });
      return {
        ...volume,
        ...(carriedTags && { carriedTags }),
        region: EU,
        copyGenerations: 4,
        source: {
          snapshotId,
          startTime: clock.now(),
          region: REGION,
          encrypted: sim.snapshot(snapshotId)?.Encrypted === true,
        },
      };
    };
    const deps = {
      ec2In: steps.ec2In,
      region: REGION,
      copyRegions,
      managedBy: MANAGED_BY,
      // Waits between retries of a throttled call pass on the manual clock.
      clock: { now: clock.now, sleep: async (ms: number) => clock.advance(ms) },
    };
    const copyTask = (
      copy: CopyWorkItem,
      executionName = 'run-1',
      extra: Partial<Reentry> & { runId?: string } = {},
    ) => ({
      copy,
      executionName,
      runId: `${executionName}-key`,
      redriveCount: 0,
      ...extra,
    });
    const eu = account.ec2In(EU);
    /** This deployment's copies in eu-west-1 (a copy's volume ID is arbitrary: found by tag). */
    const copiesInEu = () =>
      eu.allSnapshots().filter((s) => s.Tags?.some((t) => t.Key === SnapshotTag.sourceRegion));
    return { ...steps, deps, item, copyTask, eu, copiesInEu };
  }

  const tagsOf = (snapshot: { Tags?: { Key?: string; Value?: string }[] } | undefined) =>
    Object.fromEntries((snapshot?.Tags ?? []).map((t) => [t.Key, t.Value]));

  it("GIVEN a completed snapshot WHEN copied THEN the copy is made in the copy region, with the source's description and every tag at creation, in one call", async () => {
    const { deps, item, copyTask, eu, sim, clock } = given();
    const copy = item({ team: 'db' });
    const created = await copyVolumeSnapshot(deps, copyTask(copy, 'exec-7'));

    expect(created).toEqual({
      volumeId: copy.volumeId,
      region: EU,
      snapshotId: expect.stringMatching(/^snap-/),
      sourceSnapshotId: copy.source.snapshotId,
      state: 'pending',
      startTime: clock.now(),
      reused: false,
    });
    const made = eu.snapshot(created.snapshotId);
    expect(made?.Description).toBe(copy.description);
    expect(made?.Encrypted).toBe(false);
    expect(tagsOf(made)).toEqual({
      Name: 'web',
      [SnapshotTag.managedBy]: MANAGED_BY,
      [SnapshotTag.volumeId]: copy.volumeId,
      [SnapshotTag.instanceId]: copy.instanceId,
      [SnapshotTag.generation]: '4',
      [SnapshotTag.execution]: 'exec-7',
      [SnapshotTag.runId]: 'exec-7-key',
      team: 'db',
      [SnapshotTag.sourceSnapshotId]: copy.source.snapshotId,
      [SnapshotTag.sourceRegion]: REGION,
    });
    expect(eu.calls().CopySnapshot.succeeded).toBe(1);
    expect(eu.calls().DescribeSnapshots.succeeded).toBe(0);
    expect(eu.calls().CreateTags.succeeded).toBe(0);
    // Nothing is made in the deployment's own region.
    expect(sim.allSnapshots()).toHaveLength(1);
    expect(sim.calls().CopySnapshot.succeeded).toBe(0);
  });

  it("GIVEN an encrypted source and the region's configured key WHEN copied THEN the copy is encrypted with that key", async () => {
    let key = '';
    const { deps, item, copyTask, eu } = given({
      encrypted: true,
      copyRegions: (account) => {
        key = account.createKmsKey(EU);
        return [{ region: EU, kmsKeyArn: key }];
      },
    });
    const copy = item();
    expect(copy.source.encrypted).toBe(true);
    const created = await copyVolumeSnapshot(deps, copyTask(copy));
    expect(eu.snapshot(created.snapshotId)).toMatchObject({ Encrypted: true, KmsKeyId: key });
  });

  it("GIVEN an encrypted source and no configured key WHEN copied THEN EC2 encrypts the copy with the region's default EBS key", async () => {
    const { deps, item, copyTask, eu, account } = given({ encrypted: true });
    const created = await copyVolumeSnapshot(deps, copyTask(item()));
    expect(eu.snapshot(created.snapshotId)).toMatchObject({
      Encrypted: true,
      KmsKeyId: account.defaultEbsKmsKey(EU),
    });
  });

  it('GIVEN an unencrypted source and a configured key WHEN copied THEN the copy stays unencrypted', async () => {
    const { deps, item, copyTask, eu } = given({
      copyRegions: (account) => [{ region: EU, kmsKeyArn: account.createKmsKey(EU) }],
    });
    const created = await copyVolumeSnapshot(deps, copyTask(item()));
    expect(eu.snapshot(created.snapshotId)?.Encrypted).toBe(false);
  });

  it('GIVEN the response was lost and the copy region lists it 3 s late WHEN ConfirmCopy looks THEN it waits for the listing: the first copy is returned, no second is made', async () => {
    const { deps, item, copyTask, eu, copiesInEu, clock } = given();
    const copy = item();
    eu.setVisibilityLag(3_000);
    eu.injectFault({ action: 'CopySnapshot', error: LOST_RESPONSE });
    expect((await rejection(copyVolumeSnapshot(deps, copyTask(copy)))).name).toBe('Ec2Transient');
    expect(copiesInEu()).toHaveLength(1);

    const confirmSince = new Date(clock.now()).toISOString();
    const early = await rejection(copyVolumeSnapshot(deps, copyTask(copy, 'run-1', { confirmSince })));
    expect(early.name).toBe('SnapshotNotListed');
    clock.advance(5_000);
    const confirmed = await copyVolumeSnapshot(deps, copyTask(copy, 'run-1', { confirmSince }));
    expect(confirmed).toMatchObject({ reused: true, snapshotId: copiesInEu()[0].SnapshotId, region: EU });
    expect(copiesInEu()).toHaveLength(1);
  });

  it(`GIVEN a copy that was never made WHEN ConfirmCopy has looked for ${LISTING_LAG_TOLERANCE_MS / 1000} s THEN SnapshotAbsent, and CopySnapshot copies`, async () => {
    const { deps, item, copyTask, copiesInEu, clock } = given();
    const copy = item();
    const confirmSince = new Date(clock.now()).toISOString();
    clock.advance(LISTING_LAG_TOLERANCE_MS);
    const absent = await rejection(copyVolumeSnapshot(deps, copyTask(copy, 'run-1', { confirmSince })));
    expect(absent.name).toBe('SnapshotAbsent');
    expect(copiesInEu()).toHaveLength(0);
    const copied = await copyVolumeSnapshot(deps, copyTask(copy, 'run-1', { absenceConfirmed: true }));
    expect(copied.reused).toBe(false);
    expect(copiesInEu()).toHaveLength(1);
  });

  it('GIVEN a redriven child whose earlier attempt made the copy WHEN copied THEN it is reused, not made twice', async () => {
    const { deps, item, copyTask, copiesInEu } = given();
    const copy = item();
    const original = await copyVolumeSnapshot(deps, copyTask(copy));
    const redriven = await copyVolumeSnapshot(deps, copyTask(copy, 'run-1', { redriveCount: 1 }));
    expect(redriven).toMatchObject({ reused: true, snapshotId: original.snapshotId });
    expect(copiesInEu()).toHaveLength(1);
  });

  it("GIVEN a redriven child WHEN only another run's copy of the volume exists there THEN that copy is not taken for this run's", async () => {
    const { deps, item, copyTask, copiesInEu } = given();
    const copy = item();
    await copyVolumeSnapshot(deps, copyTask(copy, 'run-0'));
    const error = await rejection(copyVolumeSnapshot(deps, copyTask(copy, 'run-1', { redriveCount: 1 })));
    expect(error.name).toBe('SnapshotOutcomeUnknown');
    expect(copiesInEu()).toHaveLength(1);
  });

  it('GIVEN EC2 throttles twice WHEN copied THEN retried in the invocation: one copy, no look-up', async () => {
    const { deps, item, copyTask, eu } = given();
    eu.injectFault({ action: 'CopySnapshot', error: 'RequestLimitExceeded', times: 2 });
    expect((await copyVolumeSnapshot(deps, copyTask(item()))).reused).toBe(false);
    expect(eu.calls().CopySnapshot).toMatchObject({ succeeded: 1, throttled: 2 });
    expect(eu.calls().DescribeSnapshots.succeeded).toBe(0);
  });

  it("GIVEN the copy region's concurrent-copy limit is reached WHEN copied THEN CopyLimitExceeded at once, for the state machine's long retry", async () => {
    const { deps, item, copyTask, eu } = given({}, { concurrentCopyLimit: 1 });
    await copyVolumeSnapshot(deps, copyTask(item()));
    const error = await rejection(copyVolumeSnapshot(deps, copyTask(item())));
    expect(error.name).toBe('CopyLimitExceeded');
    expect(error.message).toMatch(/^eu-west-1: ResourceLimitExceeded: /);
    // Not retried in the invocation: the copies in flight take minutes, not seconds.
    expect(eu.calls().CopySnapshot.failed).toBe(1);
  });

  it('GIVEN the source snapshot was deleted and nothing replaces it WHEN copied THEN a terminal SnapshotNotCompleted naming it and both regions', async () => {
    const { deps, item, copyTask, ec2 } = given();
    const copy = item();
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: copy.source.snapshotId }));
    const error = await rejection(copyVolumeSnapshot(deps, copyTask(copy)));
    expect(error.name).toBe('SnapshotNotCompleted');
    expect(error.message).toBe(
      `${copy.volumeId}: snapshot ${copy.source.snapshotId} of this run no longer exists in us-east-1 and no newer completed snapshot replaces it; no copy in eu-west-1, older copies kept`,
    );
  });

  it('GIVEN an overlapping run (N=1) made a newer snapshot and pruned this run’s before it was copied WHEN copied THEN superseded, not failed, and nothing is copied (SPEC §6.3)', async () => {
    const { deps, item, copyTask, ec2, sim, clock, copiesInEu } = given();
    const copy = item();
    clock.advance(60_000);
    const newer = sim.addSnapshot({
      volumeId: copy.volumeId,
      startTime: clock.now(),
      tags: {
        [SnapshotTag.managedBy]: MANAGED_BY,
        [SnapshotTag.volumeId]: copy.volumeId,
        [SnapshotTag.runId]: 'run-2-key',
      },
    });
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: copy.source.snapshotId }));
    expect(await copyOutcome(deps, copyTask(copy))).toEqual({
      volumeId: copy.volumeId,
      region: EU,
      sourceSnapshotId: copy.source.snapshotId,
      supersededBy: newer,
    });
    expect(copiesInEu()).toHaveLength(0);
  });

  it.each([
    ['RequestLimitExceeded', 'Ec2Throttled'],
    ['InternalError', 'Ec2Transient'],
    ['ServiceUnavailable', 'Ec2Transient'],
    ['UnauthorizedOperation', 'UnauthorizedOperation'],
  ])('GIVEN EC2 answers %s WHEN copied THEN the step fails with %s', async (code, name) => {
    const { deps, item, copyTask, eu } = given();
    eu.injectFault({ action: 'CopySnapshot', error: code, times: 10_000 });
    expect((await rejection(copyVolumeSnapshot(deps, copyTask(item())))).name).toBe(name);
  });

  it("GIVEN an item whose destination is the deployment's own region WHEN copied THEN InvalidInput, nothing is made", async () => {
    const { deps, item, copyTask, sim } = given();
    const error = await rejection(copyVolumeSnapshot(deps, copyTask({ ...item(), region: REGION })));
    expect(error).toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('copy.region') });
    expect(sim.calls().CopySnapshot.succeeded).toBe(0);
  });
});
