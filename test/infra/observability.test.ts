import { canonical, flatten, type Json, logicalId, roleStatements, synthesize } from '../fixtures/infra';

/**
 * Alerting (SPEC §5). GIVEN the app with two notification addresses, WHEN synthesized, THEN an
 * encrypted, SSL-only topic mails them; one alarm fires on failed, timed-out or aborted runs,
 * another when no run succeeded for 26 hours, and each failed run sends one message naming the
 * failed volumes with a link to the execution.
 */
const { template, backup } = synthesize({ notificationEmails: 'ops@example.com, oncall@example.org' });
const topicRef = { Ref: logicalId(backup.alerts.topic) };
const stateMachineRef = `<${logicalId(backup.stateMachine)}>`;
const { key } = backup.alerts;
if (!key) throw new Error('the default deployment makes its own topic key');
const keyId = logicalId(key);
const executionsLink = `https://<AWS::Region>.console.aws.amazon.com/states/home?region=<AWS::Region>#/statemachines/view/${stateMachineRef}`;
const alarm = (construct: Parameters<typeof logicalId>[0]): Json =>
  template.findResources('AWS::CloudWatch::Alarm')[logicalId(construct)].Properties;

describe('alert topic', () => {
  test('is encrypted with a rotated customer-managed key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, PendingWindowInDays: 7 });
  });

  test('the key lets CloudWatch use it for this deployment’s two alarms only, and no other service', () => {
    const policy = template.findResources('AWS::KMS::Key')[keyId].Properties.KeyPolicy;
    expect(policy.Statement.map((s: Json) => s.Principal)).toEqual([
      {
        AWS: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
        },
      },
      { Service: 'cloudwatch.amazonaws.com' },
    ]);
    const alarmArn = (name: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':cloudwatch:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:alarm:${backup.stateMachineName}-${name}`,
        ],
      ],
    });
    expect(policy.Statement[1]).toEqual({
      Sid: 'CloudWatchAlarmsUseKey',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Resource: '*',
      Condition: {
        ArnEquals: { 'aws:SourceArn': [alarmArn('FailedRuns'), alarmArn('NoSuccessfulRun')] },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
    // The ARNs the key names are the alarms' own.
    expect(
      [backup.alerts.failedRunsAlarm, backup.alerts.noSuccessAlarm].map((a) => alarm(a).AlarmName),
    ).toEqual([`${backup.stateMachineName}-FailedRuns`, `${backup.stateMachineName}-NoSuccessfulRun`]);
  });

  test('EventBridge publishes the failed-run message through a role allowed that topic and its key only', () => {
    const role = backup.alerts.node.findChild('FailedRunPublisher');
    expect(roleStatements(template, role)).toEqual(
      canonical([
        { Action: 'sns:Publish', Effect: 'Allow', Resource: [`<${logicalId(backup.alerts.topic)}>`] },
        { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: [`<${keyId}.Arn>`] },
      ]),
    );
    const trust =
      template.findResources('AWS::IAM::Role')[logicalId(role)].Properties.AssumeRolePolicyDocument;
    expect(trust.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
  });

  test('refuses publishing without SSL, and admits only this deployment’s alarms by policy', () => {
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    const statements: Json[] = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Sid: 'AllowPublishThroughSSLOnly',
      Action: 'sns:Publish',
      Effect: 'Deny',
      Principal: '*',
      Resource: topicRef,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(statements).toContainEqual({
      Sid: 'CloudWatchAlarmsPublish',
      Action: 'sns:Publish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Resource: topicRef,
      Condition: {
        ArnEquals: {
          'aws:SourceArn': [
            { 'Fn::GetAtt': [logicalId(backup.alerts.failedRunsAlarm), 'Arn'] },
            { 'Fn::GetAtt': [logicalId(backup.alerts.noSuccessAlarm), 'Arn'] },
          ],
        },
        StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      },
    });
    expect(statements.filter((s) => s.Effect === 'Allow').map((s) => s.Principal)).toEqual([
      { Service: 'cloudwatch.amazonaws.com' },
    ]);
  });

  test('mails each configured address', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    for (const address of ['ops@example.com', 'oncall@example.org']) {
      template.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: address,
        TopicArn: topicRef,
      });
    }
  });
});

describe('failed-runs alarm (SPEC §5.1)', () => {
  const props = alarm(backup.alerts.failedRunsAlarm);

  test('sums failed, timed-out and aborted executions of this state machine', () => {
    const metric = (id: string, name: string) => ({
      Id: id,
      ReturnData: false,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/States',
          MetricName: name,
          Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(backup.stateMachine) } }],
        },
        Period: 300,
        Stat: 'Sum',
      },
    });
    expect(props.Metrics).toEqual([
      {
        Id: expect.any(String),
        Expression: 'SUM([failed, timedOut, aborted])',
        Label: 'Failed, timed-out and aborted runs',
        ReturnData: true,
      },
      metric('failed', 'ExecutionsFailed'),
      metric('timedOut', 'ExecutionsTimedOut'),
      metric('aborted', 'ExecutionsAborted'),
    ]);
  });

  test('fires on one such run, stays OK without data, and notifies the topic', () => {
    expect(props).toEqual(
      expect.objectContaining({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topicRef],
        AlarmName: `${backup.stateMachineName}-FailedRuns`,
      }),
    );
  });

  test('links to the state machine’s executions in the console', () => {
    expect(flatten(props.AlarmDescription)).toContain(`Executions: ${executionsLink}`);
  });
});

