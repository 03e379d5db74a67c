import type { StepName } from '../../infra/functions';
import { SET_TAG_KEYS, SET_VOLUME_TAG_KEYS } from '../../infra/iam';
import { SnapshotTag, snapshotTags } from '../../lambdas/core/snapshot-tags';
import {
  type DeploymentUnderTest,
  deploymentsOf,
  type PrincipalName,
  principalOf,
} from '../fixtures/iam-deployment';
import {
  asList,
  type Json,
  logicalId,
  policyStatements,
  roleStatements,
  synthesize,
} from '../fixtures/infra';
import { VARIANTS } from '../fixtures/variants';

/**
 * Least privilege per role (SPEC §8.1), as far as the template's structure says it. What each
 * role may do on which resource, and under which condition, is proven by evaluation in the IAM
 * matrix (iam-evaluation.test.ts). Here: the complete list of actions each role holds in every
 * configuration, so that no grant exists that the matrix never asks about; the tag keys IAM
 * allows against those the step writes; one role per function; and where `Resource: *` may be.
 */
const MARKER = 'prod-backup';
const { template, backup } = synthesize({ managedBy: MARKER });
const statementsOf = (step: StepName) => roleStatements(template, backup.functions.steps[step].role);

/** The CloudWatch Logs vended-log delivery actions Step Functions needs for its execution log. */
const STATE_MACHINE_LOG_DELIVERY = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** SSM Run Command: the one call that names resources, and the three that take none (SPEC §12.5). */
const RUN_COMMAND_UNSCOPED = ['ssm:CancelCommand', 'ssm:GetCommandInvocation', 'ssm:ListCommandInvocations'];
const RUN_COMMAND = ['ssm:SendCommand', ...RUN_COMMAND_UNSCOPED];
const COPY_KEY_USE = [
  'kms:CreateGrant',
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];

function expectedActions(deployment: DeploymentUnderTest): Record<PrincipalName, string[]> {
  const copies = deployment.copyRegions.length > 0 ? ['ec2:CopySnapshot', 'ec2:CreateTags'] : [];
  const keys = deployment.copyRegions.some(({ kmsKeyArn }) => kmsKeyArn !== undefined) ? COPY_KEY_USE : [];
  return {
    discover: [
      ...LOGS,
      'ec2:DescribeInstances',
      'ec2:DescribeSnapshots',
      'ec2:DescribeVolumes',
      's3:GetObject',
      's3:ListBucket',
      's3:PutObject',
    ],
    createSnapshot: [...LOGS, 'ec2:CreateSnapshot', 'ec2:CreateTags', 'ec2:DescribeSnapshots'],
    snapshotSet: [...LOGS, 'ec2:CreateSnapshots', 'ec2:CreateTags', 'ec2:DescribeSnapshots'],
    runScript: [...LOGS, ...RUN_COMMAND],
    awaitSnapshots: [...LOGS, 'ec2:DescribeSnapshots', 's3:GetObject', 's3:ListBucket', 's3:PutObject'],
    copySnapshot: [...LOGS, 'ec2:DescribeSnapshots', ...copies, ...keys],
    awaitCopies: [...LOGS, 'ec2:DescribeSnapshots', 's3:GetObject', 's3:ListBucket', 's3:PutObject'],
    prune: [...LOGS, 'ec2:DeleteSnapshot', 'ec2:DescribeSnapshots', 's3:GetObject', 's3:PutObject'],
    summarise: [...LOGS, 's3:GetObject', 's3:PutObject'],
    workflow: [
      'lambda:InvokeFunction',
      'states:StartExecution',
      'states:DescribeExecution',
      'states:StopExecution',
      'states:RedriveExecution',
      's3:GetObject',
      's3:PutObject',
      's3:ListMultipartUploadParts',
      's3:AbortMultipartUpload',
      ...STATE_MACHINE_LOG_DELIVERY,
    ],
    schedule: ['states:StartExecution'],
    failedRunPublisher: ['sns:Publish', 'kms:Decrypt', 'kms:GenerateDataKey'],
    successWindowStart: [...LOGS, 'cloudwatch:PutMetricData'],
  };
}

describe.each(
  VARIANTS.flatMap(deploymentsOf).map((deployment) => ({ name: deployment.variant, deployment })),
)('$name', ({ deployment }) => {
  test('each role holds exactly these actions', () => {
    const granted = Object.fromEntries(
      Object.keys(deployment.roles).map((who) => [
        who,
        [
          ...new Set(
            principalOf(deployment, who as PrincipalName).policies.flatMap((policy) =>
              policy.Statement.flatMap((statement: Json) => asList(statement.Action)),
            ),
          ),
        ].sort(),
      ]),
    );
    const expected = expectedActions(deployment);
    expect(granted).toEqual(
      Object.fromEntries(
        Object.keys(deployment.roles).map((who) => [who, [...expected[who as PrincipalName]].sort()]),
      ),
    );
  });
});

