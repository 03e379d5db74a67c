import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StateMachine } from 'aws-local-stepfunctions';
import { LISTING_LAG_TOLERANCE_MS } from '../../lambdas/core/listing-lag';
import {
  type AslDefinition,
  copyLimitBackoffSeconds,
  copyLimitWaitGuaranteeSeconds,
  type DefinitionValues,
  findState,
  guaranteedRetriesSeconds,
  loadDefinitionTemplate,
  PendingWait,
  renderDefinition,
  retriesSeconds,
  StateName,
  scriptWaitMaxAttempts,
  scriptWaitSeconds,
  waitBudgetSeconds,
  waitMaxAttempts,
} from '../../statemachine/definition';

const values: DefinitionValues = {
  DiscoverFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:discover',
  CreateSnapshotFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:create',
  SnapshotSetFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:snapshot-set',
  RunScriptFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:run-script',
  AwaitSnapshotsFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:await',
  PruneFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:prune',
  SummariseFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:summarise',
  CopySnapshotFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:copy',
  AwaitCopiesFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:await-copies',
  WorkBucketName: 'work-bucket',
  SnapshotResultsPrefix: 'map-runs/snapshot',
  SetResultsPrefix: 'map-runs/set',
  PruneResultsPrefix: 'map-runs/prune',
  CopyResultsPrefix: 'map-runs/copy',
  CopyPruneResultsPrefix: 'map-runs/copy-prune',
  SnapshotConcurrency: 40,
  PruneConcurrency: 20,
  CopyConcurrency: 7,
  WaitMaxAttempts: 99,
  CopyWaitMaxAttempts: 77,
  ScriptWaitMaxAttempts: 55,
  ExecutionTimeoutSeconds: 108000,
};

