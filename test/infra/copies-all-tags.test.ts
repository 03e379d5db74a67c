import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { StepName } from '../../infra/functions';
import { asList, backupStacks, type Json, logicalId, roleStatements, testApp } from '../fixtures/infra';

/**
 * `copyVolumeTags: *` and copy regions without KMS keys. GIVEN an environment-agnostic stack
 * copying to eu-west-1 and carrying every tag of a volume, WHEN synthesized (cdk-nag included),
 * THEN no statement restricts the tag keys (any key of a volume may come), the marker is still
 * required, and no KMS permission exists (copies use the region's default EBS key).
 */
const app = testApp({ copyRegions: 'eu-west-1', copyVolumeTags: '*' });
const assembly = app.synth();
const [stack] = backupStacks(app);
const { backup } = stack;
const template = Template.fromStack(stack);
const statementsOf = (step: StepName) => roleStatements(template, backup.functions.steps[step].role);
const MARKER = { 'aws:RequestTag/Backup-Managed-By': 'EbsGenerationBackup' };

test('CreateSnapshot requires the marker and no list of tag keys', () => {
  const created = statementsOf('createSnapshot').filter(
    (s: Json) => s.Action === 'ec2:CreateSnapshot' && s.Condition !== undefined,
  );
  expect(created).toEqual([
    {
      Action: 'ec2:CreateSnapshot',
      Effect: 'Allow',
      Resource: ['arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/*'],
      Condition: { StringEquals: MARKER },
    },
  ]);
});

test('CopySnapshot requires the marker and no list of tag keys; the source is this account’s, in this region', () => {
  const copies = statementsOf('copySnapshot').filter((s: Json) => s.Action === 'ec2:CopySnapshot');
  expect(copies).toEqual([
    {
      Action: 'ec2:CopySnapshot',
      Effect: 'Allow',
      Resource: [expect.stringMatching(/^arn:<AWS::Partition>:ec2:eu-west-1::snapshot\/\$\{\*\}$/)],
      Condition: { StringEquals: MARKER },
    },
    {
      Action: 'ec2:CopySnapshot',
      Effect: 'Allow',
      Resource: ['arn:<AWS::Partition>:ec2:<AWS::Region>::snapshot/snap-*'],
      Condition: { StringEquals: { 'ec2:Owner': { Ref: 'AWS::AccountId' } } },
    },
  ]);
});

test('without configured keys, no step may use KMS', () => {
  for (const step of Object.keys(backup.functions.steps) as StepName[]) {
    const actions = statementsOf(step).flatMap((s: Json) => asList(s.Action));
    expect({ step, kms: actions.filter((action: string) => action.startsWith('kms:')) }).toEqual({
      step,
      kms: [],
    });
  }
});

test('the functions read * as JSON', () => {
  const discover =
    template.findResources('AWS::Lambda::Function')[logicalId(backup.functions.steps.discover.function)];
  expect(discover.Properties.Environment.Variables).toEqual(
    expect.objectContaining({ COPY_VOLUME_TAGS: '"*"', COPY_REGIONS: '[{"region":"eu-west-1"}]' }),
  );
});

test('cdk-nag reports no finding', () => {
  const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
  expect(
    report.pluginReports.flatMap((plugin: { violations?: unknown[] }) => plugin.violations ?? []),
  ).toEqual([]);
});
