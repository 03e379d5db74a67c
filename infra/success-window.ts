import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { MetricName, STATE_MACHINE_DIMENSION } from '../lambdas/commons/observability';
import { POWERTOOLS_ENVIRONMENT } from './functions';
import { acknowledgeWildcardResources } from './nag';

/**
 * FullRunsSucceeded of one deployment, as the Summarise function emits it through Powertools:
 * its namespace, the `service` dimension Powertools adds to every metric, and the state machine.
 */
export function fullRunsSucceeded(stateMachineName: string): {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
} {
  return {
    namespace: POWERTOOLS_ENVIRONMENT.POWERTOOLS_METRICS_NAMESPACE,
    metricName: MetricName.fullRunsSucceeded,
    dimensions: {
      service: POWERTOOLS_ENVIRONMENT.POWERTOOLS_SERVICE_NAME,
      [STATE_MACHINE_DIMENSION]: stateMachineName,
    },
  };
}

/**
 * The no-success alarm counts samples of FullRunsSucceeded per hour (SampleCount): a run
 * writes 1, the deployment writes 0 (see SuccessWindowStart), so Sum stays the number of
 * full runs while either one counts as "the window is not over yet".
 */
export function fullRunsSucceededSamples(stateMachineName: string): cloudwatch.Metric {
  const { namespace, metricName, dimensions } = fullRunsSucceeded(stateMachineName);
  return new cloudwatch.Metric({
    namespace,
    metricName,
    dimensionsMap: dimensions,
    statistic: cloudwatch.Stats.SAMPLE_COUNT,
    period: Duration.hours(1),
  });
}

export interface SuccessWindowStartProps {
  readonly stateMachineName: string;
  /** The settings that decide when the next run is due: a change of any starts a new window. */
  readonly schedule: { readonly expression: string; readonly timeZone: string };
  readonly successWindowHours: number;
  readonly logRetention: logs.RetentionDays;
}

/**
 * Writes one FullRunsSucceeded datapoint of value 0 when the stack is created, and again when
 * the schedule, its time zone or the window change: the no-success alarm then counts its
 * window from the deployment, so it stays quiet until the first scheduled run is due, yet a
 * schedule that never runs (disabled, broken) still alarms once the window is over.
 *
 * Why a datapoint rather than `TreatMissingData`: with `notBreaching` or `ignore` an alarm on a
 * metric that never gets data never fires, and with `breaching` a fresh deployment (no data
 * yet) is in ALARM at once; see
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
 */
export class SuccessWindowStart extends Construct {
  readonly resource: cr.AwsCustomResource;

  constructor(scope: Construct, id: string, props: SuccessWindowStartProps) {
    super(scope, id);
    const { namespace, metricName, dimensions } = fullRunsSucceeded(props.stateMachineName);
    const call: cr.AwsSdkCall = {
      service: 'CloudWatch',
      action: 'PutMetricData',
      parameters: {
        Namespace: namespace,
        MetricData: [
          {
            MetricName: metricName,
            Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
            Value: 0,
            Unit: 'Count',
          },
        ],
      },
      // A new ID (and so a new call) whenever one of the settings that place the runs changes.
      physicalResourceId: cr.PhysicalResourceId.of(
        [props.schedule.expression, props.schedule.timeZone, `${props.successWindowHours}h`].join(' '),
      ),
    };
    const putMetricData = new iam.PolicyStatement({
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': namespace } },
    });
    // The provider function's own role, as for the step functions: its own log group only, no
    // AWSLambdaBasicExecutionRole (logs on *).
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Writes the first sample of the no-success window at deployment',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    this.resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::SuccessWindowStart',
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromStatements([putMetricData]),
      role,
      installLatestAwsSdk: false,
      logGroup,
      timeout: Duration.minutes(2),
    });
    const policy = this.resource.node.findChild('CustomResourcePolicy');
    acknowledgeWildcardResources(
      policy,
      putMetricData,
      'PutMetricData has no resource-level permissions; the cloudwatch:namespace condition limits it to this tool’s namespace.',
    );
  }
}