describe('the workflow definition (SPEC §4)', () => {
  const definition = renderDefinition(values);
  const states = definition.States;
  /** A state wherever it is: at the top level or in a branch of SnapshotAndPrune. */
  const state = (name: string): AslDefinition => findState(states, name) as AslDefinition;
  const parallel = states[StateName.snapshotAndPrune];
  const snapshotMap = state(StateName.snapshotVolumes);
  const pruneMap = state(StateName.pruneVolumes);
  const createTask = snapshotMap.ItemProcessor.States[StateName.createSnapshot];
  const confirmSnapshotTask = snapshotMap.ItemProcessor.States[StateName.confirmSnapshot];
  const pruneTask = pruneMap.ItemProcessor.States[StateName.pruneSnapshots];
  const copyMap = states[StateName.copyVolumes];
  const pruneCopiesMap = states[StateName.pruneCopies];
  const copyTask = copyMap.ItemProcessor.States[StateName.copySnapshot];
  const confirmCopyTask = copyMap.ItemProcessor.States[StateName.confirmCopy];
  const pruneCopyTask = pruneCopiesMap.ItemProcessor.States[StateName.pruneCopySnapshots];

  it('GIVEN values WHEN rendered THEN no placeholder is left and numbers stay numbers', () => {
    expect(JSON.stringify(definition)).not.toMatch(/\$\{/);
    expect(definition.TimeoutSeconds).toBe(108000);
    expect(snapshotMap.MaxConcurrency).toBe(40);
    expect(pruneMap.MaxConcurrency).toBe(20);
    expect(state(StateName.awaitSnapshots).Retry[0].MaxAttempts).toBe(99);
    expect(state(StateName.listUnprunedVolumes).Retry[0].MaxAttempts).toBe(99);
    expect(states[StateName.copyVolumes].MaxConcurrency).toBe(7);
    expect(states[StateName.awaitCopies].Retry[0].MaxAttempts).toBe(77);
    expect(states[StateName.discover].Resource).toBe(values.DiscoverFunctionArn);
    expect(copyMap.MaxConcurrency).toBe(7);
    expect(pruneCopiesMap.MaxConcurrency).toBe(20);
    expect(states[StateName.awaitCopies].Retry[0].MaxAttempts).toBe(77);
    expect(copyTask.Resource).toBe(values.CopySnapshotFunctionArn);
    expect(states[StateName.awaitCopies].Resource).toBe(values.AwaitCopiesFunctionArn);
    // The copies' retention is the same function as the source's.
    expect(pruneCopyTask.Resource).toBe(values.PruneFunctionArn);
    expect(copyMap.ResultWriter.Parameters.Prefix).toBe('map-runs/copy');
    expect(pruneCopiesMap.ResultWriter.Parameters.Prefix).toBe('map-runs/copy-prune');
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
      'SnapshotAndPrune',
      'AnyCopies',
      'CopyVolumes',
      'AwaitCopies',
      'PruneCopies',
      'Summarise',
      'DidBackupSucceed',
      'BackupFailed',
      'BackupSucceeded',
    ]);
    expect(
      parallel.Branches.map((branch: AslDefinition) => [branch.StartAt, Object.keys(branch.States)]),
    ).toEqual([
      ['IsDryRun', ['IsDryRun', 'SnapshotVolumes', 'RecordSnapshotRun']],
      [
        'AwaitSnapshots',
        ['AwaitSnapshots', 'AnyToPrune', 'PruneVolumes', 'ListUnprunedVolumes', 'PruningDone'],
      ],
      ['AnySets', ['AnySets', 'SnapshotSets', 'RecordSetRun', 'NoSets']],
    ]);
    expect(definition.StartAt).toBe('Discover');
    expect(states.BackupFailed).toEqual(
      expect.objectContaining({ Type: 'Fail', Error: 'BackupFailed', CausePath: '$.cause' }),
    );
  });

  it('THEN scriptWaitMaxAttempts outlasts delivery, the script timeout and the listing tolerance, for every allowed timeout', () => {
    const sets = state(StateName.snapshotSets).ItemProcessor.States;
    const retrier = findState(
      findState(loadDefinitionTemplate().States, StateName.snapshotSets)?.ItemProcessor.States,
      StateName.preScript,
    )?.Retry[0];
    expect(sets[StateName.postScript].Retry[0]).toEqual(sets[StateName.preScript].Retry[0]);
    for (const timeout of [10, 30, 120]) {
      const attempts = scriptWaitMaxAttempts(timeout);
      expect(retriesSeconds(retrier, attempts)).toBeGreaterThanOrEqual(scriptWaitSeconds(timeout));
      expect(retriesSeconds(retrier, attempts - 1)).toBeLessThan(scriptWaitSeconds(timeout));
      expect(scriptWaitSeconds(timeout)).toBeGreaterThan(timeout + 30);
    }
  });

  it.each([
    [StateName.snapshotSets, '$.setItems'],
    [StateName.snapshotVolumes, '$.volumeItems'],
    [StateName.pruneVolumes, '$.pruneBatch.items'],
    [StateName.copyVolumes, '$.pruneBatch.copyItems'],
    [StateName.pruneCopies, '$.copyPruneItems'],
  ])(
    'THEN %s is a Distributed Map of STANDARD children reading %s and writing S3, tolerating every failure',
    (name, items) => {
      const map = state(name);
      expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
      expect(map.ToleratedFailurePercentage).toBe(100);
      expect(map.ItemReader).toEqual({
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': `${items}.bucket`, 'Key.$': `${items}.key` },
      });
      expect(map.ResultWriter.Resource).toBe('arn:aws:states:::s3:putObject');
      expect(map.ResultWriter.Parameters.Bucket).toBe('work-bucket');
      expect(map.Label).toBe(name);
    },
  );

  /**
   * Lambda's transient service errors, and a function timeout: `Sandbox.Timedout`, the error of
   * an invocation that ran past the function's timeout in recent histories
   * (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html), and
   * `Lambda.Unknown`, as Step Functions documents timeouts and out-of-memory errors
   * (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html).
   * Every step but the create and copy steps is safe to run again after one; those two send it
   * to ConfirmSnapshot or ConfirmCopy instead (see UNKNOWN_OUTCOME).
   */
  const LAMBDA_ERRORS = {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'Lambda.ClientExecutionTimeoutException',
      'Sandbox.Timedout',
      // AWS documents a timed-out invocation as Lambda.Unknown (bp-lambda-serviceexception.html).
      'Lambda.Unknown',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'FULL',
  };
  const EC2_ERRORS = {
    ErrorEquals: ['Ec2Throttled', 'Ec2Transient'],
    IntervalSeconds: 2,
    MaxAttempts: 8,
    BackoffRate: 2,
    MaxDelaySeconds: 120,
    JitterStrategy: 'FULL',
  };

  /**
   * Refusals that made nothing: Lambda throttled the invocation (the function never ran), EC2
   * throttled the request. Retrying them needs no look-up.
   */
  const DEFINITE_REFUSALS = [
    { ...LAMBDA_ERRORS, ErrorEquals: ['Lambda.TooManyRequestsException'] },
    { ...EC2_ERRORS, ErrorEquals: ['Ec2Throttled'] },
  ];
  const RATE_PER_VOLUME = {
    ErrorEquals: ['SnapshotRateExceeded'],
    IntervalSeconds: 16,
    MaxAttempts: 5,
    BackoffRate: 1.5,
    MaxDelaySeconds: 120,
    JitterStrategy: 'NONE',
  };
  /** Errors after which the snapshot (copy) may or may not exist: never retried, always confirmed. */
  const UNKNOWN_OUTCOME = [
    'Ec2Transient',
    'SnapshotOutcomeUnknown',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.ClientExecutionTimeoutException',
    'Sandbox.Timedout',
    'Lambda.Unknown',
  ];
  const NOT_LISTED = {
    ErrorEquals: ['SnapshotNotListed'],
    IntervalSeconds: 5,
    MaxAttempts: 15,
    BackoffRate: 2,
    MaxDelaySeconds: 60,
    JitterStrategy: 'NONE',
  };

  it('THEN each task retries exactly the errors it can raise, with full jitter and a max delay', () => {
    expect(states.Discover.Retry).toEqual([LAMBDA_ERRORS, EC2_ERRORS]);
    expect(createTask.Retry).toEqual([...DEFINITE_REFUSALS, RATE_PER_VOLUME]);
    expect(confirmSnapshotTask.Retry).toEqual([NOT_LISTED, LAMBDA_ERRORS, EC2_ERRORS]);
    // Both turns of the pruning loop: 30 s growing by a quarter per poll to 15 min (a first
    // batch late by at most a quarter of the wait before it), for as long as the wait limit.
    const SNAPSHOTS_PENDING = {
      ErrorEquals: ['SnapshotsPending'],
      IntervalSeconds: 30,
      MaxAttempts: 99,
      BackoffRate: 1.25,
      MaxDelaySeconds: 900,
      JitterStrategy: 'NONE',
    };
    expect(state(StateName.awaitSnapshots).Retry).toEqual([SNAPSHOTS_PENDING, LAMBDA_ERRORS]);
    expect(state(StateName.listUnprunedVolumes).Retry).toEqual([SNAPSHOTS_PENDING, LAMBDA_ERRORS]);
    // Any error of the S3 write: its transient errors' names are not documented (see the state's Comment).
    expect(state(StateName.recordSnapshotRun).Retry).toEqual([
      { ...LAMBDA_ERRORS, ErrorEquals: ['States.TaskFailed'] },
    ]);
    expect(pruneTask.Retry).toEqual([LAMBDA_ERRORS, EC2_ERRORS]);
    expect(pruneCopyTask.Retry).toEqual([LAMBDA_ERRORS, EC2_ERRORS]);
    expect(copyTask.Retry).toEqual([
      ...DEFINITE_REFUSALS,
      {
        ErrorEquals: ['CopyLimitExceeded'],
        IntervalSeconds: 60,
        MaxAttempts: 16,
        BackoffRate: 2,
        MaxDelaySeconds: 900,
        JitterStrategy: 'NONE',
      },
    ]);
    expect(confirmCopyTask.Retry).toEqual([NOT_LISTED, LAMBDA_ERRORS, EC2_ERRORS]);
    expect(states.AwaitCopies.Retry).toEqual([
      {
        ErrorEquals: ['CopiesPending'],
        IntervalSeconds: 60,
        MaxAttempts: 77,
        BackoffRate: 1.5,
        MaxDelaySeconds: 900,
        JitterStrategy: 'NONE',
      },
      LAMBDA_ERRORS,
    ]);
    // Summarise reads and writes S3 only.
    expect(states.Summarise.Retry).toEqual([LAMBDA_ERRORS]);
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
    const retried: string[] = [];
    const visit = (node: unknown) => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'Retry')
            retried.push(...(value as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals));
          else visit(value);
        }
      }
    };
    visit(definition);
    for (const terminal of [
      'InvalidInput',
      'VolumeNotFound',
      'ConcurrentSnapshotLimit',
      'SnapshotNotCompleted',
      'States.ALL',
      'BackupFailed',
    ]) {
      expect(retried).not.toContain(terminal);
    }
  });

  it.each([
    [
      'SnapshotVolumes',
      'volume',
      StateName.createSnapshot,
      StateName.confirmSnapshot,
      StateName.snapshotAbsent,
    ],
    ['CopyVolumes', 'copy', StateName.copySnapshot, StateName.confirmCopy, StateName.copyAbsent],
  ])(
    'THEN a %s child makes its %s exactly once: an unknown outcome is confirmed by a look-up, never retried (SPEC §2.3, §10.3)',
    (mapName, item, make, confirm, absent) => {
      const map = state(mapName);
      const child = map.ItemProcessor.States;
      expect(map.ItemSelector).toEqual({
        [`${item}.$`]: '$$.Map.Item.Value',
        'executionName.$': '$.executionName',
        'runId.$': '$.runId',
        absenceConfirmed: false,
      });
      expect(map.ItemProcessor.StartAt).toBe(make);
      expect(Object.keys(child)).toEqual([make, confirm, absent]);
      // The child's own RedriveCount: AWS redrives an unsuccessful STANDARD child with its
      // original input, so a count frozen by the parent's ItemSelector would still read 0.
      expect(child[make].Parameters).toEqual({
        [`${item}.$`]: `$.${item}`,
        'executionName.$': '$.executionName',
        'runId.$': '$.runId',
        'redriveCount.$': '$$.Execution.RedriveCount',
        'absenceConfirmed.$': '$.absenceConfirmed',
      });
      expect(child[make].Catch).toEqual([{ ErrorEquals: UNKNOWN_OUTCOME, ResultPath: null, Next: confirm }]);
      expect(child[make].End).toBe(true);
      // No retrier of the make step covers an error of unknown outcome.
      const retried = child[make].Retry.flatMap((r: { ErrorEquals: string[] }) => r.ErrorEquals);
      expect(retried.filter((error: string) => UNKNOWN_OUTCOME.includes(error))).toEqual([]);
      expect(child[confirm]).toMatchObject({
        Type: 'Task',
        Resource: child[make].Resource,
        Parameters: {
          [`${item}.$`]: `$.${item}`,
          'executionName.$': '$.executionName',
          'runId.$': '$.runId',
          'confirmSince.$': '$$.State.EnteredTime',
        },
        Catch: [{ ErrorEquals: ['SnapshotAbsent'], ResultPath: null, Next: absent }],
        End: true,
      });
      expect(child[absent]).toMatchObject({
        Type: 'Pass',
        Comment: expect.any(String),
        Result: true,
        ResultPath: '$.absenceConfirmed',
        Next: make,
      });
    },
  );

  it(`THEN ConfirmSnapshot and ConfirmCopy go on looking past the listing lag tolerated (${LISTING_LAG_TOLERANCE_MS / 1000} s), without jitter that could shorten it`, () => {
    for (const confirm of [confirmSnapshotTask, confirmCopyTask]) {
      const notListed = confirm.Retry[0];
      expect(notListed.ErrorEquals).toEqual(['SnapshotNotListed']);
      expect(notListed.JitterStrategy).toBe('NONE');
      // The step decides "absent" once the tolerance has passed since the state was entered; the
      // retries must reach that attempt, with a minute to spare.
      expect(retriesSeconds(notListed, notListed.MaxAttempts) * 1000).toBeGreaterThanOrEqual(
        LISTING_LAG_TOLERANCE_MS + 60_000,
      );
    }
  });

  it("THEN SnapshotAndPrune runs the snapshot fan-out beside the pruning loop, and its output is the loop's state", () => {
    expect(parallel).toMatchObject({ Type: 'Parallel', OutputPath: '$[1]', Next: 'AnyCopies' });
    // A branch catches what it can go on from itself: nothing is retried or caught around both.
    expect(parallel).not.toHaveProperty('Retry');
    expect(parallel).not.toHaveProperty('Catch');
    expect(state(StateName.isDryRun)).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.dryRun', BooleanEquals: true, Next: 'RecordSnapshotRun' }],
      Default: 'SnapshotVolumes',
    });
    expect(snapshotMap.ResultPath).toBe('$.snapshotRun');
    expect(snapshotMap.Next).toBe('RecordSnapshotRun');
  });

  describe('the set fan-out (SPEC §12)', () => {
    const sets = () => state(StateName.snapshotSets);
    const child = (name: string) => sets().ItemProcessor.States[name];

    it('THEN AnySets runs SnapshotSets beside SnapshotVolumes (a branch of its own) only when Discover gave the set record, and RecordSetRun writes where its results are', () => {
      expect(parallel.Branches[2].StartAt).toBe(StateName.anySets);
      expect(state(StateName.anySets)).toEqual(
        expect.objectContaining({
          Type: 'Choice',
          Choices: [{ Variable: '$.setRecord', IsPresent: true, Next: 'SnapshotSets' }],
          Default: 'NoSets',
        }),
      );
      expect(state(StateName.noSets).Type).toBe('Succeed');
      expect(sets()).toMatchObject({ ResultPath: '$.setRun', Next: 'RecordSetRun', MaxConcurrency: 40 });
      expect(state(StateName.recordSetRun)).toEqual({
        ...state(StateName.recordSnapshotRun),
        Comment: state(StateName.recordSetRun).Comment,
        Parameters: {
          ...state(StateName.recordSnapshotRun).Parameters,
          'Bucket.$': '$.setRecord.bucket',
          'Key.$': '$.setRecord.key',
        },
      });
      expect(sets().ItemSelector).toEqual({
        'set.$': '$$.Map.Item.Value',
        'executionName.$': '$.executionName',
        'runId.$': '$.runId',
        absenceConfirmed: false,
      });
      expect(sets().ResultWriter.Parameters).toEqual({ Bucket: 'work-bucket', Prefix: 'map-runs/set' });
    });

    it('THEN a child runs pre-script → CreateSnapshotSet → post-script in application mode, CreateSnapshotSet alone otherwise, and FinishSet last', () => {
      expect(sets().ItemProcessor.StartAt).toBe('SetMode');
      expect(child('SetMode').Choices).toEqual([
        { Variable: '$.set.mode', StringEquals: 'application', Next: 'PreScript' },
      ]);
      expect(child('SetMode').Default).toBe('CreateSnapshotSet');
      expect(child('PreScript').Next).toBe('CreateSnapshotSet');
      expect(child('CreateSnapshotSet').Next).toBe('AfterSnapshotSet');
      expect(child('AfterSnapshotSet').Choices).toEqual([
        { Variable: '$.set.mode', StringEquals: 'application', Next: 'PostScript' },
        { Variable: '$.createError', IsPresent: true, Next: 'FinishSet' },
      ]);
      // A crash-consistent set taken needs no FinishSet: its snapshots are the output.
      expect(child('AfterSnapshotSet').Default).toBe('SetTaken');
      expect(child('SetTaken')).toMatchObject({ Type: 'Succeed', OutputPath: '$.created' });
      expect(child('PostScript').Next).toBe('FinishSet');
      expect(child('FinishSet')).toMatchObject({
        Type: 'Task',
        End: true,
        Parameters: { 'state.$': '$', finish: true },
      });
    });

    it('THEN the post-script runs whatever came of the pre-script and the set: every failure of either is caught on to it', () => {
      expect(child('PreScript').Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.preScriptError', Next: 'CreateSnapshotSet' },
      ]);
      for (const name of ['CreateSnapshotSet', 'ConfirmSnapshotSet']) {
        expect(child(name).Catch.at(-1)).toEqual({
          ErrorEquals: ['States.ALL'],
          ResultPath: '$.createError',
          Next: 'AfterSnapshotSet',
        });
      }
      expect(child('PostScript').Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.postScriptError', Next: 'FinishSet' },
      ]);
    });

    it('THEN a set is made exactly once: an attempt of unknown outcome goes to ConfirmSnapshotSet, as for one volume', () => {
      const volumeChild = (name: string) => snapshotMap.ItemProcessor.States[name];
      expect(child('CreateSnapshotSet').Retry).toEqual(volumeChild('CreateSnapshot').Retry);
      expect(child('CreateSnapshotSet').Catch[0]).toEqual({
        ...volumeChild('CreateSnapshot').Catch[0],
        Next: 'ConfirmSnapshotSet',
      });
      expect(child('ConfirmSnapshotSet').Retry).toEqual(volumeChild('ConfirmSnapshot').Retry);
      expect(child('ConfirmSnapshotSet').Parameters).toEqual({
        'state.$': '$',
        'confirmSince.$': '$$.State.EnteredTime',
      });
      expect(child('SnapshotSetAbsent')).toMatchObject({
        Result: true,
        ResultPath: '$.absenceConfirmed',
        Next: 'CreateSnapshotSet',
      });
    });

    it('THEN the scripts are waited for by retrying ScriptPending (no Lambda sleeps), with the attempt count given', () => {
      for (const name of ['PreScript', 'PostScript']) {
        expect(child(name).Retry[0]).toEqual({
          ErrorEquals: ['ScriptPending'],
          IntervalSeconds: 3,
          MaxAttempts: 55,
          BackoffRate: 1,
          MaxDelaySeconds: 3,
          JitterStrategy: 'NONE',
        });
        expect(child(name).Parameters).toEqual({
          phase: name === 'PreScript' ? 'pre' : 'post',
          'state.$': '$',
          'retryCount.$': '$$.State.RetryCount',
          'enteredTime.$': '$$.State.EnteredTime',
          'executionStartTime.$': '$$.Execution.StartTime',
          'redriveCount.$': '$$.Execution.RedriveCount',
        });
      }
    });
  });

  it("THEN RecordSnapshotRun writes the snapshot branch's state where Discover said, with the S3 SDK integration, and ends the branch", () => {
    const record = state(StateName.recordSnapshotRun);
    expect(record).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
      ResultPath: null,
      End: true,
    });
    expect(record.Parameters).toEqual({
      'Bucket.$': '$.snapshotRecord.bucket',
      'Key.$': '$.snapshotRecord.key',
      'Body.$': 'States.JsonToString($)',
      ContentType: 'application/json',
    });
    expect(record).not.toHaveProperty('Catch');
  });

  it('THEN the pruning loop: AwaitSnapshots makes a batch, AnyToPrune runs PruneVolumes on it and loops, or ends; whatever fails goes on to ListUnprunedVolumes, which goes on to prune', () => {
    const wait = state(StateName.awaitSnapshots);
    // The whole loop state: the last batch and its PruneVolumes result, or neither on the first turn.
    expect(wait).not.toHaveProperty('Parameters');
    expect(wait.ResultPath).toBe('$.pruneBatch');
    expect(wait.Next).toBe('AnyToPrune');
    expect(wait.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.waitError', Next: 'ListUnprunedVolumes' },
    ]);
    expect(state(StateName.anyToPrune)).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.pruneBatch.count', NumericGreaterThan: 0, Next: 'PruneVolumes' }],
      Default: 'PruningDone',
    });
    expect(pruneMap.ResultPath).toBe('$.pruneRun');
    expect(pruneMap.Next).toBe('AwaitSnapshots');
    const unpruned = state(StateName.listUnprunedVolumes);
    expect(unpruned).toMatchObject({
      Type: 'Task',
      Resource: wait.Resource,
      ResultPath: '$.pruneBatch',
      Next: 'AnyToPrune',
    });
    expect(unpruned).not.toHaveProperty('Parameters');
    // If it fails too, the loop ends: Summarise names the volumes no batch had.
    expect(unpruned.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.unprunedError', Next: 'PruningDone' },
    ]);
    expect(state(StateName.pruningDone)).toMatchObject({ Type: 'Succeed' });
  });

  it('THEN a prune child is one Task that continues a backlog by catching MoreToPrune into itself, the error carrying no state', () => {
    const child = pruneMap.ItemProcessor;
    expect(pruneMap.ItemSelector).toEqual({
      'volume.$': '$$.Map.Item.Value',
      'executionName.$': '$.executionName',
      'runId.$': '$.runId',
      'dryRun.$': '$.dryRun',
      // Without this run's snapshot by ID, a newer generation made since tells superseded (SPEC §6.3).
      'runStartedAt.$': '$$.Execution.StartTime',
    });
    // One state: a volume without a backlog costs its child's start and one transition.
    expect(Object.keys(child.States)).toEqual(['PruneSnapshots']);
    expect(pruneTask).not.toHaveProperty('Parameters');
    expect(pruneTask.End).toBe(true);
    // `continued` only says "go on": the slices' progress is in the work bucket (pruneSlice).
    expect(pruneTask.Catch).toEqual([
      { ErrorEquals: ['MoreToPrune'], ResultPath: '$.continued', Next: 'PruneSnapshots' },
    ]);
  });

  it("THEN copies come after the source is pruned: none, copy, or (dry run, failed wait) the copies' retention from discovery", () => {
    expect(parallel.Next).toBe(StateName.anyCopies);
    expect(states.AnyCopies).toMatchObject({
      Type: 'Choice',
      Comment: expect.any(String),
      Choices: [
        { Variable: '$.pruneBatch.copyItems', IsPresent: true, Next: 'CopyVolumes' },
        { Variable: '$.copyPruneItems', IsPresent: true, Next: 'PruneCopies' },
      ],
      Default: 'Summarise',
    });
  });

  it('THEN no Choice tests IsPresent false, which the local engine never matches (aws-local-stepfunctions 3)', async () => {
    const text = JSON.stringify(definition);
    expect(text).not.toMatch(/"IsPresent":false/);
    // Why: the local engine evaluates `IsPresent: false` as never true, where AWS matches an absent path.
    const probe = new StateMachine({
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.x', IsPresent: false, Next: 'A' }], Default: 'B' },
        A: { Type: 'Pass', Result: 'absent', End: true },
        B: { Type: 'Pass', Result: 'other', End: true },
      },
    } as never);
    expect(await probe.run({}).result).toBe('other');
    expect(copyMap.Next).toBe('AwaitCopies');
    expect(pruneCopiesMap.Next).toBe('Summarise');
  });

  it('THEN CopyVolumes writes its results where AwaitCopies reads them', () => {
    expect(copyMap.ResultPath).toBe('$.copyRun');
  });

  it("THEN the copy wait replaces the copies' work list and whatever fails goes on to their retention", () => {
    const wait = states.AwaitCopies;
    expect(wait.Parameters).toEqual({
      'executionName.$': '$.executionName',
      'runId.$': '$.runId',
      'copyItems.$': '$.pruneBatch.copyItems',
      'copyRun.$': '$.copyRun',
    });
    expect(wait.ResultPath).toBe('$.copyPruneItems');
    expect(wait.Next).toBe('PruneCopies');
    expect(wait.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.copyWaitError', Next: 'PruneCopies' },
    ]);
  });

  it("THEN the copies' retention is the prune child on copy items, continuing a backlog the same way", () => {
    expect(pruneCopiesMap.ItemSelector).toEqual(pruneMap.ItemSelector);
    expect(Object.keys(pruneCopiesMap.ItemProcessor.States)).toEqual(['PruneCopySnapshots']);
    expect(pruneCopyTask.Catch).toEqual([
      { ErrorEquals: ['MoreToPrune'], ResultPath: '$.continued', Next: 'PruneCopySnapshots' },
    ]);
    expect(pruneCopiesMap.ResultPath).toBe('$.copyPruneRun');
  });
});

