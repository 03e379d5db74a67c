import { StackOutput } from '../../lambdas/contracts/deployment';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import {
  copyLimitBackoffSeconds,
  findState,
  PendingWait,
  RUN_TIME_BESIDES_WAIT_SECONDS,
  waitMaxAttempts,
} from '../../statemachine/definition';
import { flatten, type Json, logicalId, roleStatements, synthesize } from '../fixtures/infra';

/**
 * Every setting reaches the resource it configures. GIVEN the app with each context key set to
 * a non-default value (as `-c key=value` strings), WHEN synthesized, THEN the template shows
 * each of them.
 */
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
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
  copyRegions: 'eu-west-1,ap-southeast-2',
  copyKmsKeys: `{"eu-west-1":"${KEY_ARN}"}`,
  copyVolumeTags: 'Owner,CostCenter',
  copyTagKey: 'Snapshot-Copies',
  copyConcurrency: '7',
  copyWaitLimitHours: '12',
  ec2RateShare: '90',
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

const variables = (step: keyof typeof backup.functions.steps) =>
  template.findResources('AWS::Lambda::Function')[logicalId(backup.functions.steps[step].function)].Properties
    .Environment.Variables;

test('tag key, marker and wait limit reach the functions', () => {
  expect(variables('discover')).toEqual(expect.objectContaining({ TARGET_TAG_KEY: 'Snapshot-Generations' }));
  expect(variables('awaitSnapshots')).toEqual(
    expect.objectContaining({ WAIT_LIMIT_SECONDS: '21600', MANAGED_BY: 'team-a/backup' }),
  );
  for (const step of ['createSnapshot', 'prune'] as const) {
    expect(variables(step).MANAGED_BY).toBe('team-a/backup');
  }
});

test("the share of EC2's request rate reaches the functions that make mutating calls, each with its fan-out's concurrency", () => {
  expect(variables('createSnapshot')).toEqual(
    expect.objectContaining({ EC2_RATE_SHARE: '90', FAN_OUT_CONCURRENCY: '15' }),
  );
  expect(variables('prune')).toEqual(
    expect.objectContaining({ EC2_RATE_SHARE: '90', FAN_OUT_CONCURRENCY: '12' }),
  );
  expect(variables('copySnapshot')).toEqual(
    expect.objectContaining({ EC2_RATE_SHARE: '90', FAN_OUT_CONCURRENCY: '7' }),
  );
  expect(variables('snapshotSet')).toEqual(
    expect.objectContaining({ EC2_RATE_SHARE: '90', FAN_OUT_CONCURRENCY: '15' }),
  );
  for (const step of ['discover', 'awaitSnapshots', 'awaitCopies', 'summarise', 'runScript'] as const) {
    expect(variables(step)).not.toHaveProperty('EC2_RATE_SHARE');
  }
});

test('copy regions with their keys, the copy tag key, the carried tags and the copy wait limit reach the functions', () => {
  const copyRegions = JSON.stringify([
    { region: 'eu-west-1', kmsKeyArn: KEY_ARN },
    { region: 'ap-southeast-2' },
  ]);
  expect(variables('discover')).toEqual(
    expect.objectContaining({
      COPY_REGIONS: copyRegions,
      COPY_TAG_KEY: 'Snapshot-Copies',
      COPY_VOLUME_TAGS: '["Owner","CostCenter"]',
    }),
  );
  expect(variables('awaitSnapshots').COPY_REGIONS).toBe(copyRegions);
  expect(variables('copySnapshot')).toEqual(
    expect.objectContaining({ COPY_REGIONS: copyRegions, MANAGED_BY: 'team-a/backup' }),
  );
  expect(variables('awaitCopies')).toEqual(
    expect.objectContaining({ COPY_WAIT_LIMIT_SECONDS: '43200', MANAGED_BY: 'team-a/backup' }),
  );
  // The carried tags travel in the work item; retention finds its region there too.
  for (const step of ['createSnapshot', 'prune'] as const) {
    expect(Object.keys(variables(step)).filter((name) => name.startsWith('COPY_'))).toEqual([]);
  }
});

test('the copy regions and the copy tag key are stack outputs', () => {
  const outputs = template.toJSON().Outputs;
  expect(JSON.parse(outputs[StackOutput.copyRegions].Value)).toEqual([
    { region: 'eu-west-1', kmsKeyArn: KEY_ARN },
    { region: 'ap-southeast-2' },
  ]);
  expect(outputs[StackOutput.copyTagKey].Value).toBe('Snapshot-Copies');
});

test('the marker is the one IAM requires on create and on delete (at home and in the copy regions)', () => {
  const markers = [
    ...roleStatements(template, backup.functions.steps.createSnapshot.role),
    ...roleStatements(template, backup.functions.steps.prune.role),
  ].flatMap((statement: Json) =>
    Object.entries(statement.Condition?.StringEquals ?? {})
      .filter(([key]) => key.endsWith(`/${SnapshotTag.managedBy}`))
      .map(([, value]) => value),
  );
  expect(markers).toEqual(['team-a/backup', 'team-a/backup', 'team-a/backup']);
});

test('copy concurrency and the copy wait limit reach the definition', () => {
  expect(definition.States.CopyVolumes.MaxConcurrency).toBe(7);
  // The copies' retention runs at the prune fan-out's concurrency.
  expect(definition.States.PruneCopies.MaxConcurrency).toBe(12);
  const pending = definition.States.AwaitCopies.Retry.find((r: Json) =>
    r.ErrorEquals.includes('CopiesPending'),
  );
  expect(pending.MaxAttempts).toBe(waitMaxAttempts(12 * 3600, PendingWait.copies));
  expect(pending.MaxAttempts).toBeLessThan(waitMaxAttempts(24 * 3600, PendingWait.copies));
});

test('fan-out concurrency and the wait limit reach the definition', () => {
  // Both in a branch of the Parallel state SnapshotAndPrune.
  const state = (name: string): Json => findState(definition.States, name) as Json;
  expect(state('SnapshotVolumes').MaxConcurrency).toBe(15);
  expect(state('PruneVolumes').MaxConcurrency).toBe(12);
  // Both turns of the pruning loop wait on SnapshotsPending, for as long as the wait limit.
  for (const turn of ['AwaitSnapshots', 'ListUnprunedVolumes']) {
    const pending = state(turn).Retry.find((r: Json) => r.ErrorEquals.includes('SnapshotsPending'));
    expect(pending.MaxAttempts).toBe(waitMaxAttempts(6 * 3600));
  }
  expect(definition.TimeoutSeconds).toBe(
    6 * 3600 + 12 * 3600 + copyLimitBackoffSeconds() + RUN_TIME_BESIDES_WAIT_SECONDS,
  );
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
  expect(groups).toHaveLength(11);
  for (const group of groups) expect(group.Properties.RetentionInDays).toBe(14);
});
