import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { backupStacks, canonical, type Json, roleStatements, testApp } from '../fixtures/infra';

/**
 * Alerting through the user's own topic (SPEC §5.4). GIVEN alertTopicArn and no addresses,
 * WHEN synthesized (cdk-nag included), THEN no topic or key is made, both alarms and the
 * failed-run message publish to the given topic, and the publisher may use the topic's key
 * only through SNS.
 */
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ops-alerts';
const app = testApp({ notificationEmails: '', alertTopicArn: TOPIC });
const assembly = app.synth();
const [stack] = backupStacks(app);
const { backup } = stack;
const template = Template.fromStack(stack);

test('no topic, key or subscription is made', () => {
  for (const type of [
    'AWS::SNS::Topic',
    'AWS::KMS::Key',
    'AWS::SNS::Subscription',
    'AWS::SNS::TopicPolicy',
  ]) {
    template.resourceCountIs(type, 0);
  }
  expect(backup.alerts.key).toBeUndefined();
});

test('both alarms and the failed-run message publish to the given topic', () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  expect(alarms.map((alarm: Json) => alarm.Properties.AlarmActions)).toEqual([[TOPIC], [TOPIC]]);
  const [rule] = Object.values(template.findResources('AWS::Events::Rule'));
  expect(rule.Properties.Targets.map((target: Json) => target.Arn)).toEqual([TOPIC]);
});

test('the publisher may publish there, and use a key only as SNS in this region does', () => {
  const role = backup.alerts.node.findChild('FailedRunPublisher');
  expect(roleStatements(template, role)).toEqual(
    canonical([
      { Action: 'sns:Publish', Effect: 'Allow', Resource: [TOPIC] },
      {
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Effect: 'Allow',
        Resource: ['*'],
        Condition: {
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
          },
        },
      },
    ]),
  );
});

test('cdk-nag reports nothing', () => {
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
  expect(
    report.pluginReports.flatMap((plugin: { violations?: unknown[] }) => plugin.violations ?? []),
  ).toEqual([]);
});
