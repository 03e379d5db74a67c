import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { StepName } from '../../infra/functions';
import { copyTags, snapshotTags } from '../../lambdas/core/snapshot-tags';
import {
  asList,
  backupStacks,
  type Json,
  logicalId,
  policyStatements,
  roleStatements,
  testApp,
} from '../fixtures/infra';

/**
 * Least privilege for copies (SPEC §10.8). GIVEN a stack in eu-central-1 that keeps copies in
 * eu-west-1 (KMS key by key ARN) and us-west-2 (KMS key by alias), carrying two volume tags,
 * WHEN synthesized (cdk-nag included), THEN each role holds exactly the statements below: copies
 * only into the copy regions and only tagged with the marker, from this region's own snapshots;
 * deletions in the copy regions only of marked snapshots; KMS use only of the configured keys.
 */
const MARKER = 'prod-backup';
const ACCOUNT = '123456789012';
const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const ALIAS_ARN = 'arn:aws:kms:us-west-2:123456789012:alias/backup/copies';
const app = testApp(
  {
    regions: 'eu-central-1',
    managedBy: MARKER,
    copyRegions: 'eu-west-1,us-west-2',
    copyKmsKeys: JSON.stringify({ 'eu-west-1': KEY_ARN, 'us-west-2': ALIAS_ARN }),
    copyVolumeTags: 'Owner,CostCenter',
  },
  { defaultEnv: { account: ACCOUNT } },
);
const assembly = app.synth();
const [stack] = backupStacks(app);
const { backup } = stack;
const template = Template.fromStack(stack);
const statementsOf = (step: StepName) => roleStatements(template, backup.functions.steps[step].role);

// biome-ignore lint/suspicious/noTemplateCurlyInString: the IAM policy variable for a literal *
const NEW_SNAPSHOT = '${*}';
const snapshots = (region: string, id = '*') => `arn:aws:ec2:${region}::snapshot/${id}`;
const logging = (step: StepName) => ({
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Effect: 'Allow',
  Resource: [`<${logicalId(backup.functions.steps[step].function.logGroup)}.Arn>`],
});
const OWN_TAG_KEYS = [
  'Name',
  'Backup-Managed-By',
  'Backup-Volume-Id',
  'Backup-Instance-Id',
  'Backup-Generation',
  'Backup-Execution',
  'Backup-Run-Id',
];
const KEY_USE = [
  'kms:Decrypt',
  'kms:DescribeKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
];
const BY_ALIAS = { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/backup/copies' } };

describe('CopySnapshot role', () => {
  const statements = statementsOf('copySnapshot');

  test('holds exactly: its log, describe, the copy, the source, tagging at creation, the two keys', () => {
    expect(statements).toEqual([
      logging('copySnapshot'),
      { Action: 'ec2:DescribeSnapshots', Effect: 'Allow', Resource: ['*'] },
      {
        Action: 'ec2:CopySnapshot',
        Effect: 'Allow',
        // The snapshot being created, never an existing one.
        Resource: [snapshots('eu-west-1', NEW_SNAPSHOT), snapshots('us-west-2', NEW_SNAPSHOT)],
        Condition: {
          StringEquals: { 'aws:RequestTag/Backup-Managed-By': MARKER },
          'ForAllValues:StringEquals': {
            'aws:TagKeys': [
              ...OWN_TAG_KEYS,
              'Backup-Source-Snapshot-Id',
              'Backup-Source-Region',
              'Owner',
              'CostCenter',
            ],
          },
        },
      },
      {
        Action: 'ec2:CopySnapshot',
        Effect: 'Allow',
        Resource: [snapshots('eu-central-1', 'snap-*')],
        Condition: { StringEquals: { 'ec2:Owner': ACCOUNT } },
      },
      {
        Action: 'ec2:CreateTags',
        Effect: 'Allow',
        Resource: [snapshots('eu-west-1'), snapshots('us-west-2')],
        Condition: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } },
      },
      {
        Action: 'kms:CreateGrant',
        Effect: 'Allow',
        Resource: [KEY_ARN],
        Condition: { Bool: { 'kms:GrantIsForAWSResource': true } },
      },
      { Action: KEY_USE, Effect: 'Allow', Resource: [KEY_ARN] },
      {
        Action: 'kms:CreateGrant',
        Effect: 'Allow',
        // IAM names a key by its key ARN only: the alias is matched by kms:ResourceAliases.
        Resource: ['arn:aws:kms:us-west-2:123456789012:key/*'],
        Condition: { Bool: { 'kms:GrantIsForAWSResource': true }, ...BY_ALIAS },
      },
      {
        Action: KEY_USE,
        Effect: 'Allow',
        Resource: ['arn:aws:kms:us-west-2:123456789012:key/*'],
        Condition: BY_ALIAS,
      },
    ]);
  });

  test('the tag keys it may set are the ones a copy is written with, carried tags included', () => {
    const written = copyTags({
      managedBy: MARKER,
      executionName: 'run-1',
      runId: 'run-1-key',
      volumeId: 'vol-1',
      instanceId: 'i-1',
      instanceName: 'web',
      generations: 2,
      carriedTags: { Owner: 'team-a', CostCenter: '42' },
      sourceSnapshotId: 'snap-1',
      sourceRegion: 'eu-central-1',
    });
    const copy = statements.find(
      (s: Json) =>
        s.Action === 'ec2:CopySnapshot' && s.Condition.StringEquals['aws:RequestTag/Backup-Managed-By'],
    );
    expect([...copy.Condition['ForAllValues:StringEquals']['aws:TagKeys']].sort()).toEqual(
      written.map((tag) => tag.Key).sort(),
    );
  });

  test('no copy into the own region, and no source outside it', () => {
    const copies = statements.filter((s: Json) => s.Action === 'ec2:CopySnapshot');
    const resources = copies.flatMap((s: Json) => s.Resource);
    expect(resources.filter((arn: string) => arn.includes(':eu-central-1:'))).toEqual([
      snapshots('eu-central-1', 'snap-*'),
    ]);
    expect(resources.filter((arn: string) => arn.endsWith('/*'))).toEqual([]);
  });
});

