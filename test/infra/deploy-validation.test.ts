import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { backupStacks, FEATURE_FLAGS, testApp } from '../fixtures/infra';
import { type ConfigurationVariant, DEFAULTS, VARIANTS } from '../fixtures/variants';

/**
 * What CloudFormation would refuse at deploy time fails the synth (SPEC §8.2). GIVEN cdk.json's
 * feature flags (the pinned aws-cdk-lib's recommendations, `validateAgainstDefaultRules` among
 * them) and every configuration variant, WHEN synthesized with the CDK's CloudFormation
 * validation on, THEN nothing is found and nothing is warned; and a template CloudFormation
 * would refuse does fail.
 */
const recommended: Record<string, unknown> = JSON.parse(
  readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf8'),
);

/** The app of a variant as `cdk synth` runs it: CloudFormation's rules included. */
const validatedApp = (variant: ConfigurationVariant) =>
  testApp(variant.context, { ...variant.options, builtinCloudFormationValidation: true });

/** Every warning or error the synth attached to a stack (the lines `cdk synth` prints). */
function messages(assembly: cxapi.CloudAssembly): string[] {
  return assembly.stacks.flatMap((stack) =>
    stack.messages
      .filter((message) => message.level !== 'info')
      .map((message) => `${stack.stackName} ${message.id}: ${message.entry.data}`),
  );
}

describe('CDK feature flags', () => {
  test('cdk.json sets every flag the pinned aws-cdk-lib recommends, to its recommended value', () => {
    expect(FEATURE_FLAGS).toEqual(recommended);
    expect(FEATURE_FLAGS['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
  });
});

describe.each(VARIANTS)('$name', (variant) => {
  test('synthesizes with no validation finding, no warning and no error', () => {
    const assembly = validatedApp(variant).synth();
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(
      report.pluginReports.flatMap((plugin: { violations?: unknown[] }) => plugin.violations ?? []),
    ).toEqual([]);
    expect(messages(assembly)).toEqual([]);
    expect(assembly.stacks.length).toBeGreaterThan(0);
  });
});

describe('the gate', () => {
  test('a role description IAM would refuse (U+2019) fails the synth, naming the rule', () => {
    const app = validatedApp(DEFAULTS);
    new iam.Role(backupStacks(app)[0], 'Curly', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Deletes this deployment’s snapshots',
    });
    expect(() => app.synth()).toThrow(/F3031|does not match pattern/);
  });
});
