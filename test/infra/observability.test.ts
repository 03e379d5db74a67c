import { flatten, type Json, logicalId, roleStatements, synthesize } from './fixtures';

/**
 * Alerting (SPEC §5). GIVEN the app with two notification addresses, WHEN synthesized, THEN an
 * encrypted, SSL-only topic mails them; one alarm fires on failed, timed-out or aborted runs,
 * another when no run succeeded for 26 hours, and each failed run sends one message naming the
 * failed volumes with a link to the execution.
 */
const { template, backup } = synthesize({ notificationEmails: 'ops@example.com, oncall@example.org' });
const topicRef = { Ref: logicalId(backup.alerts.topic) };
const stateMachineRef = `<${logicalId(backup.stateMachine)}>`;
const keyId = logicalId(backup.alerts.key);
const executionsLink = `https://<AWS::Region>.console.aws.amazon.com/states/home?region=<AWS::Region>#/statemachines/view/${stateMachineRef}`;
const alarm = (construct: Parameters<typeof logicalId>[0]): Json =>
  template.findResources('AWS::CloudWatch::Alarm')[logicalId(construct)].Properties;

describe('alert topic', () => {
  test('is encrypted with a rotated customer-managed key', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, PendingWindowInDays: 7 });
  });

  test('the key lets CloudWatch publish to the topic, and no other service', () => {
    const policy = template.findResources('AWS::KMS::Key')[keyId].Properties.KeyPolicy;
    expect(policy.Statement.map((s: Json) => s.Principal)).toEqual([
      {
        AWS: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
        },
      },
      { Service: 'cloudwatch.amazonaws.com' },
    ]);
    expect(policy.Statement[1]).toEqual({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Resource: '*',
    });
  });

  test('EventBridge publishes the failed-run message through a role allowed that topic and its key only', () => {
    const role = backup.alerts.node.findChild('FailedRunPublisher');
    expect(roleStatements(template, role)).toEqual([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: [`<${logicalId(backup.alerts.topic)}>`] },
      { Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Effect: 'Allow', Resource: [`<${keyId}.Arn>`] },
    ]);
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

  test('fires when none of the last 26 one-hour periods had a succeeded execution', () => {
    expect(props).toEqual(
      expect.objectContaining({
        Namespace: 'AWS/States',
        MetricName: 'ExecutionsSucceeded',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: logicalId(backup.stateMachine) } }],
        Statistic: 'Sum',
        Period: 3600,
        EvaluationPeriods: 26,
        DatapointsToAlarm: 26,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
        AlarmActions: [topicRef],
      }),
    );
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
