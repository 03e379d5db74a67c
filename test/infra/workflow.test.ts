import {
  copyLimitBackoffSeconds,
  findState,
  PendingWait,
  RUN_TIME_BESIDES_WAIT_SECONDS,
  renderDefinition,
  StateName,
  scriptWaitMaxAttempts,
  waitMaxAttempts,
} from '../../statemachine/definition';
import { canonical, flatten, type Json, logicalId, roleStatements, synthesize } from '../fixtures/infra';

/**
 * The deployed state machine is the ASL file under statemachine/, filled in for this deployment
 * (SPEC §4): GIVEN the default app, WHEN synthesized, THEN its definition is exactly
 * renderDefinition(...) with the deployment's ARNs, and its role allows what the Distributed
 * Maps need and nothing else.
 */
const { template, backup } = synthesize();
const stateMachineId = logicalId(backup.stateMachine);
const stateMachine = template.findResources('AWS::StepFunctions::StateMachine')[stateMachineId];
const deployed: Json = JSON.parse(flatten(stateMachine.Properties.DefinitionString));
const fnArn = (step: keyof typeof backup.functions.steps) =>
  `<${logicalId(backup.functions.steps[step].function)}.Arn>`;
const bucketName = `<${logicalId(backup.bucket)}>`;

const ownArn = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${backup.stateMachineName}`;
const WAIT_LIMIT_SECONDS = 24 * 3600;
const COPY_WAIT_LIMIT_SECONDS = 24 * 3600;
const TIMEOUT_SECONDS =
  WAIT_LIMIT_SECONDS + COPY_WAIT_LIMIT_SECONDS + copyLimitBackoffSeconds() + RUN_TIME_BESIDES_WAIT_SECONDS;

describe('state machine definition', () => {
  test('is the ASL file rendered with this deployment’s values', () => {
    expect(deployed).toEqual(
      renderDefinition({
        DiscoverFunctionArn: fnArn('discover'),
        CreateSnapshotFunctionArn: fnArn('createSnapshot'),
        SnapshotSetFunctionArn: fnArn('snapshotSet'),
        RunScriptFunctionArn: fnArn('runScript'),
        AwaitSnapshotsFunctionArn: fnArn('awaitSnapshots'),
        PruneFunctionArn: fnArn('prune'),
        SummariseFunctionArn: fnArn('summarise'),
        CopySnapshotFunctionArn: fnArn('copySnapshot'),
        AwaitCopiesFunctionArn: fnArn('awaitCopies'),
        WorkBucketName: bucketName,
        SnapshotResultsPrefix: 'map-runs/snapshot',
        SetResultsPrefix: 'map-runs/set',
        PruneResultsPrefix: 'map-runs/prune',
        CopyResultsPrefix: 'map-runs/copy',
        CopyPruneResultsPrefix: 'map-runs/copy-prune',
        SnapshotConcurrency: 5,
        PruneConcurrency: 5,
        CopyConcurrency: 5,
        WaitMaxAttempts: waitMaxAttempts(WAIT_LIMIT_SECONDS),
        CopyWaitMaxAttempts: waitMaxAttempts(COPY_WAIT_LIMIT_SECONDS, PendingWait.copies),
        // The default script timeout, 30 s: delivery, the script and the listing tolerance, every 3 s.
        ScriptWaitMaxAttempts: scriptWaitMaxAttempts(30),
        ExecutionTimeoutSeconds: TIMEOUT_SECONDS,
      }),
    );
  });

  test('times out after both wait limits, the copy-limit back-off and six hours', () => {
    expect(deployed.TimeoutSeconds).toBe(TIMEOUT_SECONDS);
    expect(deployed.TimeoutSeconds).toBeGreaterThan(54 * 3600);
  });

  test('waits with enough CopiesPending retries to cover the copy wait limit', () => {
    const pending = deployed.States[StateName.awaitCopies].Retry.find((r: Json) =>
      r.ErrorEquals.includes('CopiesPending'),
    );
    expect(pending.MaxAttempts).toBe(waitMaxAttempts(COPY_WAIT_LIMIT_SECONDS, PendingWait.copies));
    expect(pending.MaxAttempts).toBeGreaterThan(1);
  });

  test.each([StateName.awaitSnapshots, StateName.listUnprunedVolumes])(
    '%s waits with enough SnapshotsPending retries to cover the wait limit',
    (name) => {
      const pending = findState(deployed.States, name)?.Retry.find((r: Json) =>
        r.ErrorEquals.includes('SnapshotsPending'),
      );
      expect(pending.MaxAttempts).toBe(waitMaxAttempts(WAIT_LIMIT_SECONDS));
      expect(pending.MaxAttempts).toBeGreaterThan(1);
    },
  );

  test('records the end of the snapshot branch in the work bucket, where Discover said', () => {
    expect(findState(deployed.States, StateName.recordSnapshotRun)).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
      Parameters: { 'Bucket.$': '$.snapshotRecord.bucket', 'Key.$': '$.snapshotRecord.key' },
    });
  });

  test.each([
    [StateName.snapshotSets, 'map-runs/set', 5, '$.setItems'],
    [StateName.snapshotVolumes, 'map-runs/snapshot', 5, '$.volumeItems'],
    [StateName.pruneVolumes, 'map-runs/prune', 5, '$.pruneBatch.items'],
    [StateName.copyVolumes, 'map-runs/copy', 5, '$.pruneBatch.copyItems'],
    [StateName.pruneCopies, 'map-runs/copy-prune', 5, '$.copyPruneItems'],
  ])(
    '%s is a Distributed Map reading the work list and writing its results to the work bucket',
    (name, prefix, concurrency, items) => {
      const map = findState(deployed.States, name) as Json;
      expect(map.Type).toBe('Map');
      expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
      expect(map.ToleratedFailurePercentage).toBe(100);
      expect(map.MaxConcurrency).toBe(concurrency);
      expect(map.ItemReader).toEqual({
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': `${items}.bucket`, 'Key.$': `${items}.key` },
      });
      expect(map.ResultWriter).toEqual({
        Resource: 'arn:aws:states:::s3:putObject',
        Parameters: { Bucket: bucketName, Prefix: prefix },
      });
    },
  );

  /** Every Task state that invokes a function, in Map children and Parallel branches too. */
  const tasks = (states: Json): [string, Json][] =>
    Object.entries(states).flatMap(([name, state]: [string, Json]): [string, Json][] => {
      if (state.ItemProcessor) return tasks(state.ItemProcessor.States);
      if (state.Branches) return state.Branches.flatMap((branch: Json) => tasks(branch.States));
      return state.Type === 'Task' && !String(state.Resource).startsWith('arn:aws:states:::')
        ? [[name, state]]
        : [];
    });

  test('every task retries throttling and transient errors with full jitter and a maximum delay, or confirms an unknown outcome', () => {
    const allTasks = tasks(deployed.States);
    expect(allTasks.map(([name]) => name).sort()).toEqual(
      [
        StateName.discover,
        StateName.createSnapshot,
        StateName.confirmSnapshot,
        StateName.preScript,
        StateName.createSnapshotSet,
        StateName.confirmSnapshotSet,
        StateName.postScript,
        StateName.finishSet,
        StateName.awaitSnapshots,
        StateName.listUnprunedVolumes,
        StateName.pruneSnapshots,
        StateName.copySnapshot,
        StateName.confirmCopy,
        StateName.awaitCopies,
        StateName.pruneCopySnapshots,
        StateName.summarise,
      ].sort(),
    );
    // AwaitSnapshots and AwaitCopies turn EC2 errors into "still pending"; Summarise calls no EC2 API.
    const callingEc2: string[] = [
      StateName.discover,
      StateName.createSnapshot,
      StateName.confirmSnapshot,
      StateName.createSnapshotSet,
      StateName.confirmSnapshotSet,
      StateName.pruneSnapshots,
      StateName.copySnapshot,
      StateName.confirmCopy,
      StateName.pruneCopySnapshots,
    ];
    // An error after which a snapshot or copy may exist is never retried by the step that makes it:
    // it is caught into the state that looks for it (SPEC §2.3).
    const confirmedBy: Record<string, string> = {
      [StateName.createSnapshot]: StateName.confirmSnapshot,
      [StateName.createSnapshotSet]: StateName.confirmSnapshotSet,
      [StateName.copySnapshot]: StateName.confirmCopy,
    };
    for (const [name, task] of allTasks) {
      const errors = [
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
        'Sandbox.Timedout',
        'Lambda.Unknown',
        ...(callingEc2.includes(name) ? ['Ec2Throttled', 'Ec2Transient'] : []),
      ];
      for (const error of errors) {
        const retrier = task.Retry.find((r: Json) => r.ErrorEquals.includes(error));
        const caught = (task.Catch ?? []).find((c: Json) => c.ErrorEquals.includes(error));
        const handled = retrier
          ? { retrier: { JitterStrategy: retrier.JitterStrategy, maxDelay: typeof retrier.MaxDelaySeconds } }
          : { caughtInto: caught?.Next };
        expect({ name, error, handled }).toEqual({
          name,
          error,
          handled:
            confirmedBy[name] !== undefined &&
            !['Lambda.TooManyRequestsException', 'Ec2Throttled'].includes(error)
              ? { caughtInto: confirmedBy[name] }
              : { retrier: { JitterStrategy: 'FULL', maxDelay: 'number' } },
        });
      }
    }
  });

  test('CreateSnapshot waits at least 15 s, without jitter, after SnapshotCreationPerVolumeRateExceeded', () => {
    const create = findState(deployed.States, StateName.snapshotVolumes)?.ItemProcessor.States[
      StateName.createSnapshot
    ];
    const rate = create.Retry.find((r: Json) => r.ErrorEquals.includes('SnapshotRateExceeded'));
    expect(rate.JitterStrategy).toBe('NONE');
    expect(rate.IntervalSeconds).toBeGreaterThanOrEqual(15);
    expect(rate.BackoffRate).toBeGreaterThanOrEqual(1);
  });
});

describe('state machine resource', () => {
  test('is a Standard workflow with an explicit name, logging errors with their data, untraced', () => {
    const [logGroupId] = Object.keys(
      template.findResources('AWS::Logs::LogGroup', {
        Properties: {
          LogGroupName: `/aws/vendedlogs/states/${backup.stateMachineName}`,
          RetentionInDays: 90,
        },
      }),
    );
    expect(stateMachine.Properties).toEqual(
      expect.objectContaining({
        StateMachineName: backup.stateMachineName,
        StateMachineType: 'STANDARD',
        LoggingConfiguration: {
          Level: 'ERROR',
          IncludeExecutionData: true,
          Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] } } }],
        },
      }),
    );
    expect(stateMachine.Properties.TracingConfiguration).toEqual({ Enabled: false });
    expect(stateMachine.Properties.RoleArn).toEqual({
      'Fn::GetAtt': [logicalId(backup.workflow.role), 'Arn'],
    });
  });

  test('its role can only be assumed by Step Functions, for this account', () => {
    const role = template.findResources('AWS::IAM::Role')[logicalId(backup.workflow.role)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'states.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  test('its role grants exactly: invoke, the Distributed Map calls (children of all four maps), the work bucket prefixes (the copy maps’ lists under runs/, their results under map-runs/), the snapshot branch’s record, log delivery', () => {
    const children = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${backup.stateMachineName}/*`;
    const bucketArn = `<${logicalId(backup.bucket)}.Arn>`;
    const steps = [
      'discover',
      'createSnapshot',
      'snapshotSet',
      'runScript',
      'awaitSnapshots',
      'copySnapshot',
      'awaitCopies',
      'prune',
      'summarise',
    ] as const;
    expect(roleStatements(template, backup.workflow.role)).toEqual(
      canonical([
        {
          Action: 'lambda:InvokeFunction',
          Effect: 'Allow',
          Resource: steps.flatMap((step) => [fnArn(step), `${fnArn(step)}:*`]),
        },
        { Action: 'states:StartExecution', Effect: 'Allow', Resource: [ownArn] },
        {
          Action: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'],
          Effect: 'Allow',
          Resource: [children],
        },
        { Action: 's3:GetObject', Effect: 'Allow', Resource: [`${bucketArn}/runs/*`] },
        {
          Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
          Effect: 'Allow',
          Resource: [`${bucketArn}/map-runs/*`],
        },
        { Action: 's3:PutObject', Effect: 'Allow', Resource: [`${bucketArn}/runs/*/snapshot-run.json`] },
        {
          Action: [
            'logs:CreateLogDelivery',
            'logs:GetLogDelivery',
            'logs:UpdateLogDelivery',
            'logs:DeleteLogDelivery',
            'logs:ListLogDeliveries',
            'logs:PutResourcePolicy',
            'logs:DescribeResourcePolicies',
            'logs:DescribeLogGroups',
          ],
          Effect: 'Allow',
          Resource: ['*'],
        },
      ]),
    );
  });
});