describe('other roles with copies', () => {
  test('CreateSnapshot may set the carried tag keys beside its own, with the marker', () => {
    const created = statementsOf('createSnapshot').find(
      (s: Json) => s.Resource.includes(snapshots('eu-central-1')) && s.Action === 'ec2:CreateSnapshot',
    );
    expect(created.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/Backup-Managed-By': MARKER },
      'ForAllValues:StringEquals': { 'aws:TagKeys': [...OWN_TAG_KEYS, 'Owner', 'CostCenter'] },
    });
    const written = snapshotTags({
      managedBy: MARKER,
      executionName: 'run-1',
      runId: 'run-1-key',
      volumeId: 'vol-1',
      instanceId: 'i-1',
      generations: 3,
      carriedTags: { Owner: 'team-a', CostCenter: '42' },
    });
    expect(created.Condition['ForAllValues:StringEquals']['aws:TagKeys']).toEqual(
      written.map((tag) => tag.Key),
    );
  });

  test('Prune deletes only marked snapshots, in its own region and in each copy region', () => {
    expect(statementsOf('prune')).toEqual([
      logging('prune'),
      { Action: 'ec2:DescribeSnapshots', Effect: 'Allow', Resource: ['*'] },
      {
        Action: 'ec2:DeleteSnapshot',
        Effect: 'Allow',
        Resource: [snapshots('eu-central-1'), snapshots('eu-west-1'), snapshots('us-west-2')],
        Condition: { StringEquals: { 'ec2:ResourceTag/Backup-Managed-By': MARKER } },
      },
      // A backlog's progress between slices: the same grant with copies or without (iam.test.ts).
      expect.objectContaining({ Action: ['s3:GetObject', 's3:PutObject'] }),
    ]);
  });

  test('of the steps, KMS is granted to the copy role only, on the configured keys only', () => {
    const policyOf = (step: StepName) =>
      logicalId(backup.functions.steps[step].role.node.findChild('DefaultPolicy'));
    const stepPolicies = new Set(
      Object.keys(backup.functions.steps).map((step) => policyOf(step as StepName)),
    );
    const kms = policyStatements(template).filter(
      ({ policy, statement }) =>
        stepPolicies.has(policy) &&
        asList(statement.Action).some((action: string) => action.startsWith('kms:')),
    );
    const copyPolicy = policyOf('copySnapshot');
    expect(new Set(kms.map(({ policy }) => policy))).toEqual(new Set([copyPolicy]));
    expect([...new Set(kms.flatMap(({ statement }) => asList(statement.Resource)))]).toEqual([
      KEY_ARN,
      'arn:aws:kms:us-west-2:123456789012:key/*',
    ]);
    // The wildcard of a key given by alias never goes without its alias condition.
    for (const { statement } of kms.filter(({ statement }) => asList(statement.Resource)[0].endsWith('/*'))) {
      expect(statement.Condition['ForAnyValue:StringEquals']).toEqual(BY_ALIAS['ForAnyValue:StringEquals']);
    }
  });

  test('the copy regions and their keys are the stack output the CLI reads', () => {
    expect(JSON.parse(template.toJSON().Outputs.CopyRegions.Value)).toEqual([
      { region: 'eu-west-1', kmsKeyArn: KEY_ARN },
      { region: 'us-west-2', kmsKeyArn: ALIAS_ARN },
    ]);
  });
});

describe('cdk-nag with copies', () => {
  test('no finding', () => {
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(
      report.pluginReports.flatMap((plugin: { violations?: unknown[] }) => plugin.violations ?? []),
    ).toEqual([]);
  });

  test('the copy role’s wildcards are acknowledged one by one, each with its reason', () => {
    const role = backup.functions.steps.copySnapshot.role;
    const acknowledged = role.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
      .map((id) => id.replace(/^annotation::/i, ''));
    const iam5 = (resource: string) => `AwsSolutions-IAM5[Resource::${resource}]`;
    expect([...new Set(acknowledged)].sort()).toEqual(
      [
        iam5('*'),
        iam5('arn:aws:ec2:eu-west-1::snapshot/<*>'),
        iam5('arn:aws:ec2:us-west-2::snapshot/<*>'),
        iam5('arn:aws:ec2:eu-central-1::snapshot/snap-*'),
        iam5('arn:aws:ec2:eu-west-1::snapshot/*'),
        iam5('arn:aws:ec2:us-west-2::snapshot/*'),
        iam5('arn:aws:kms:us-west-2:123456789012:key/*'),
        // The copy's ARN ends in IAM's variable for a literal *, which the CDK's own rule does not know.
        'CloudFormation-Validate::E3510',
      ].sort(),
    );
  });
});
