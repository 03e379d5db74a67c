import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { backupStacks, logicalId, testApp } from '../fixtures/infra';

/**
 * `copyVolumeTags: *` and copy regions without KMS keys. GIVEN an environment-agnostic stack
 * copying to eu-west-1 and carrying every tag of a volume, WHEN synthesized (cdk-nag included),
 * THEN the functions are told `*` and nothing is left unacknowledged. That no key list holds
 * the tags while the marker is still required, and that no KMS key may be used, is proven by
 * evaluation in the IAM matrix (iam-evaluation.test.ts, variant "copies carrying every volume tag").
 */
const app = testApp({ copyRegions: 'eu-west-1', copyVolumeTags: '*' });
const assembly = app.synth();
const [stack] = backupStacks(app);
const { backup } = stack;
const template = Template.fromStack(stack);

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