describe('names that are API', () => {
  it('THEN README\'s "Names that are API" lists every state of the definition, nested ones included', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Names that are API'), readme.indexOf('| Error '));
    const listed = [...section.matchAll(/`(\w+)`/g)].map((m) => m[1]);
    type State = {
      Branches?: { States: Record<string, State> }[];
      ItemProcessor?: { States: Record<string, State> };
    };
    const every = (states: Record<string, State>): string[] =>
      Object.entries(states).flatMap(([name, state]) => [
        name,
        ...(state.Branches ?? []).flatMap((branch) => every(branch.States)),
        ...(state.ItemProcessor ? every(state.ItemProcessor.States) : []),
      ]);
    const names = every(loadDefinitionTemplate().States);
    expect(names.filter((name) => !listed.includes(name))).toEqual([]);
    expect(new Set(names)).toEqual(new Set(Object.values(StateName)));
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
    expect(waitMaxAttempts(86_400, PendingWait.snapshots, loadDefinitionTemplate())).toBeLessThan(120);
  });
});

describe('the wait for a copy slot (CopyLimitExceeded) is a guarantee, not an average', () => {
  /**
   * What the README promises at least: a copy outlasts a destination whose 20 slots stay taken
   * for 3 h. Full jitter averaged half its intervals (about 1 h 37 min), so a slot freed after
   * 2 h failed the copy about 93 times in 100 (issue 15, item 6).
   */
  const AT_LEAST_SECONDS = 3 * 3600;
  const retrier = { ErrorEquals: ['E'], IntervalSeconds: 60, BackoffRate: 2, MaxDelaySeconds: 900 };

  it.each([
    ['NONE', 60 + 120 + 240 + 480 + 900],
    [undefined, 60 + 120 + 240 + 480 + 900],
    ['FULL', 0],
  ] as const)('GIVEN JitterStrategy %s THEN 5 retries are sure to wait %i s', (jitter, seconds) => {
    expect(guaranteedRetriesSeconds({ ...retrier, JitterStrategy: jitter }, 5)).toBe(seconds);
  });

  it(`THEN a copy is sure to wait at least ${AT_LEAST_SECONDS / 3600} h, all of it within the run's time budget`, () => {
    expect(copyLimitWaitGuaranteeSeconds()).toBeGreaterThanOrEqual(AT_LEAST_SECONDS);
    expect(copyLimitWaitGuaranteeSeconds()).toBe(copyLimitBackoffSeconds());
  });

  it('THEN the README states the guarantee the definition gives, wherever it names the wait', () => {
    const seconds = copyLimitWaitGuaranteeSeconds();
    const stated = `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const sayingHowLong = readme
      .split('\n\n')
      .filter((paragraph) => paragraph.includes('CopyLimitExceeded') && /\d+ h \d+ min/.test(paragraph));
    expect(sayingHowLong.length).toBeGreaterThanOrEqual(2);
    for (const paragraph of sayingHowLong) {
      expect(paragraph.match(/\d+ h \d+ min/g)).toEqual(expect.arrayContaining([stated]));
      expect(paragraph).not.toMatch(/about \d+ h \d+ min/);
    }
  });
});
