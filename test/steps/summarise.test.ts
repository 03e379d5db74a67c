import { getJson, putJson } from '../../lambdas/aws/json-store';
import type { ChildExecutionResult } from '../../lambdas/contracts/map-run';
import type {
  DiscoveryReport,
  PruneResult,
  RunReport,
  SummariseEvent,
  SummariseOutput,
} from '../../lambdas/contracts/run-documents';
import { succeededFullRun, summarise, toVolumeFailure } from '../../lambdas/steps/summarise';
import { BUCKET, givenSteps, workItem, writeMapRun } from '../fixtures/steps';

const item = (id: string) => workItem(id, 2);
const RUN_ID = 'run-1-key';
const child = (
  volumeId: string,
  status: 'SUCCEEDED' | 'FAILED',
  extra: Partial<ChildExecutionResult> = {},
) => ({
  ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:x/Map:${volumeId}`,
  Input: JSON.stringify({ volume: item(volumeId), executionName: 'run-1' }),
  Status: status,
  ...extra,
});
const lambdaFailure = (errorType: string, errorMessage: string) => ({
  Error: errorType,
  Cause: JSON.stringify({ errorType, errorMessage }),
});
const pruned = (volumeId: string, extra: Partial<PruneResult> = {}): PruneResult => ({
  volumeId,
  generations: 2,
  dryRun: false,
  outcome: 'pruned',
  kept: ['snap-new', 'snap-old'],
  deleted: ['snap-oldest'],
  deletedCount: 1,
  skipped: [],
  pending: 0,
  more: false,
  ...extra,
});

/** A CopyVolumes child (its input is a CopyTask). */
const copyChild = (
  volumeId: string,
  region: string,
  status: 'SUCCEEDED' | 'FAILED',
  extra: Partial<ChildExecutionResult> = {},
) => ({
  ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:x/CopyVolumes:${volumeId}-${region}`,
  Input: JSON.stringify({
    copy: {
      ...item(volumeId),
      region,
      copyGenerations: 3,
      source: { snapshotId: 'snap-src', startTime: 0, region: 'us-east-1', encrypted: false },
    },
    executionName: 'run-1',
    runId: 'run-1-key',
  }),
  Status: status,
  ...extra,
});
/** A PruneCopies child (its input is a VolumeTask whose item has the copy region). */
const copyPruneChild = (
  volumeId: string,
  region: string,
  status: 'SUCCEEDED' | 'FAILED',
  extra: Partial<ChildExecutionResult> = {},
) => ({
  ExecutionArn: `arn:aws:states:us-east-1:123456789012:execution:x/PruneCopies:${volumeId}-${region}`,
  Input: JSON.stringify({ volume: { ...item(volumeId), generations: 3, region }, executionName: 'run-1' }),
  Status: status,
  ...extra,
});

