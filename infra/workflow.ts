import { type Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { runKey, WorkPrefix } from '../lambdas/contracts/work-bucket';
import { type DefinitionValues, definitionValues, renderDefinition } from '../statemachine/definition';
import type { StepName } from './functions';
import { bucketObjects, distributedMap, grant, invoke, runDocuments } from './iam';
import { acknowledge } from './nag';

export interface BackupWorkflowProps {
  readonly stateMachineName: string;
  readonly functions: Record<StepName, lambda.IFunction>;
  readonly bucket: s3.IBucket;
  readonly snapshotConcurrency: number;
  readonly pruneConcurrency: number;
  readonly copyConcurrency: number;
  readonly waitLimit: Duration;
  /** How long a run waits for its copies to leave `pending`. */
  readonly copyWaitLimit: Duration;
  /** How long a set's pre- or post-script may run (SPEC §12.4). */
  readonly scriptTimeout: Duration;
  readonly logRetention: logs.RetentionDays;
}

/** Fills the placeholders of statemachine/ebs-generation-backup.asl.json for this deployment. */
export function workflowDefinitionValues(props: BackupWorkflowProps): DefinitionValues {
  const arns = Object.fromEntries(
    Object.entries(props.functions).map(([step, fn]) => [step, fn.functionArn]),
  ) as Record<StepName, string>;
  return definitionValues({
    functionArns: arns,
    bucketName: props.bucket.bucketName,
    snapshotConcurrency: props.snapshotConcurrency,
    pruneConcurrency: props.pruneConcurrency,
    waitLimitSeconds: props.waitLimit.toSeconds(),
    copyConcurrency: props.copyConcurrency,
    copyWaitLimitSeconds: props.copyWaitLimit.toSeconds(),
    scriptTimeoutSeconds: props.scriptTimeout.toSeconds(),
  });
}

/**
 * The Standard state machine running the one definition under statemachine/ (SPEC §4), with
 * the role its Distributed Maps need and an ERROR-level log.
 */
export class BackupWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BackupWorkflowProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = props.stateMachineName;

    this.role = new iam.Role(this, 'Role', {
      // Account only: the source ARN Step Functions presents for Distributed Map child executions
      // is not documented, and a role cannot be passed to another account's state machine anyway.
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Runs the ${name} backup workflow`,
    });
    grant(
      this.role,
      invoke(Object.values(props.functions)),
      ...distributedMap(stack, name),
      // ItemReader reads the work lists under runs/ (Discover's, AwaitSnapshots' copy list, AwaitCopies'
      // copy prune list); ResultWriter writes every map run's results under map-runs/.
      bucketObjects(props.bucket, ['s3:GetObject'], [WorkPrefix.runs]),
      bucketObjects(
        props.bucket,
        ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        [WorkPrefix.mapRuns],
      ),
      // RecordSnapshotRun (S3 PutObject SDK integration): the snapshot branch's record, and no other
      // run document, which are the functions' to write.
      runDocuments(props.bucket, ['s3:PutObject'], runKey('*', 'snapshot-run')),
    );

    const logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${name}`,
      retention: props.logRetention,
    });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: name,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromString(
        JSON.stringify(renderDefinition(workflowDefinitionValues(props))),
      ),
      role: this.role,
      logs: { destination: logGroup, level: sfn.LogLevel.ERROR, includeExecutionData: true },
      tracingEnabled: false,
    });

    acknowledge(
      this.stateMachine,
      'SF1',
      'Logs at ERROR, with execution data, so every failure and its cause is kept for the log retention. ' +
        'ALL would log every state of up to 20,000 child executions a night; the execution history ' +
        'already holds the full trace for 90 days.',
    );
    acknowledge(
      this.stateMachine,
      'SF2',
      'X-Ray needs xray:PutTraceSegments on Resource *, and SPEC §8.1 keeps * for describe calls only; ' +
        'the execution history and the map runs show every step and its timing.',
    );
    // Added by the StateMachine construct for `logs`: these CloudWatch Logs delivery APIs take no resource ARN.
    acknowledge(
      this.role,
      'IAM5[Resource::*]',
      'CloudWatch Logs vended-log delivery actions (logs:CreateLogDelivery, …) do not support resource-level ' +
        'permissions; Step Functions needs them to write its execution log.',
    );
  }
}
