import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { executionConsoleUrl, executionsConsoleUrl } from '../lambdas/contracts/console-links';
import { acknowledgeWildcardResources } from './nag';
import { fullRunsSucceededSamples, SuccessWindowStart } from './success-window';

/** Execution statuses that mean a run did not succeed. */
export const FAILED_RUN_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'];

export interface BackupAlertsProps {
  readonly stateMachine: sfn.IStateMachine;
  /** The state machine's name: prefix of the alarm names, dimension of FullRunsSucceeded. */
  readonly name: string;
  readonly notificationEmails: readonly string[];
  /** Publish to this existing topic instead of one made here (then no email subscriptions). */
  readonly alertTopicArn?: string;
  /** Send one message per failed run (SPEC §5.2). */
  readonly failureMessage: boolean;
  /** Alarm when no full live run succeeded within this many hours (SPEC §5.3). */
  readonly successWindowHours: number;
  /** When runs are due: changing it starts a new no-success window. */
  readonly schedule: { readonly expression: string; readonly timeZone: string };
  readonly logRetention: logs.RetentionDays;
}

/** Alarm names are known before the alarms exist, so the key policy can name them without a cycle. */
export function alarmNames(name: string) {
  return { failedRuns: `${name}-FailedRuns`, noSuccess: `${name}-NoSuccessfulRun` };
}

/**
 * Alerting (SPEC §5): a topic (an encrypted one made here with the configured email
 * subscriptions, or the user's own), an alarm on failed runs, an alarm when no full live run
 * succeeded for a while, and an optional message per failed run that names the failed volumes.
 */
export class BackupAlerts extends Construct {
  readonly topic: sns.ITopic;
  /** The key of the topic made here; undefined with `alertTopicArn`. */
  readonly key?: kms.Key;
  readonly failedRunsAlarm: cloudwatch.Alarm;
  readonly noSuccessAlarm: cloudwatch.Alarm;
  readonly successWindowStart: SuccessWindowStart;
  readonly failedRunRule?: events.Rule;

  constructor(scope: Construct, id: string, props: BackupAlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { stateMachine } = props;
    const names = alarmNames(props.name);

    if (props.alertTopicArn === undefined) {
      const { topic, key } = this.ownTopic(stack, props, Object.values(names));
      this.topic = topic;
      this.key = key;
    } else {
      // The user's topic: its policy and key policy are theirs to set (see README, "Alerting").
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', props.alertTopicArn);
    }

    this.failedRunsAlarm = new cloudwatch.Alarm(this, 'FailedRunsAlarm', {
      alarmName: names.failedRuns,
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

    // FullRunsSucceeded gets a sample from every full live run that succeeded and one from the
    // deployment itself (SuccessWindowStart). An hour without a sample is missing data, which
    // counts as breaching; the alarm fires once every hour of the window went without one
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html).
    // Period x EvaluationPeriods may not exceed 7 days for periods of an hour or more
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html),
    // hence the 168-hour ceiling on the window.
    this.noSuccessAlarm = new cloudwatch.Alarm(this, 'NoSuccessAlarm', {
      alarmName: names.noSuccess,
      alarmDescription:
        `No full backup run succeeded in the last ${props.successWindowHours} hours (dry runs and instanceIds ` +
        'runs do not count): the schedule may be disabled, runs may be failing or still waiting for snapshots, ' +
        `or the deployment may be broken. Executions: ${executionsConsoleUrl(stack.region, stateMachine.stateMachineArn)}`,
      metric: fullRunsSucceededSamples(props.name),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: props.successWindowHours,
      datapointsToAlarm: props.successWindowHours,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
    this.successWindowStart = new SuccessWindowStart(this, 'SuccessWindowStart', {
      stateMachineName: props.name,
      schedule: props.schedule,
      successWindowHours: props.successWindowHours,
      logRetention: props.logRetention,
    });
    // The window's first sample exists before the alarm is first evaluated.
    this.noSuccessAlarm.node.addDependency(this.successWindowStart);

    for (const alarm of [this.failedRunsAlarm, this.noSuccessAlarm]) {
      alarm.addAlarmAction(new SnsAction(this.topic));
    }
    // A no-op on the user's topic (an imported topic has no policy here).
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
   * A topic of this deployment, encrypted with its own key (SPEC §8.3). CloudWatch publishes
   * alarm notifications to an encrypted topic as its service principal and needs kms:Decrypt
   * and kms:GenerateDataKey* on the key
   * (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services,
   * https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns); aws:SourceAccount and
   * aws:SourceArn keep that to this deployment's two alarms (confused deputy). The alarms'
   * ARNs are built from their names: the key cannot refer to the alarms themselves, which
   * refer to the topic, which refers to the key.
   */
  private ownTopic(stack: Stack, props: BackupAlertsProps, alarms: string[]) {
    const key = new kms.Key(this, 'TopicKey', {
      description: `Encrypts the ${props.name} alert topic`,
      enableKeyRotation: true,
      // Nothing outlives the topic encrypted with this key.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsUseKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          ArnEquals: {
            'aws:SourceArn': alarms.map((alarmName) =>
              stack.formatArn({
                service: 'cloudwatch',
                resource: 'alarm',
                resourceName: alarmName,
                arnFormat: ArnFormat.COLON_RESOURCE_NAME,
              }),
            ),
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    );
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'EBS generation backup',
      masterKey: key,
      enforceSSL: true,
    });
    for (const address of props.notificationEmails) {
      topic.addSubscription(new EmailSubscription(address));
    }
    return { topic, key };
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
    if (this.key) {
      publisher.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [this.key.keyArn],
        }),
      );
    } else {
      // The user's topic may be encrypted with a key this deployment does not know: allow any
      // key, but only as SNS in this region uses it for a publish (kms:ViaService).
      const useTopicKey = new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${stack.region}.amazonaws.com` } },
      });
      publisher.addToPrincipalPolicy(useTopicKey);
      acknowledgeWildcardResources(
        publisher,
        useTopicKey,
        'The given topic’s key is unknown here; kms:ViaService limits its use to SNS in this region.',
      );
    }
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