describe('function roles', () => {
  test('the marker and tag keys IAM allows are the ones the snapshot step writes', () => {
    const written = snapshotTags({
      managedBy: MARKER,
      executionName: 'run-1',
      runId: 'run-1-key',
      volumeId: 'vol-1',
      instanceId: 'i-1',
      instanceName: 'web',
      generations: 3,
    });
    const created = statementsOf('createSnapshot').find(
      (s: Json) => s.Condition?.['ForAllValues:StringEquals'],
    );
    expect(created.Condition['ForAllValues:StringEquals']['aws:TagKeys']).toEqual(
      written.map((tag) => tag.Key),
    );
    expect(written).toContainEqual({
      Key: Object.keys(created.Condition.StringEquals)[0].split('/')[1],
      Value: MARKER,
    });
  });
  test('the set step: the keys IAM allows at creation are the ones a set shares; after it, only the per-volume ones', () => {
    const keyLists = statementsOf('snapshotSet')
      .filter((s: Json) => s.Condition?.['ForAllValues:StringEquals'])
      .map((s: Json) => [s.Action, s.Condition['ForAllValues:StringEquals']['aws:TagKeys']]);
    expect(keyLists).toEqual([
      ['ec2:CreateSnapshots', SET_TAG_KEYS],
      ['ec2:CreateTags', SET_VOLUME_TAG_KEYS],
    ]);
    expect(SET_TAG_KEYS).not.toContain(SnapshotTag.volumeId);
    expect([...SET_TAG_KEYS, ...SET_VOLUME_TAG_KEYS].sort()).toEqual(
      ['Name', ...Object.values(SnapshotTag)]
        .filter((key) => key !== SnapshotTag.sourceRegion && key !== SnapshotTag.sourceSnapshotId)
        .sort(),
    );
  });
  test('each function has its own role, assumable by Lambda only', () => {
    const roles = Object.values(backup.functions.steps).map(({ role }) => logicalId(role));
    expect(new Set(roles).size).toBe(9);
    for (const { function: fn, role } of Object.values(backup.functions.steps)) {
      const resource = template.findResources('AWS::Lambda::Function')[logicalId(fn)];
      expect(resource.Properties.Role).toEqual({ 'Fn::GetAtt': [logicalId(role), 'Arn'] });
      const trust =
        template.findResources('AWS::IAM::Role')[logicalId(role)].Properties.AssumeRolePolicyDocument;
      expect(trust.Statement).toEqual([
        { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
    }
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('wildcards across the whole template', () => {
  const wildcardStatements = policyStatements(template).filter(({ statement }) =>
    asList(statement.Resource).includes('*'),
  );
  const functionPolicies = new Set(
    Object.values(backup.functions.steps).map(({ role }) => logicalId(role.node.findChild('DefaultPolicy'))),
  );

  test('for the functions, describe calls are the only Resource: *, but for the Run Command calls that take no resource, held to the region', () => {
    const functionStatements = wildcardStatements.filter(({ policy }) => functionPolicies.has(policy));
    const describes = functionStatements.filter(({ statement }) =>
      asList(statement.Action).every((action: string) => /^ec2:Describe[A-Za-z]+$/.test(action)),
    );
    expect(describes.length).toBeGreaterThan(0);
    const others = functionStatements.filter((statement) => !describes.includes(statement));
    expect(others.map(({ policy }) => policy)).toEqual([
      logicalId(backup.functions.steps.runScript.role.node.findChild('DefaultPolicy')),
    ]);
    expect(others[0].statement).toEqual({
      Action: RUN_COMMAND_UNSCOPED,
      Effect: 'Allow',
      Resource: '*',
      Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
    });
  });

  test('elsewhere, only the state machine’s log delivery and metrics in this tool’s namespace (no resource-level permissions exist for either)', () => {
    const workflowPolicy = logicalId(backup.workflow.role.node.findChild('DefaultPolicy'));
    const windowStartPolicy = logicalId(
      backup.alerts.successWindowStart.resource.node.findChild('CustomResourcePolicy'),
    );
    const others = wildcardStatements.filter(
      ({ policy, statement }) =>
        !functionPolicies.has(policy) &&
        asList(statement.Action).some((action: string) => !/^ec2:Describe[A-Za-z]+$/.test(action)),
    );
    expect(others.map(({ policy }) => policy)).toEqual([workflowPolicy, windowStartPolicy]);
    expect(others[1].statement).toEqual({
      Action: 'cloudwatch:PutMetricData',
      Effect: 'Allow',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'EbsGenerationBackup' } },
    });
    expect(asList(others[0].statement.Action).sort()).toEqual([...STATE_MACHINE_LOG_DELIVERY].sort());
  });

  test('no statement allows a wildcard action', () => {
    for (const { statement } of policyStatements(template)) {
      for (const action of asList(statement.Action)) expect(action).not.toContain('*');
    }
  });
});
