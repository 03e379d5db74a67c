import { StateMachine } from 'aws-local-stepfunctions';
import {
  type DefinitionValues,
  loadDefinitionTemplate,
  renderDefinition,
  StateName,
  waitBudgetSeconds,
  waitMaxAttempts,
} from '../../statemachine/definition';

const values: DefinitionValues = {
  DiscoverFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:discover',
  CreateSnapshotFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:create',
  AwaitSnapshotsFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:await',
  PruneFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:prune',
  SummariseFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:summarise',
  WorkBucketName: 'work-bucket',
  SnapshotConcurrency: 40,
  PruneConcurrency: 20,
  WaitMaxAttempts: 99,
  ExecutionTimeoutSeconds: 108000,
};

describe('the workflow definition (SPEC §4)', () => {
  const definition = renderDefinition(values);
  const states = definition.States;
  const snapshotMap = states[StateName.snapshotVolumes];
  const pruneMap = states[StateName.pruneVolumes];
  const createTask = snapshotMap.ItemProcessor.States[StateName.createSnapshot];

  it('GIVEN values WHEN rendered THEN no placeholder is left and numbers stay numbers', () => {
    expect(JSON.stringify(definition)).not.toMatch(/\$\{/);
    expect(definition.TimeoutSeconds).toBe(108000);
    expect(snapshotMap.MaxConcurrency).toBe(40);
    expect(pruneMap.MaxConcurrency).toBe(20);
    expect(states[StateName.awaitSnapshots].Retry[0].MaxAttempts).toBe(99);
    expect(states[StateName.discover].Resource).toBe(values.DiscoverFunctionArn);
  });

  it('GIVEN a missing value WHEN rendered THEN it says which placeholder', () => {
    const { WorkBucketName: _, ...missing } = values;
    expect(() => renderDefinition(missing as DefinitionValues)).toThrow('WorkBucketName');
  });

  it('GIVEN the rendered definition WHEN loaded by the local engine THEN it validates', () => {
    expect(() => new StateMachine(definition as never)).not.toThrow();
  });

  it('THEN the states are, in order, the documented names', () => {
    expect(Object.keys(states)).toEqual([
      'Discover',
      'IsDryRun',
      'SnapshotVolumes',
      'AwaitSnapshots',
      'PruneVolumes',
      'Summarise',
      'DidBackupSucceed',
      'BackupFailed',
      'BackupSucceeded',
    ]);
    expect(definition.StartAt).toBe('Discover');
    expect(states.BackupFailed).toEqual(
      expect.objectContaining({ Type: 'Fail', Error: 'BackupFailed', CausePath: '$.cause' }),
    );
  });

  it.each([StateName.snapshotVolumes, StateName.pruneVolumes])(
    'THEN %s is a Distributed Map of STANDARD children reading and writing S3, tolerating every failure',
    (name) => {
      const map = states[name];
      expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
      expect(map.ToleratedFailurePercentage).toBe(100);
      expect(map.ItemReader).toEqual({
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': '$.items.bucket', 'Key.$': '$.items.key' },
      });
      expect(map.ResultWriter.Resource).toBe('arn:aws:states:::s3:putObject');
      expect(map.ResultWriter.Parameters.Bucket).toBe('work-bucket');
      expect(map.Label).toBe(name);
    },
  );

  it('THEN every Lambda task retries Lambda service errors and EC2 throttling with full jitter and a max delay', () => {
    const tasks = [
      states.Discover,
      createTask,
      states.AwaitSnapshots,
      pruneMap.ItemProcessor.States[StateName.pruneSnapshots],
      states.Summarise,
    ];
    for (const task of tasks) {
      expect(task.Retry).toEqual(
        expect.arrayContaining([
          {
            ErrorEquals: [
              'Lambda.ServiceException',
              'Lambda.AWSLambdaException',
              'Lambda.SdkClientException',
              'Lambda.TooManyRequestsException',
              'Lambda.ClientExecutionTimeoutException',
            ],
            IntervalSeconds: 2,
            MaxAttempts: 6,
            BackoffRate: 2,
            MaxDelaySeconds: 60,
            JitterStrategy: 'FULL',
          },
          {
            ErrorEquals: ['Ec2Throttled', 'Ec2Transient'],
            IntervalSeconds: 2,
            MaxAttempts: 8,
            BackoffRate: 2,
            MaxDelaySeconds: 120,
            JitterStrategy: 'FULL',
          },
        ]),
      );
    }
  });

  it('THEN the per-volume rate error waits at least 15 s, without jitter that could shorten it', () => {
    const rate = createTask.Retry.find((r: { ErrorEquals: string[] }) =>
      r.ErrorEquals.includes('SnapshotRateExceeded'),
    );
    expect(rate.IntervalSeconds).toBeGreaterThanOrEqual(15);
    expect(rate.JitterStrategy).toBe('NONE');
    expect(rate.BackoffRate).toBeGreaterThanOrEqual(1);
  });

  it('THEN terminal errors are never retried', () => {
    const retried = JSON.stringify(definition).match(/"ErrorEquals":\[[^\]]*\]/g) ?? [];
    for (const terminal of [
      'InvalidInput',
      'VolumeNotFound',
      'SnapshotNotCompleted',
      'States.ALL',
      'BackupFailed',
    ]) {
      expect(retried.join()).not.toContain(terminal);
    }
  });

  it('THEN the create task receives its retry count and the redrive count, for idempotency', () => {
    expect(createTask.Parameters).toEqual({
      'volume.$': '$.volume',
      'executionName.$': '$.executionName',
      'dryRun.$': '$.dryRun',
      'redriveCount.$': '$.redriveCount',
      'retryCount.$': '$$.State.RetryCount',
    });
    expect(snapshotMap.ItemSelector['redriveCount.$']).toBe('$$.Execution.RedriveCount');
  });

  it('THEN the wait retries SnapshotsPending with growing intervals and then goes on to prune', () => {
    const wait = states.AwaitSnapshots;
    expect(wait.Retry[0]).toEqual(
      expect.objectContaining({ ErrorEquals: ['SnapshotsPending'], BackoffRate: 1.5, MaxAttempts: 99 }),
    );
    expect(wait.Catch).toEqual([
      { ErrorEquals: ['SnapshotsPending'], ResultPath: '$.wait', Next: 'PruneVolumes' },
    ]);
  });
});

describe('waitMaxAttempts', () => {
  it.each([3600, 86_400, 7 * 86_400])(
    'GIVEN a wait limit of %i s THEN the retries last at least that long',
    (limit) => {
      const attempts = waitMaxAttempts(limit);
      expect(waitBudgetSeconds(attempts - 1)).toBeGreaterThanOrEqual(limit);
      expect(waitBudgetSeconds(attempts - 2)).toBeLessThan(limit);
    },
  );

  it('GIVEN the template THEN the 24 h default needs about a hundred polls, not thousands', () => {
    expect(waitMaxAttempts(86_400, loadDefinitionTemplate())).toBeLessThan(120);
  });
});
