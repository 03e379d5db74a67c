import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The run's own success signal (SPEC §5.3): GIVEN the Summarise handler, WHEN a run ends, THEN
 * FullRunsSucceeded is emitted once, with the state machine as dimension, only for a full live
 * run that succeeded; the no-success alarm watches nothing else.
 */
const summarised: { output: Partial<SummariseOutput> } = { output: {} };
jest.mock('../../lambdas/steps/summarise', () => ({
  ...jest.requireActual('../../lambdas/steps/summarise'),
  summarise: async () => summarised.output,
}));

import type { SummariseEvent, SummariseOutput } from '../../lambdas/contracts/run-documents';
import { createHandler } from '../../lambdas/handlers/summarise';

const counts = {
  volumes: 1,
  volumesFailed: 0,
  volumesSuperseded: 0,
  invalid: 0,
  skippedTargets: 0,
  snapshotsDeleted: 0,
  deletionsSkipped: 0,
};
const event = (run: Partial<SummariseEvent>): SummariseEvent => ({
  executionName: 'run-1',
  runId: 'run-1-key',
  dryRun: false,
  items: { bucket: 'b', key: 'runs/run-1/volumes.json' },
  discovery: { bucket: 'b', key: 'runs/run-1/discovery.json' },
  pruneRun: { MapRunArn: 'arn', ResultWriterDetails: { Bucket: 'b', Key: 'm' } },
  ...run,
});

describe('Summarise handler: FullRunsSucceeded', () => {
  let added: jest.SpyInstance;
  let dimensions: jest.SpyInstance;
  beforeEach(() => {
    added = jest.spyOn(Metrics.prototype, 'addMetric');
    dimensions = jest.spyOn(Metrics.prototype, 'addDimension');
  });
  afterEach(() => jest.restoreAllMocks());

  const run = async (
    run: Partial<SummariseEvent>,
    outcome: SummariseOutput['outcome'],
    named: { stateMachineName?: string } = { stateMachineName: 'ebs-backup' },
  ) => {
    summarised.output = { outcome, counts: { ...counts, volumesFailed: outcome === 'FAILED' ? 1 : 0 } };
    const handler = createHandler({ s3: {} as never, bucket: 'b', ...named });
    await handler(event(run));
    return added.mock.calls.filter(([name]) => name === 'FullRunsSucceeded');
  };

  it('GIVEN a full live run that succeeded THEN it is emitted once with the state machine as dimension', async () => {
    expect(await run({ fullRun: true }, 'SUCCEEDED')).toEqual([['FullRunsSucceeded', 'Count', 1]]);
    expect(dimensions.mock.calls).toEqual([['StateMachineName', 'ebs-backup']]);
  });

  it.each<[string, Partial<SummariseEvent>, SummariseOutput['outcome']]>([
    ['a failed full run', { fullRun: true }, 'FAILED'],
    ['a dry run', { fullRun: false, dryRun: true }, 'SUCCEEDED'],
    ['an instanceIds run', { fullRun: false }, 'SUCCEEDED'],
    ['a run without fullRun', {}, 'SUCCEEDED'],
  ])('GIVEN %s THEN nothing is emitted', async (_, input, outcome) => {
    expect(await run(input, outcome)).toEqual([]);
  });

  it('GIVEN no state machine name (a local run) THEN nothing is emitted', async () => {
    expect(await run({ fullRun: true }, 'SUCCEEDED', {})).toEqual([]);
  });
});
