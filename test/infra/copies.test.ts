import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { StepName } from '../../infra/functions';
import { copyTags, snapshotTags } from '../../lambdas/core/snapshot-tags';
import { backupStacks, type Json, roleStatements, testApp } from '../fixtures/infra';

/**
 * Copies in the template (SPEC §10.8). GIVEN a stack in eu-central-1 that keeps copies in
 * eu-west-1 (KMS key by key ARN) and us-west-2 (KMS key by alias), carrying two volume tags,
 * WHEN synthesized (cdk-nag included), THEN the tag keys IAM lets a copy or snapshot carry are
 * exactly those the steps write, the stack outputs the copy regions, and every wildcard is
 * acknowledged with its reason. Who may copy, tag, delete and use which key is proven by
 * evaluation in the IAM matrix (iam-evaluation.test.ts).
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

const snapshots = (region: string, id = '*') => `arn:aws:ec2:${region}::snapshot/${id}`;
const OWN_TAG_KEYS = [
  'Name',
  'Backup-Managed-By',
  'Backup-Volume-Id',
  'Backup-Instance-Id',
  'Backup-Generation',
  'Backup-Execution',
  'Backup-Run-Id',
];
describe('CopySnapshot role', () => {
  const statements = statementsOf('copySnapshot');

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
