import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Execution statuses that mean a run did not succeed. */
export const FAILED_RUN_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** Console page listing the state machine's executions. */
export function executionsConsoleUrl(region: string, stateMachineArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/statemachines/view/${stateMachineArn}`;
}

/** Console page of one execution. */
export function executionConsoleUrl(region: string, executionArn: string): string {
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}

export interface BackupAlertsProps {
  readonly stateMachine: sfn.IStateMachine;
  /** Prefix of the alarm names; the state machine name keeps them unique in the account. */
  readonly name: string;
  readonly notificationEmails: readonly string[];
  /** Send one message per failed run (SPEC §5.2). */
  readonly failureMessage: boolean;
  /** Alarm when no run succeeded within this many hours (SPEC §5.3). */
  readonly successWindowHours: number;
}

/**
 * Alerting (SPEC §5): an encrypted topic with the configured email subscriptions, an alarm on
 * failed runs, an alarm when no run succeeded for a while, and an optional message per failed
 * run that names the failed volumes.
 */
export class BackupAlerts extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  readonly failedRunsAlarm: cloudwatch.Alarm;
  readonly noSuccessAlarm: cloudwatch.Alarm;
  readonly failedRunRule?: events.Rule;

  constructor(scope: Construct, id: string, props: BackupAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { stateMachine } = props;

    this.key = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the ${props.name} alert topic`,
      enableKeyRotation: true,
      // Nothing outlives the topic encrypted with this key.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    // Alarms publish to the encrypted topic as the CloudWatch service (the failed-run rule uses its own role).
    this.key.grant(
      new iam.ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'EBS generation backup',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const address of props.notificationEmails) {
      this.topic.addSubscription(new EmailSubscription(address));
    }

    this.failedRunsAlarm = new cloudwatch.Alarm(this, 'FailedRunsAlarm', {
      alarmName: `${props.name}-FailedRuns`,
      alarmDescription:
        'A backup run failed, timed out or was aborted. Failed volumes and invalid instances are named in ' +
        `the execution's error cause. Executions: ${executionsConsoleUrl(stack.region, stateMachine.stateMachineArn)}`,
      metric: new cloudwatch.MathExpression({
        expression: 'SUM([failed, timedOut, aborted])',
        usingMetrics: {
          failed: stateMachine.metricFailed(),
          timedOut: stateMachine.metricTimedOut(),
          aborted: stateMachine.metricAborted(),
        },
        label: 'Failed, timed-out and aborted runs',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // ExecutionsSucceeded only has data in hours with a success, so a missing hour counts as
    // breaching and the alarm fires once every hour of the window went without one. CloudWatch
    // evaluates at most 7 days of one-hour periods, hence the 168-hour ceiling on the window.
    this.noSuccessAlarm = new cloudwatch.Alarm(this, 'NoSuccessAlarm', {
      alarmName: `${props.name}-NoSuccessfulRun`,
      alarmDescription:
        `No backup run succeeded in the last ${props.successWindowHours} hours: the schedule may be ` +
        'disabled, runs may be failing or still waiting for snapshots, or the deployment may be broken. ' +
        `Executions: ${executionsConsoleUrl(stack.region, stateMachine.stateMachineArn)}`,
      metric: stateMachine.metricSucceeded({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: props.successWindowHours,
      datapointsToAlarm: props.successWindowHours,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    for (const alarm of [this.failedRunsAlarm, this.noSuccessAlarm]) {
      alarm.addAlarmAction(new SnsAction(this.topic));
    }
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnEquals: { 'aws:SourceArn': [this.failedRunsAlarm.alarmArn, this.noSuccessAlarm.alarmArn] },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );

    if (props.failureMessage) {
      this.failedRunRule = new events.Rule(this, 'FailedRunRule', {
        description: 'Sends one message per failed backup run, naming the failed volumes',
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          detail: { stateMachineArn: [stateMachine.stateMachineArn], status: FAILED_RUN_STATUSES },
        },
      });
      this.failedRunRule.addTarget(this.failedRunTarget(stack));
    }
  }

  /**
   * EventBridge publishes through a role of this deployment rather than as the events service
   * principal, which a rule in any account could present: the topic policy then admits no one
   * else, and the role holds exactly the two key actions SNS needs from a publisher.
   */
  private failedRunTarget(stack: Stack): events.IRuleTarget {
    const publisher = new iam.Role(this, 'FailedRunPublisher', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Publishes the failed-run message to the alert topic',
    });
    publisher.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    publisher.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
      }),
    );
    const message = failedRunMessage(stack.region);
    return { bind: () => ({ arn: this.topic.topicArn, role: publisher, input: message }) };
  }
}

/** The text of the failed-run message, from the event's detail (SPEC §5.2). */
function failedRunMessage(region: string): events.RuleTargetInput {
  const field = (name: string) => events.EventField.fromPath(`$.detail.${name}`);
  return events.RuleTargetInput.fromMultilineText(
    [
      `EBS generation backup run ${field('name')} ended ${field('status')}.`,
      `Error: ${field('error')}`,
      `Cause: ${field('cause')}`,
      `Execution: ${executionConsoleUrl(region, field('executionArn'))}`,
    ].join('\n'),
  );
}