describe('no-successful-run alarm (SPEC §5.3)', () => {
  const props = alarm(backup.alerts.noSuccessAlarm);
  const dimensions = [
    { Name: 'StateMachineName', Value: backup.stateMachineName },
    { Name: 'service', Value: 'ebs-generation-backup' },
  ];
  const windowStartId = logicalId(backup.alerts.successWindowStart.resource.node.findChild('Resource'));

  test('fires when none of the last 26 one-hour periods had a sample of FullRunsSucceeded', () => {
    expect(props).toEqual(
      expect.objectContaining({
        Namespace: 'EbsGenerationBackup',
        MetricName: 'FullRunsSucceeded',
        Statistic: 'SampleCount',
        Period: 3600,
        EvaluationPeriods: 26,
        DatapointsToAlarm: 26,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [topicRef],
        AlarmName: `${backup.stateMachineName}-NoSuccessfulRun`,
      }),
    );
    expect([...props.Dimensions].sort((a: Json, b: Json) => (a.Name < b.Name ? -1 : 1))).toEqual(dimensions);
  });

  test('the deployment writes the window’s first sample (value 0) before the alarm exists', () => {
    const windowStart = template.findResources('Custom::SuccessWindowStart')[windowStartId];
    const call = {
      service: 'CloudWatch',
      action: 'PutMetricData',
      parameters: {
        Namespace: 'EbsGenerationBackup',
        MetricData: [
          {
            MetricName: 'FullRunsSucceeded',
            Dimensions: [
              { Name: 'service', Value: 'ebs-generation-backup' },
              { Name: 'StateMachineName', Value: backup.stateMachineName },
            ],
            Value: 0,
            Unit: 'Count',
          },
        ],
      },
      physicalResourceId: { id: 'cron(0 3 * * ? *) UTC 26h' },
    };
    expect(JSON.parse(flatten(windowStart.Properties.Create))).toEqual(call);
    expect(JSON.parse(flatten(windowStart.Properties.Update))).toEqual(call);
    expect(windowStart.Properties.Delete).toBeUndefined();
    const alarmResource =
      template.findResources('AWS::CloudWatch::Alarm')[logicalId(backup.alerts.noSuccessAlarm)];
    expect(alarmResource.DependsOn).toEqual(expect.arrayContaining([windowStartId]));
  });

  test('the window start may put metrics in this tool’s namespace only, and write its own logs', () => {
    const role = backup.alerts.successWindowStart.node.findChild('Role');
    const logs = `<${logicalId(backup.alerts.successWindowStart.node.findChild('Logs'))}.Arn>`;
    expect(roleStatements(template, role)).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: [logs] },
      {
        Action: 'cloudwatch:PutMetricData',
        Effect: 'Allow',
        Resource: ['*'],
        Condition: { StringEquals: { 'cloudwatch:namespace': 'EbsGenerationBackup' } },
      },
    ]);
    const roleResource = template.findResources('AWS::IAM::Role')[logicalId(role)].Properties;
    expect(roleResource.ManagedPolicyArns).toBeUndefined();
  });

  test('stays within CloudWatch’s evaluation range (7 days for periods of an hour or more)', () => {
    expect(props.Period * props.EvaluationPeriods).toBeLessThanOrEqual(7 * 24 * 3600);
    expect(props.Period).toBeGreaterThanOrEqual(3600);
  });

  test('links to the state machine’s executions in the console', () => {
    expect(flatten(props.AlarmDescription)).toContain(`Executions: ${executionsLink}`);
  });
});

describe('failed-run message (SPEC §5.2)', () => {
  const [rule] = Object.values(template.findResources('AWS::Events::Rule'));

  test('matches this state machine’s failed, timed-out and aborted executions', () => {
    expect(rule.Properties.EventPattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        stateMachineArn: [{ Ref: logicalId(backup.stateMachine) }],
        status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
      },
    });
  });

  test('sends the execution name, status, error, cause and console link to the topic', () => {
    expect(rule.Properties.Targets).toEqual([
      {
        Arn: topicRef,
        Id: expect.any(String),
        RoleArn: { 'Fn::GetAtt': [logicalId(backup.alerts.node.findChild('FailedRunPublisher')), 'Arn'] },
        InputTransformer: expect.anything(),
      },
    ]);
    const { InputPathsMap, InputTemplate } = rule.Properties.Targets[0].InputTransformer;
    expect(InputPathsMap).toEqual({
      'detail-name': '$.detail.name',
      'detail-status': '$.detail.status',
      'detail-error': '$.detail.error',
      'detail-cause': '$.detail.cause',
      'detail-executionArn': '$.detail.executionArn',
    });
    const lines = flatten(InputTemplate)
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      'EBS generation backup run <detail-name> ended <detail-status>.',
      'Error: <detail-error>',
      'Cause: <detail-cause>',
      'Execution: https://<AWS::Region>.console.aws.amazon.com/states/home?region=<AWS::Region>#/v2/executions/details/<detail-executionArn>',
    ]);
  });
});
