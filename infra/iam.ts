import { ArnFormat, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import { SnapshotTag } from '../lambdas/core/snapshot-tags';
import { acknowledgeWildcardResources } from './nag';

/**
 * Least-privilege statements (SPEC §8.1). Describe calls are the only `Resource: *` a function
 * gets; every write on EC2 is held by a tag condition, so the pruner physically cannot delete a
 * snapshot this deployment did not make.
 */

/** A statement and, when its resources hold a wildcard, why that wildcard is as narrow as it gets. */
export interface Grant {
  readonly statement: iam.PolicyStatement;
  readonly wildcardReason?: string;
}

/** Adds the grants to the role, acknowledging each wildcard with its reason (and refusing one without). */
export function grant(role: iam.IRole & IConstruct, ...grants: Grant[]): void {
  for (const { statement, wildcardReason } of grants) {
    role.addToPrincipalPolicy(statement);
    const hasWildcard = statement.resources.some((resource) => resource.includes('*'));
    if (hasWildcard && wildcardReason === undefined) {
      throw new Error(`A wildcard grant of ${statement.actions.join(', ')} needs a reason`);
    }
    if (wildcardReason !== undefined) acknowledgeWildcardResources(role, statement, wildcardReason);
  }
}

/** Every tag key a snapshot is created with (SPEC §2.2); no other key may be set. */
export const SNAPSHOT_TAG_KEYS = ['Name', ...Object.values(SnapshotTag)];

const ec2Arn = (stack: Stack, resource: 'volume' | 'snapshot') =>
  stack.formatArn({
    service: 'ec2',
    resource,
    resourceName: '*',
    // Snapshot ARNs carry no account: arn:aws:ec2:<region>::snapshot/<id>.
    account: resource === 'snapshot' ? '' : undefined,
  });

export function ec2Describe(...actions: `ec2:Describe${string}`[]): Grant {
  return {
    statement: new iam.PolicyStatement({ actions, resources: ['*'] }),
    wildcardReason: 'EC2 Describe* actions do not support resource-level permissions; they only read.',
  };
}

/** CreateSnapshot on any volume, creating only snapshots tagged with this deployment's marker. */
export function createSnapshot(stack: Stack, managedBy: string): Grant[] {
  return [
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CreateSnapshot'],
        resources: [ec2Arn(stack, 'volume')],
      }),
      wildcardReason:
        'Targets are chosen at run time by their tag; reading a volume to snapshot it changes nothing.',
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CreateSnapshot'],
        resources: [ec2Arn(stack, 'snapshot')],
        conditions: {
          StringEquals: { [`aws:RequestTag/${SnapshotTag.managedBy}`]: managedBy },
          'ForAllValues:StringEquals': { 'aws:TagKeys': SNAPSHOT_TAG_KEYS },
        },
      }),
      wildcardReason: `New snapshots have no ID yet; the request must tag them ${SnapshotTag.managedBy}=<managedBy>.`,
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [ec2Arn(stack, 'snapshot')],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } },
      }),
      wildcardReason:
        'Tagging is allowed only as part of CreateSnapshot (ec2:CreateAction), never afterwards.',
    },
  ];
}

/** DeleteSnapshot only on snapshots carrying this deployment's marker. */
export function deleteSnapshot(stack: Stack, managedBy: string): Grant {
  return {
    statement: new iam.PolicyStatement({
      actions: ['ec2:DeleteSnapshot'],
      resources: [ec2Arn(stack, 'snapshot')],
      conditions: { StringEquals: { [`ec2:ResourceTag/${SnapshotTag.managedBy}`]: managedBy } },
    }),
    wildcardReason: `Only snapshots tagged ${SnapshotTag.managedBy}=<managedBy> (ec2:ResourceTag condition).`,
  };
}

const objects = (bucket: IBucket, prefix: string) => bucket.arnForObjects(`${prefix}*`);

export function bucketObjects(bucket: IBucket, actions: `s3:${string}`[], prefixes: string[]): Grant {
  return {
    statement: new iam.PolicyStatement({
      actions,
      resources: prefixes.map((prefix) => objects(bucket, prefix)),
    }),
    wildcardReason: 'Object keys are per execution; the grant is limited to one prefix of the work bucket.',
  };
}

/**
 * Listing of the bucket under the given prefixes. Without it, S3 answers a GetObject of a key
 * that does not exist with 403 AccessDenied rather than 404 NoSuchKey
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html), so a function that
 * reads a document that may not exist yet needs it to tell the two apart.
 */
export function bucketListing(bucket: IBucket, prefixes: string[]): Grant {
  return {
    statement: new iam.PolicyStatement({
      actions: ['s3:ListBucket'],
      resources: [bucket.bucketArn],
      conditions: { StringLike: { 's3:prefix': prefixes.map((prefix) => `${prefix}*`) } },
    }),
  };
}

/** What the state machine needs to invoke its functions, including any version or alias. */
export function invoke(functions: IFunction[]): Grant {
  return {
    statement: new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: functions.flatMap((fn) => [fn.functionArn, `${fn.functionArn}:*`]),
    }),
    wildcardReason: 'Qualified ARNs (<function>:<version>) of this deployment’s own functions only.',
  };
}

/** ARN of a state machine, built from its name so that its own role can refer to it without a cycle. */
function stateMachineArn(stack: Stack, name: string): string {
  return stack.formatArn({
    service: 'states',
    resource: 'stateMachine',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * A Distributed Map runs its children as executions of the state machine itself
 * (`execution:<name>/<map label>:<id>`): it starts, describes, stops and redrives them.
 */
export function distributedMap(stack: Stack, name: string): Grant[] {
  const children = stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${name}/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  return [
    {
      statement: new iam.PolicyStatement({
        actions: ['states:StartExecution'],
        resources: [stateMachineArn(stack, name)],
      }),
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['states:DescribeExecution', 'states:StopExecution', 'states:RedriveExecution'],
        resources: [children],
      }),
      wildcardReason:
        'Child executions of this state machine’s own map runs; their IDs are made at run time.',
    },
  ];
}
