import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { PruneResult } from '../../lambdas/contracts/run-documents';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { createHandler } from '../../lambdas/handlers/prune';
import { asLambdaTask } from '../../local/runner/lambda-task';
import { findState, loadDefinitionTemplate, StateName } from '../../statemachine/definition';
import { BUCKET, givenSteps, MANAGED_BY, task, workItem } from '../fixtures/steps';

/** Step Functions refuses a state's input or output above 256 KiB (SPEC §4, scale). */
const MAX_PAYLOAD_BYTES = 256 * 1024;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
const HOUR = 3_600_000;
const EU = 'eu-west-1';

/** Where PruneSnapshots' Catch puts a caught MoreToPrune in the next slice's input, as the definition says. */
function continuationField(): string {
  const child = findState(loadDefinitionTemplate().States, StateName.pruneVolumes)?.ItemProcessor;
  const [catcher] = child.States[StateName.pruneSnapshots].Catch;
  return String(catcher.ResultPath).replace(/^\$\./, '');
}

/**
 * A volume with `count` managed snapshots an hour apart, the newest this run's (`run-1`), and
 * the prune function as Step Functions invokes it: a thrown error becomes `{ Error, Cause }`.
 */
function given(generations: number, count: number) {
  const steps = givenSteps();
  const volume = workItem(steps.sim.addInstance({ volumes: [{}] }).volumeIds[0], generations);
  const tags = (i: number) => ({
    [SnapshotTag.managedBy]: MANAGED_BY,
    [SnapshotTag.volumeId]: volume.volumeId,
    [SnapshotTag.runId]: i === count - 1 ? 'run-1-key' : `adopted-${i}`,
  });
  const start = (i: number) => Date.UTC(2025, 0, 1) + i * HOUR;
  const ids = Array.from({ length: count }, (_, i) =>
    steps.sim.addSnapshot({ volumeId: volume.volumeId, startTime: start(i), tags: tags(i) }),
  );
  /** The same history of copies in EU, copied from this region. */
  const copies = () =>
    Array.from({ length: count }, (_, i) =>
      steps.account.ec2In(EU).addSnapshot({
        volumeId: 'vol-ffffffff',
        startTime: start(i),
        tags: { ...tags(i), [SnapshotTag.sourceRegion]: steps.region },
      }),
    );
  const invoke = asLambdaTask(
    createHandler({
      ec2: steps.ec2,
      ec2In: steps.ec2In,
      region: steps.region,
      managedBy: MANAGED_BY,
      now: steps.clock.now,
      s3: steps.s3,
      bucket: BUCKET,
    }),
  );
  /** The first slice's input; the Catch's output is added at `continuationField()` after it. */
  const first = task(volume);
  const caught = (input: unknown) =>
    invoke(input).then(
      (result) => {
        throw new Error(`expected MoreToPrune, got ${JSON.stringify(result)}`);
      },
      (error: Error) => ({ Error: error.name, Cause: error.message }),
    );
  const keys = async () =>
    ((await steps.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents ?? []).map((o) => o.Key);
  return { ...steps, volume, ids, copies, invoke, caught, first, keys };
}

describe('a backlog pruned in slices, as the definition loops over them (SPEC §3, §4 payload limit)', () => {
  it('GIVEN 5,000 snapshots of a volume and N=500 WHEN the prune function is run slice after slice THEN exactly 500 remain, every deletion is counted and no payload nears 256 KiB', async () => {
    const { sim, volume, ids, invoke, first } = given(500, 5000);
    const field = continuationField();
    let input: Record<string, unknown> = { ...first };
    let result: PruneResult | undefined;
    let slices = 0;
    let largest = 0;
    while (result === undefined && slices < 100) {
      slices += 1;
      largest = Math.max(largest, bytes(input));
      try {
        result = (await invoke(input)) as PruneResult;
      } catch (error) {
        // The definition's Catch: back into the same state, the caught error at its ResultPath.
        const caught = { Error: (error as Error).name, Cause: (error as Error).message };
        if (caught.Error !== 'MoreToPrune') throw error;
        input = { ...first, [field]: caught };
      }
    }
    largest = Math.max(largest, bytes(result));

    expect(
      sim
        .snapshotsOf(volume.volumeId)
        .map((s) => s.SnapshotId)
        .sort(),
    ).toEqual(ids.slice(4500).sort());
    expect(slices).toBe(45);
    expect(result).toMatchObject({ outcome: 'pruned', deletedCount: 4500, keptCount: 500, more: false });
    expect(largest).toBeLessThan(MAX_PAYLOAD_BYTES / 8);
  });
});

describe('the progress between slices', () => {
  it('GIVEN no backlog WHEN pruned THEN one invocation and nothing written to the work bucket', async () => {
    const { invoke, keys, first } = given(3, 5);
    expect(await invoke(first)).toMatchObject({ deletedCount: 2, more: false });
    expect(await keys()).toEqual([]);
  });

  it('GIVEN the last slice of a backlog is retried (its answer lost) WHEN it runs again THEN every deletion is still counted, none twice', async () => {
    const { invoke, caught, first, sim, volume } = given(1, 151);
    const last = { ...first, continued: await caught(first) };
    expect(await invoke(last)).toMatchObject({ deletedCount: 150, more: false });
    expect(await invoke(last)).toMatchObject({ deletedCount: 150, more: false });
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(1);
  });

  it('GIVEN a slice continued without the progress the slice before wrote WHEN run THEN it fails naming the document, deleting nothing', async () => {
    const { invoke, caught, first, sim, volume } = given(1, 151);
    const other = { ...first, executionName: 'another-run', continued: await caught(first) };
    const error = await invoke(other).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain('s3://work-bucket/runs/another-run/prune-progress/us-east-1/');
    expect(sim.snapshotsOf(volume.volumeId)).toHaveLength(51);
  });

  it('GIVEN backlogs of a volume at home and in a copy region WHEN both go on THEN each has its own progress and count', async () => {
    const { invoke, caught, first, copies, keys, volume } = given(1, 151);
    copies();
    const copyFirst = { ...first, volume: { ...volume, region: EU } };
    const home = { ...first, continued: await caught(first) };
    const copy = { ...copyFirst, continued: await caught(copyFirst) };
    expect((await keys()).sort()).toEqual([
      `runs/run-1/prune-progress/${EU}/${volume.volumeId}.json`,
      `runs/run-1/prune-progress/us-east-1/${volume.volumeId}.json`,
    ]);
    expect(await invoke(home)).toMatchObject({ deletedCount: 150, more: false });
    expect(await invoke(copy)).toMatchObject({ region: EU, deletedCount: 150, more: false });
  });
});