describe('summarise step (SPEC §4.5)', () => {
  async function given(
    report: DiscoveryReport,
    runs: {
      snapshot?: ChildExecutionResult[];
      prune: ChildExecutionResult[];
      copy?: ChildExecutionResult[];
      copyPrune?: ChildExecutionResult[];
    },
    extra: Partial<SummariseEvent> = {},
  ) {
    const { s3 } = givenSteps();
    const writeRun = (name: string, children: ChildExecutionResult[]) => writeMapRun(s3, name, children);
    const discovery = await putJson(s3, { bucket: BUCKET, key: 'runs/run-1/discovery.json' }, report);
    const snapshotRun = runs.snapshot && (await writeRun('snapshot', runs.snapshot));
    // The loop's last turn ended it: every volume batched, the one PruneVolumes run in its ledger.
    const pruneRun = await writeRun('prune', runs.prune);
    const ledger = await putJson(
      s3,
      { bucket: BUCKET, key: 'runs/run-1/prune-batches/2/ledger.json' },
      { batched: report.items.map((i) => i.volumeId), runs: [pruneRun] },
    );
    const event: SummariseEvent = {
      executionName: 'run-1',
      runId: RUN_ID,
      dryRun: false,
      items: { bucket: BUCKET, key: 'runs/run-1/volumes.json' },
      discovery,
      snapshotRecord: await putJson(
        s3,
        { bucket: BUCKET, key: 'runs/run-1/snapshot-run.json' },
        { runId: RUN_ID, ...(snapshotRun && { snapshotRun }) },
      ),
      pruneBatch: { number: 2, count: 0, final: true, ledger },
      pruneRun,
      ...(runs.copy && { copyRun: await writeRun('copy', runs.copy) }),
      ...(runs.copyPrune && { copyPruneRun: await writeRun('copy-prune', runs.copyPrune) }),
      ...extra,
    };
    return { s3, event, summarise: () => summarise({ s3, bucket: BUCKET }, event) };
  }

  it('GIVEN every volume succeeded WHEN summarised THEN SUCCEEDED with the counts and no cause', async () => {
    const { summarise: run } = await given(
      { items: [item('vol-1'), item('vol-2')], invalid: [], skipped: [] },
      {
        snapshot: [child('vol-1', 'SUCCEEDED'), child('vol-2', 'SUCCEEDED')],
        prune: [
          child('vol-1', 'SUCCEEDED', { Output: JSON.stringify(pruned('vol-1')) }),
          child('vol-2', 'SUCCEEDED', {
            Output: JSON.stringify(
              pruned('vol-2', {
                skipped: [{ snapshotId: 'snap-ami', reason: 'InvalidSnapshot.InUse: ami-1' }],
              }),
            ),
          }),
        ],
      },
    );
    const output = await run();
    expect(output.outcome).toBe('SUCCEEDED');
    expect(output).not.toHaveProperty('cause');
    expect(output.counts).toEqual({
      volumes: 2,
      volumesFailed: 0,
      volumesSuperseded: 0,
      invalid: 0,
      skippedTargets: 0,
      snapshotsDeleted: 2,
      deletionsSkipped: 1,
    });
    expect(output.skippedDeletions).toEqual([
      { snapshotId: 'snap-ami', reason: 'InvalidSnapshot.InUse: ami-1' },
    ]);
  });

  it('GIVEN results that list only their first refusals WHEN summarised THEN the count is of them all', async () => {
    const refusal = { snapshotId: 'snap-ami', reason: 'InvalidSnapshot.InUse: ami-1' };
    const { summarise: run } = await given(
      { items: [item('vol-1')], invalid: [], skipped: [] },
      {
        prune: [
          child('vol-1', 'SUCCEEDED', {
            Output: JSON.stringify(pruned('vol-1', { skipped: [refusal], skippedCount: 150 })),
          }),
        ],
      },
    );
    const output = await run();
    expect(output.counts.deletionsSkipped).toBe(150);
    expect(output.skippedDeletions).toEqual([refusal]);
  });

  it('GIVEN a volume failed in both fan-outs and an invalid tag WHEN summarised THEN FAILED naming each once', async () => {
    const { summarise: run } = await given(
      {
        items: [item('vol-1'), item('vol-2')],
        invalid: [{ resource: 'instance', id: 'i-bad', value: 'abc', reason: 'is not a whole number' }],
        skipped: [],
      },
      {
        snapshot: [
          child('vol-1', 'FAILED', lambdaFailure('VolumeNotFound', 'vol-1 no longer exists')),
          child('vol-2', 'SUCCEEDED'),
        ],
        prune: [
          child(
            'vol-1',
            'FAILED',
            lambdaFailure('SnapshotNotCompleted', 'vol-1: execution run-1 created no snapshot'),
          ),
          child(
            'vol-2',
            'FAILED',
            lambdaFailure('SnapshotNotCompleted', 'vol-2: snapshot snap-2 ended in state error'),
          ),
        ],
      },
    );
    const output = await run();
    expect(output.outcome).toBe('FAILED');
    expect(output.cause?.split('\n')).toEqual([
      '2 volumes failed, 1 invalid tag value. Full report: s3://work-bucket/runs/run-1/report.json',
      'To re-run just the failed volumes, start an execution with this input: {"volumeIds":["vol-1","vol-2"]}',
      'vol-1 (i-0000000000000000a web): CreateSnapshot VolumeNotFound: vol-1 no longer exists',
      'vol-2 (i-0000000000000000a web): PruneSnapshots SnapshotNotCompleted: vol-2: snapshot snap-2 ended in state error',
      'instance i-bad: tag value "abc" is not a whole number',
    ]);
    expect(output.counts.volumesFailed).toBe(2);
    expect(output.rerunInput).toEqual({ volumeIds: ['vol-1', 'vol-2'] });
  });

  it('GIVEN a volume and a copy superseded by an overlapping run, and a volume whose create failed although a newer generation exists WHEN summarised THEN the first two are superseded (with the region), the third failed', async () => {
    const superseded = (volumeId: string, extra: Partial<PruneResult> = {}) =>
      pruned(volumeId, {
        outcome: 'superseded',
        supersededBy: `snap-newer-${volumeId}`,
        kept: [],
        deleted: [],
        deletedCount: 0,
        ...extra,
      });
    const { s3, summarise: run } = await given(
      { items: [item('vol-1'), item('vol-2'), item('vol-3')], invalid: [], skipped: [] },
      {
        snapshot: [
          child('vol-1', 'SUCCEEDED'),
          child('vol-2', 'SUCCEEDED'),
          child('vol-3', 'FAILED', lambdaFailure('Ec2Throttled', 'RequestLimitExceeded')),
        ],
        prune: [
          child('vol-1', 'SUCCEEDED', { Output: JSON.stringify(superseded('vol-1')) }),
          child('vol-2', 'SUCCEEDED', { Output: JSON.stringify(pruned('vol-2')) }),
          child('vol-3', 'SUCCEEDED', { Output: JSON.stringify(superseded('vol-3')) }),
        ],
        copy: [copyChild('vol-2', 'eu-west-1', 'SUCCEEDED')],
        copyPrune: [
          copyPruneChild('vol-2', 'eu-west-1', 'SUCCEEDED', {
            Output: JSON.stringify(superseded('vol-2', { region: 'eu-west-1', generations: 3 })),
          }),
        ],
      },
    );
    const output = await run();
    expect(output.outcome).toBe('FAILED');
    expect(output.counts).toMatchObject({ volumesFailed: 1, volumesSuperseded: 1, copiesFailed: 0 });
    const report = await getJson<RunReport>(s3, output.report);
    expect(report.superseded).toEqual([
      { volumeId: 'vol-1', supersededBy: 'snap-newer-vol-1' },
      { volumeId: 'vol-2', region: 'eu-west-1', supersededBy: 'snap-newer-vol-2' },
    ]);
    expect(report.failures.map((f) => [f.volumeId, f.step])).toEqual([['vol-3', 'CreateSnapshot']]);
  });

  it('GIVEN only an invalid tag WHEN summarised THEN the run still fails', async () => {
    const { summarise: run } = await given(
      {
        items: [],
        invalid: [{ resource: 'volume', id: 'vol-9', instanceId: 'i-1', value: '-1', reason: 'bad' }],
        skipped: [],
      },
      { snapshot: [], prune: [] },
    );
    expect((await run()).outcome).toBe('FAILED');
  });

  it("GIVEN the pruning loop's batches in three Map Runs, the last one in no ledger (the loop ended on a failure), and a volume in no batch WHEN summarised THEN every run's results count, and the volume in no batch is failed with the error that stopped the loop", async () => {
    const { s3, event } = await given(
      { items: ['vol-1', 'vol-2', 'vol-3', 'vol-4'].map(item), invalid: [], skipped: [] },
      { snapshot: [], prune: [] },
    );
    const done = (id: string) => child(id, 'SUCCEEDED', { Output: JSON.stringify(pruned(id)) });
    const first = await writeMapRun(s3, 'prune-1', [done('vol-1')]);
    const second = await writeMapRun(s3, 'prune-2', [
      child(
        'vol-2',
        'FAILED',
        lambdaFailure('SnapshotNotCompleted', 'vol-2: snapshot snap-2 ended in state error'),
      ),
    ]);
    const third = await writeMapRun(s3, 'prune-3', [done('vol-3')]);
    // Turn 3's ledger knows the first two runs; its batch (vol-3) ran, then the loop failed twice.
    const ledger = await putJson(
      s3,
      { bucket: BUCKET, key: 'runs/run-1/prune-batches/3/ledger.json' },
      { batched: ['vol-1', 'vol-2', 'vol-3'], runs: [first, second] },
    );
    const output = await summarise(
      { s3, bucket: BUCKET },
      {
        ...event,
        pruneBatch: { number: 3, count: 1, final: false, ledger },
        pruneRun: third,
        waitError: lambdaFailure('UnauthorizedOperation', 'not allowed to DescribeSnapshots'),
        unprunedError: lambdaFailure('Lambda.ServiceException', 'Lambda is down'),
      },
    );
    const report = await getJson<RunReport>(s3, output.report);
    expect(report.volumes.map((v) => v.volumeId).sort()).toEqual(['vol-1', 'vol-3']);
    expect(report.failures).toEqual([
      expect.objectContaining({ volumeId: 'vol-2', step: 'PruneSnapshots', error: 'SnapshotNotCompleted' }),
      expect.objectContaining({
        volumeId: 'vol-4',
        step: 'ListUnprunedVolumes',
        error: 'Lambda.ServiceException',
        message:
          "not pruned: the wait for this run's snapshots failed (Lambda is down); older generations kept",
      }),
    ]);
    expect(report.waitError).toEqual({
      error: 'UnauthorizedOperation',
      message: 'not allowed to DescribeSnapshots',
    });
    expect(output.counts).toMatchObject({ volumes: 4, volumesFailed: 2, snapshotsDeleted: 2 });
  });

  it("GIVEN the state of a run started before the pruning loop (SnapshotVolumes' and PruneVolumes' results in it, redriven since) WHEN summarised THEN read from there", async () => {
    const { s3, event } = await given(
      { items: [item('vol-1'), item('vol-2')], invalid: [], skipped: [] },
      { prune: [] },
    );
    const { snapshotRecord: _, pruneBatch: __, ...before } = event;
    const output = await summarise(
      { s3, bucket: BUCKET },
      {
        ...before,
        snapshotRun: await writeMapRun(s3, 'snapshot-before', [
          child('vol-2', 'FAILED', lambdaFailure('VolumeNotFound', 'vol-2 is gone')),
        ]),
        pruneRun: await writeMapRun(s3, 'prune-before', [
          child('vol-1', 'SUCCEEDED', { Output: JSON.stringify(pruned('vol-1')) }),
        ]),
      },
    );
    const report = await getJson<RunReport>(s3, output.report);
    expect(report.volumes.map((v) => v.volumeId)).toEqual(['vol-1']);
    expect(report.failures.map((f) => [f.volumeId, f.step])).toEqual([['vol-2', 'CreateSnapshot']]);
  });

  it('GIVEN a dry run WHEN summarised THEN the plan lists creations and deletions', async () => {
    const { event, s3 } = await given(
      { items: [item('vol-1')], invalid: [], skipped: [] },
      { prune: [child('vol-1', 'SUCCEEDED', { Output: JSON.stringify(pruned('vol-1', { dryRun: true })) })] },
    );
    const output = await summarise({ s3, bucket: BUCKET }, { ...event, dryRun: true });
    expect(output.plan).toEqual({ create: ['Auto Snapshot vol-1(web)'], delete: ['snap-oldest'] });
    expect(output.counts.snapshotsDeleted).toBe(0);
  });

  it.each<[string, { fullRun?: boolean; dryRun: boolean }, SummariseOutput['outcome'], boolean]>([
    ['a full live run that succeeded', { fullRun: true, dryRun: false }, 'SUCCEEDED', true],
    ['a full live run that failed', { fullRun: true, dryRun: false }, 'FAILED', false],
    ['a dry run', { fullRun: false, dryRun: true }, 'SUCCEEDED', false],
    ['an instanceIds run', { fullRun: false, dryRun: false }, 'SUCCEEDED', false],
    ['a redrive from before fullRun existed', { dryRun: false }, 'SUCCEEDED', false],
  ])(
    'GIVEN %s WHEN summarised THEN it resets the no-success alarm: %s (SPEC §5.3)',
    async (_, run, outcome, full) => {
      const { event } = await given({ items: [], invalid: [], skipped: [] }, { prune: [] });
      const output = { outcome } as SummariseOutput;
      expect(succeededFullRun({ ...event, ...run }, output)).toBe(full);
    },
  );

  describe('copies in other regions (SPEC §10)', () => {
    const both = { items: [item('vol-1'), item('vol-2')], invalid: [], skipped: [] };
    const sourceOk = {
      snapshot: [child('vol-1', 'SUCCEEDED'), child('vol-2', 'SUCCEEDED')],
      prune: [
        child('vol-1', 'SUCCEEDED', { Output: JSON.stringify(pruned('vol-1')) }),
        child('vol-2', 'SUCCEEDED', { Output: JSON.stringify(pruned('vol-2')) }),
      ],
    };

    it('GIVEN a copy that failed in CopySnapshot and then in PruneCopySnapshots WHEN summarised THEN FAILED, reported once for that volume and region', async () => {
      const { s3, summarise: run } = await given(both, {
        ...sourceOk,
        copy: [
          copyChild('vol-1', 'eu-west-1', 'FAILED', lambdaFailure('CopyLimitExceeded', 'eu-west-1: limit')),
          copyChild('vol-1', 'ap-south-1', 'SUCCEEDED'),
          copyChild('vol-2', 'eu-west-1', 'SUCCEEDED'),
        ],
        copyPrune: [
          copyPruneChild(
            'vol-1',
            'eu-west-1',
            'FAILED',
            lambdaFailure(
              'SnapshotNotCompleted',
              'vol-1: execution run-1 created no copy of it in eu-west-1',
            ),
          ),
          copyPruneChild(
            'vol-1',
            'ap-south-1',
            'FAILED',
            lambdaFailure('SnapshotNotCompleted', 'vol-1: copy snap-c in ap-south-1 ended in state error'),
          ),
          copyPruneChild('vol-2', 'eu-west-1', 'SUCCEEDED', {
            Output: JSON.stringify(pruned('vol-2', { region: 'eu-west-1', deletedCount: 3 })),
          }),
        ],
      });
      const output = await run();
      expect(output.outcome).toBe('FAILED');
      expect(output.cause?.split('\n')).toEqual([
        '0 volumes failed, 2 copy failures, 0 invalid tag values. Full report: s3://work-bucket/runs/run-1/report.json',
        'To re-run just the failed volumes, start an execution with this input: {"volumeIds":["vol-1"]}',
        'vol-1 (i-0000000000000000a web) in ap-south-1: PruneCopySnapshots SnapshotNotCompleted: vol-1: copy snap-c in ap-south-1 ended in state error',
        'vol-1 (i-0000000000000000a web) in eu-west-1: CopySnapshot CopyLimitExceeded: eu-west-1: limit',
      ]);
      expect(output.counts).toMatchObject({
        volumesFailed: 0,
        copiesFailed: 2,
        snapshotsDeleted: 2,
        copiesDeleted: 3,
      });
      const report = await getJson<RunReport>(s3, output.report);
      expect(report.failures.map((f) => [f.volumeId, f.region, f.step])).toEqual([
        ['vol-1', 'ap-south-1', 'PruneCopySnapshots'],
        ['vol-1', 'eu-west-1', 'CopySnapshot'],
      ]);
      expect(report.copies).toEqual([pruned('vol-2', { region: 'eu-west-1', deletedCount: 3 })]);
      // The source region's retention went on: every volume's own prune result is there.
      expect(report.volumes.map((v) => v.volumeId)).toEqual(['vol-1', 'vol-2']);
    });

    it("GIVEN a volume failed in its own region and in a copy region WHEN summarised THEN both are named, the volume's own first", async () => {
      const { summarise: run } = await given(
        { items: [item('vol-1')], invalid: [], skipped: [] },
        {
          snapshot: [child('vol-1', 'FAILED', lambdaFailure('VolumeNotFound', 'vol-1 no longer exists'))],
          prune: [child('vol-1', 'FAILED', lambdaFailure('SnapshotNotCompleted', 'vol-1: none'))],
          copyPrune: [
            copyPruneChild('vol-1', 'eu-west-1', 'FAILED', lambdaFailure('SnapshotNotCompleted', 'no copy')),
          ],
        },
      );
      const output = await run();
      expect(output.cause?.split('\n').slice(2)).toEqual([
        'vol-1 (i-0000000000000000a web): CreateSnapshot VolumeNotFound: vol-1 no longer exists',
        'vol-1 (i-0000000000000000a web) in eu-west-1: PruneCopySnapshots SnapshotNotCompleted: no copy',
      ]);
      expect(output.counts).toMatchObject({ volumesFailed: 1, copiesFailed: 1 });
    });

    it('GIVEN regions no longer configured WHEN summarised THEN reported in the output and the report, and the run still succeeds', async () => {
      const retired = [
        {
          region: 'eu-central-1',
          copies: 4,
          message: 'no longer in copyRegions: 4 copies left untouched, not pruned',
        },
      ];
      const { s3, summarise: run } = await given({ ...both, retiredCopyRegions: retired }, sourceOk);
      const output = await run();
      expect(output.outcome).toBe('SUCCEEDED');
      expect(output.retiredCopyRegions).toEqual(retired);
      expect((await getJson<RunReport>(s3, output.report)).retiredCopyRegions).toEqual(retired);
    });

    it("GIVEN AwaitCopies failed WHEN summarised THEN its error is in the report with Lambda's message", async () => {
      const { s3, summarise: run } = await given(
        both,
        { ...sourceOk, copy: [], copyPrune: [] },
        {
          copyWaitError: {
            Error: 'CopiesPending',
            Cause: JSON.stringify({
              errorType: 'CopiesPending',
              errorMessage: '2 of 2 copies still pending',
            }),
          },
        },
      );
      const output = await run();
      expect(output.outcome).toBe('SUCCEEDED');
      expect(output.counts).toMatchObject({ copiesFailed: 0, copiesDeleted: 0 });
      expect((await getJson<RunReport>(s3, output.report)).copyWaitError).toEqual({
        error: 'CopiesPending',
        message: '2 of 2 copies still pending',
      });
    });

    it('GIVEN a run without copies WHEN summarised THEN no copy counts, copies or retired regions appear', async () => {
      const { s3, summarise: run } = await given(both, sourceOk);
      const output = await run();
      expect(output.counts).not.toHaveProperty('copiesFailed');
      expect(output).not.toHaveProperty('retiredCopyRegions');
      expect(await getJson<RunReport>(s3, output.report)).not.toHaveProperty('copies');
    });

    it('GIVEN a failed CopySnapshot child WHEN read as a failure THEN it carries the copy region (the CLI reads it too)', () => {
      const failure = toVolumeFailure(
        copyChild('vol-1', 'eu-west-1', 'FAILED', lambdaFailure('Ec2Throttled', 'slow down')),
        'CopySnapshot',
      );
      expect(failure).toEqual({
        volumeId: 'vol-1',
        instanceId: 'i-0000000000000000a',
        instanceName: 'web',
        region: 'eu-west-1',
        step: 'CopySnapshot',
        error: 'Ec2Throttled',
        message: 'slow down',
      });
    });
  });
});
