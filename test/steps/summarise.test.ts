import { putJson } from '../../lambdas/aws/json-store';
import type { ChildExecutionResult } from '../../lambdas/contracts/map-run';
import type { DiscoveryReport, PruneResult, SummariseOutput } from '../../lambdas/contracts/run-documents';
import { succeededFullRun, summarise } from '../../lambdas/steps/summarise';
import { BUCKET, givenSteps, workItem, writeMapRun } from '../fixtures/steps';

const item = (id: string) => workItem(id, 2);
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

describe('summarise step (SPEC §4.5)', () => {
  async function given(
    report: DiscoveryReport,
    runs: { snapshot?: ChildExecutionResult[]; prune: ChildExecutionResult[] },
  ) {
    const { s3 } = givenSteps();
    const writeRun = (name: string, children: ChildExecutionResult[]) => writeMapRun(s3, name, children);
    const discovery = await putJson(s3, { bucket: BUCKET, key: 'runs/run-1/discovery.json' }, report);
    const event = {
      executionName: 'run-1',
      dryRun: false,
      items: { bucket: BUCKET, key: 'runs/run-1/volumes.json' },
      discovery,
      ...(runs.snapshot && { snapshotRun: await writeRun('snapshot', runs.snapshot) }),
      pruneRun: await writeRun('prune', runs.prune),
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
      '2 volume(s) failed, 1 invalid tag value(s). Full report: s3://work-bucket/runs/run-1/report.json',
      'vol-1 (i-0000000000000000a web): CreateSnapshot VolumeNotFound: vol-1 no longer exists',
      'vol-2 (i-0000000000000000a web): PruneSnapshots SnapshotNotCompleted: vol-2: snapshot snap-2 ended in state error',
      'instance i-bad: tag value "abc" is not a whole number',
    ]);
    expect(output.counts.volumesFailed).toBe(2);
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
});
