import { waitMaxAttempts } from '../../statemachine/definition';
import { flatten, type Json, logicalId, roleStatements, synthesize } from '../fixtures/infra';

/**
 * Every setting reaches the resource it configures. GIVEN the app with each context key set to
 * a non-default value (as `-c key=value` strings), WHEN synthesized, THEN the template shows
 * each of them.
 */
const { template, backup } = synthesize({
  schedule: 'cron(15 22 ? * SUN,WED *)',
  timezone: 'Europe/Berlin',
  notificationEmails: '',
  allowNoNotifications: 'true',
  tagKey: 'Snapshot-Generations',
  snapshotConcurrency: '15',
  pruneConcurrency: '12',
  waitLimitHours: '6',
  failureMessage: 'false',
  successWindowHours: '168',
  logRetentionDays: '14',
  managedBy: 'team-a/backup',
});
const definition: Json = JSON.parse(
  flatten(
    template.findResources('AWS::StepFunctions::StateMachine')[logicalId(backup.stateMachine)].Properties
      .DefinitionString,
  ),
);

test('schedule and time zone', () => {
  template.hasResourceProperties('AWS::Scheduler::Schedule', {
    ScheduleExpression: 'cron(15 22 ? * SUN,WED *)',
    ScheduleExpressionTimezone: 'Europe/Berlin',
  });
});

test('tag key, marker and wait limit reach the functions', () => {
  const variables = (step: keyof typeof backup.functions.steps) =>
    template.findResources('AWS::Lambda::Function')[logicalId(backup.functions.steps[step].function)]
      .Properties.Environment.Variables;
  expect(variables('discover')).toEqual(expect.objectContaining({ TARGET_TAG_KEY: 'Snapshot-Generations' }));
  expect(variables('awaitSnapshots')).toEqual(
    expect.objectContaining({ WAIT_LIMIT_SECONDS: '21600', MANAGED_BY: 'team-a/backup' }),
  );
  for (const step of ['createSnapshot', 'prune'] as const) {
    expect(variables(step).MANAGED_BY).toBe('team-a/backup');
  }
});

test('the marker is the one IAM requires on create and on delete', () => {
  const conditions = [
    ...roleStatements(template, backup.functions.steps.createSnapshot.role),
    ...roleStatements(template, backup.functions.steps.prune.role),
  ].flatMap((statement: Json) => Object.values(statement.Condition?.StringEquals ?? {}));
  expect(conditions).toEqual(['team-a/backup', 'CreateSnapshot', 'team-a/backup']);
});

test('fan-out concurrency and the wait limit reach the definition', () => {
  expect(definition.States.SnapshotVolumes.MaxConcurrency).toBe(15);
  expect(definition.States.PruneVolumes.MaxConcurrency).toBe(12);
  const pending = definition.States.AwaitSnapshots.Retry.find((r: Json) =>
    r.ErrorEquals.includes('SnapshotsPending'),
  );
  expect(pending.MaxAttempts).toBe(waitMaxAttempts(6 * 3600));
  expect(definition.TimeoutSeconds).toBe((6 + 6) * 3600);
});

test('with failureMessage off there is no failed-run rule; opted out of notifications, no subscription', () => {
  template.resourceCountIs('AWS::Events::Rule', 0);
  template.resourceCountIs('AWS::SNS::Subscription', 0);
  expect(backup.alerts.node.tryFindChild('FailedRunPublisher')).toBeUndefined();
});

test('the no-success window, restarted by a change of schedule, time zone or window', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'FullRunsSucceeded',
    Period: 3600,
    EvaluationPeriods: 168,
    DatapointsToAlarm: 168,
  });
  const [windowStart] = Object.values(template.findResources('Custom::SuccessWindowStart'));
  expect(JSON.parse(flatten(windowStart.Properties.Update)).physicalResourceId).toEqual({
    id: 'cron(15 22 ? * SUN,WED *) Europe/Berlin 168h',
  });
});

test('log retention of every log group', () => {
  const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
  expect(groups).toHaveLength(7);
  for (const group of groups) expect(group.Properties.RetentionInDays).toBe(14);
});
