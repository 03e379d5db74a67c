import type { StepName } from '../../infra/functions';
import { snapshotTags } from '../../lambdas/core/snapshot-tags';
import {
  asList,
  type Json,
  logicalId,
  policyStatements,
  roleStatements,
  synthesize,
} from '../fixtures/infra';

/**
 * Least privilege per function (SPEC §8.1). GIVEN the app with a custom marker value, WHEN
 * synthesized, THEN each function's role holds exactly the statements below, describe calls
 * are the only `Resource: *` of any function, and every EC2 write is held by a tag condition.
 */
const MARKER = 'prod-backup';
const { template, backup } = synthesize({ managedBy: MARKER });
const statementsOf = (step: StepName) => roleStatements(template, backup.functions.steps[step].role);

const volumes = 'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:volume/*';
const snapshots = 'arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*';
const bucketArn = `<${logicalId(backup.bucket)}.Arn>`;
const logging = (step: StepName) => ({
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Effect: 'Allow',
  Resource: [`<${logicalId(backup.functions.steps[step].function.logGroup)}.Arn>`],
});

describe('function roles', () => {
  test('Discover reads instances, volumes and snapshots, writes the run documents and keeps the copy regions record', () => {
    expect(statementsOf('discover')).toEqual([
      logging('discover'),
      {
        Action: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots', 'ec2:DescribeVolumes'],
        Effect: 'Allow',
        Resource: ['*'],
      },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: [`${bucketArn}/runs/*`] },
      // The one object under state/: no other key, no wildcard.
      {
        Action: ['s3:GetObject', 's3:PutObject'],
        Effect: 'Allow',
        Resource: [`${bucketArn}/state/copy-regions.json`],
      },
      // Before the first live run writes it, the record reads as absent rather than denied.
      {
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: [bucketArn],
        Condition: { StringLike: { 's3:prefix': ['state/*'] } },
      },
    ]);
  });

  test('CreateSnapshot may only create snapshots carrying the marker, tagged at creation', () => {
    expect(statementsOf('createSnapshot')).toEqual([
      logging('createSnapshot'),
      { Action: 'ec2:DescribeSnapshots', Effect: 'Allow', Resource: ['*'] },
      { Action: 'ec2:CreateSnapshot', Effect: 'Allow', Resource: [volumes] },
      {
        Action: 'ec2:CreateSnapshot',
        Effect: 'Allow',
        Resource: [snapshots],
        Condition: {
          StringEquals: { 'aws:RequestTag/Backup-Managed-By': MARKER },
          'ForAllValues:StringEquals': {
            'aws:TagKeys': [
              'Name',
              'Backup-Managed-By',
              'Backup-Volume-Id',
              'Backup-Instance-Id',
              'Backup-Generation',
              'Backup-Execution',
              'Backup-Run-Id',
            ],
          },
        },
      },
      {
        Action: 'ec2:CreateTags',
        Effect: 'Allow',
        Resource: [snapshots],
        Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshot' } },
      },
    ]);
  });

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

  test('AwaitSnapshots describes snapshots, reads the run documents and map results, writes the prune work list', () => {
    expect(statementsOf('awaitSnapshots')).toEqual([
      logging('awaitSnapshots'),
      { Action: 'ec2:DescribeSnapshots', Effect: 'Allow', Resource: ['*'] },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: [`${bucketArn}/map-runs/*`, `${bucketArn}/runs/*`],
      },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: [`${bucketArn}/runs/*`] },
      // Without listing, S3 answers a missing key with AccessDenied instead of NoSuchKey.
      {
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: [bucketArn],
        Condition: { StringLike: { 's3:prefix': ['runs/*'] } },
      },
    ]);
  });

  test('CopySnapshot, without copy regions, may copy nothing: the copy step is never reached', () => {
    expect(statementsOf('copySnapshot')).toEqual([
      logging('copySnapshot'),
      { Action: 'ec2:DescribeSnapshots', Effect: 'Allow', Resource: ['*'] },
    ]);
  });

  test('AwaitCopies describes snapshots, reads the run documents and the copy map results, writes the copy prune list', () => {
    expect(statementsOf('awaitCopies')).toEqual([
      logging('awaitCopies'),
      { Action: 'ec2:DescribeSnapshots', Effect: 'Allow', Resource: ['*'] },
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        // CopyVolumes' results only (map-runs/copy/<map run id>/…), not map-runs/copy-prune.
        Resource: [`${bucketArn}/map-runs/copy/*`, `${bucketArn}/runs/*`],
      },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: [`${bucketArn}/runs/*`] },
      {
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: [bucketArn],
        Condition: { StringLike: { 's3:prefix': ['runs/*'] } },
      },
    ]);
  });

  test('Prune may only delete snapshots carrying this deployment’s marker, and keeps a backlog’s progress in its own folder of each run', () => {
    expect(statementsOf('prune')).toEqual([
      logging('prune'),
      { Action: 'ec2:DescribeSnapshots', Effect: 'Allow', Resource: ['*'] },
      {
        Action: 'ec2:DeleteSnapshot',
        Effect: 'Allow',
        Resource: [snapshots],
        Condition: { StringEquals: { 'ec2:ResourceTag/Backup-Managed-By': MARKER } },
      },
      {
        Action: ['s3:GetObject', 's3:PutObject'],
        Effect: 'Allow',
        Resource: [`${bucketArn}/runs/*/prune-progress/*`],
      },
    ]);
  });

  test('Summarise reads the run documents and every map run’s results (copies’ too) and writes the report, with no EC2 access', () => {
    expect(statementsOf('summarise')).toEqual([
      logging('summarise'),
      {
        Action: 's3:GetObject',
        Effect: 'Allow',
        Resource: [`${bucketArn}/map-runs/*`, `${bucketArn}/runs/*`],
      },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: [`${bucketArn}/runs/*`] },
    ]);
  });

  test('each function has its own role, assumable by Lambda only', () => {
    const roles = Object.values(backup.functions.steps).map(({ role }) => logicalId(role));
    expect(new Set(roles).size).toBe(7);
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

  test('for the functions, describe calls are the only Resource: *', () => {
    const functionPolicies = new Set(
      Object.values(backup.functions.steps).map(({ role }) =>
        logicalId(role.node.findChild('DefaultPolicy')),
      ),
    );
    const functionActions = wildcardStatements
      .filter(({ policy }) => functionPolicies.has(policy))
      .flatMap(({ statement }) => asList(statement.Action));
    expect(functionActions.length).toBeGreaterThan(0);
    for (const action of functionActions) expect(action).toMatch(/^ec2:Describe[A-Za-z]+$/);
  });

  test('elsewhere, only the state machine’s log delivery and metrics in this tool’s namespace (no resource-level permissions exist for either)', () => {
    const workflowPolicy = logicalId(backup.workflow.role.node.findChild('DefaultPolicy'));
    const windowStartPolicy = logicalId(
      backup.alerts.successWindowStart.resource.node.findChild('CustomResourcePolicy'),
    );
    const others = wildcardStatements.filter(({ statement }) =>
      asList(statement.Action).some((action: string) => !/^ec2:Describe[A-Za-z]+$/.test(action)),
    );
    expect(others.map(({ policy }) => policy)).toEqual([workflowPolicy, windowStartPolicy]);
    expect(others[1].statement).toEqual({
      Action: 'cloudwatch:PutMetricData',
      Effect: 'Allow',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'EbsGenerationBackup' } },
    });
    expect(asList(others[0].statement.Action).sort()).toEqual(
      [
        'logs:CreateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:DescribeLogGroups',
        'logs:DescribeResourcePolicies',
        'logs:GetLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:UpdateLogDelivery',
      ].sort(),
    );
  });

  test('no statement allows a wildcard action', () => {
    for (const { statement } of policyStatements(template)) {
      for (const action of asList(statement.Action)) expect(action).not.toContain('*');
    }
  });
});
