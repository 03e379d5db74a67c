import { App, Stack } from 'aws-cdk-lib';
import {
  ConfigError,
  checkSettings,
  copyRegionsOf,
  DEFAULT_SETTINGS,
  parseSettings,
  resolveSettings,
} from '../../infra/config';
import { EbsGenerationBackup } from '../../infra/ebs-generation-backup';
import { configFromContext, configProblemOf, inlineFunction, TEST_EMAIL, testApp } from '../fixtures/infra';

/**
 * The copy settings (SPEC §10.1, §10.7): GIVEN context strings (`-c key=value`), cdk.json values
 * or construct props, WHEN read, THEN they parse into typed settings, and every bad value fails
 * the synth with a message naming the key and what it accepts.
 */
const fromContext = configFromContext;
const problemOf = configProblemOf;

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const MRK_ARN = 'arn:aws:kms:us-west-2:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab';
const ALIAS_ARN = 'arn:aws:kms:us-west-2:123456789012:alias/backup/copies';

const REGIONS_ACCEPTED =
  "give at most 3 AWS region codes other than the stack's own, comma-separated or a JSON array " +
  '(e.g. eu-west-1,us-west-2)';
const KEYS_ACCEPTED =
  'give a JSON object of copy region to the ARN of a KMS key (or alias) in that region ' +
  '(e.g. {"eu-west-1":"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"})';
const TAGS_ACCEPTED =
  'give * (every tag of the volume) or tag keys, comma-separated or a JSON array (e.g. Owner,CostCenter)';
const NOT_OURS = `${TAGS_ACCEPTED}, other than this product’s own keys`;

describe('copy settings from context', () => {
  test('none by default: no copy regions, no keys, no carried tags', () => {
    expect(resolveSettings(fromContext({}).settings, 'context')).toEqual(
      expect.objectContaining({
        copyRegions: [],
        copyKmsKeys: {},
        copyVolumeTags: [],
        copyTagKey: 'Backup-Copy-Generation',
        copyConcurrency: 5,
        copyWaitLimitHours: 24,
      }),
    );
  });

  test.each<[string, unknown, string[]]>([
    ['a comma-separated list', ' eu-west-1, us-west-2 ', ['eu-west-1', 'us-west-2']],
    [
      'a JSON array in a string',
      '["ap-southeast-4","eu-central-2","us-east-1"]',
      ['ap-southeast-4', 'eu-central-2', 'us-east-1'],
    ],
    ['a JSON array (cdk.json)', ['cn-north-1'], ['cn-north-1']],
    ['an empty value', '', []],
  ])('copyRegions as %s', (_, copyRegions, expected) => {
    expect(fromContext({ copyRegions }).settings.copyRegions).toEqual(expected);
  });

  test('copyKmsKeys as a JSON object in a string or in cdk.json, by key ARN, multi-Region key or alias', () => {
    const keys = { 'eu-west-1': KEY_ARN, 'us-west-2': ALIAS_ARN };
    const copyRegions = 'eu-west-1,us-west-2';
    expect(fromContext({ copyRegions, copyKmsKeys: JSON.stringify(keys) }).settings.copyKmsKeys).toEqual(
      keys,
    );
    expect(fromContext({ copyRegions, copyKmsKeys: { 'us-west-2': MRK_ARN } }).settings.copyKmsKeys).toEqual({
      'us-west-2': MRK_ARN,
    });
  });

  test.each<[string, unknown, unknown]>([
    ['*', '*', '*'],
    ['"*" in JSON', '"*"', '*'],
    ['a comma-separated list', 'Owner, CostCenter,Owner', ['Owner', 'CostCenter']],
    ['a JSON array in a string', '["team:owner","cost center"]', ['team:owner', 'cost center']],
    ['a JSON array (cdk.json)', ['Owner'], ['Owner']],
  ])('copyVolumeTags as %s', (_, copyVolumeTags, expected) => {
    expect(fromContext({ copyVolumeTags }).settings.copyVolumeTags).toEqual(expected);
  });

  test('copyVolumeTags needs no copy regions: it applies to the snapshots in the own region too (SPEC §10.7)', () => {
    expect(fromContext({ copyVolumeTags: 'Owner' }).settings).toEqual({
      notificationEmails: [TEST_EMAIL],
      copyVolumeTags: ['Owner'],
    });
  });

  test('copyTagKey, copyConcurrency and copyWaitLimitHours as strings', () => {
    expect(
      fromContext({ copyTagKey: 'dr:copies', copyConcurrency: '20', copyWaitLimitHours: '168' }).settings,
    ).toEqual({
      notificationEmails: [TEST_EMAIL],
      copyTagKey: 'dr:copies',
      copyConcurrency: 20,
      copyWaitLimitHours: 168,
    });
  });

  test.each<[string, unknown, string]>([
    [
      'copyRegions',
      'eu-west-1,europe',
      `contains "europe", which is not an AWS region code: ${REGIONS_ACCEPTED}`,
    ],
    ['copyRegions', 'eu-west-1,eu-west-1', `names "eu-west-1" twice: ${REGIONS_ACCEPTED}`],
    [
      'copyRegions',
      'eu-west-1,us-west-2,ap-southeast-2,eu-central-2',
      `names 4 regions: ${REGIONS_ACCEPTED}`,
    ],
    ['copyRegions', '["eu-west-1",', `is not valid JSON: ${REGIONS_ACCEPTED}`],
    [
      'copyRegions',
      'eu-west-1,cn-north-1',
      `mixes the partitions aws and aws-cn: snapshots are copied within a partition only; ${REGIONS_ACCEPTED}`,
    ],
    ['copyKmsKeys', '["x"]', `is not ${KEYS_ACCEPTED.replace(/^give /, '')}`],
    ['copyKmsKeys', 'eu-west-1=arn', `is not ${KEYS_ACCEPTED.replace(/^give /, '')}`],
    ['copyKmsKeys', '{"europe":"x"}', `has "europe", which is not an AWS region code: ${KEYS_ACCEPTED}`],
    [
      'copyKmsKeys',
      '{"eu-west-1":"arn:aws:s3:::bucket"}',
      `gives eu-west-1 "arn:aws:s3:::bucket", which is not the ARN of a KMS key or alias: ${KEYS_ACCEPTED}`,
    ],
    [
      'copyKmsKeys',
      '{"eu-west-1":"1234abcd-12ab-34cd-56ef-1234567890ab"}',
      `gives eu-west-1 "1234abcd-12ab-34cd-56ef-1234567890ab", which is not the ARN of a KMS key or alias: ${KEYS_ACCEPTED}`,
    ],
    [
      'copyKmsKeys',
      `{"eu-west-2":"${KEY_ARN}"}`,
      `gives eu-west-2 a key in eu-west-1: EC2 encrypts a copy with a key of the copy's region; ${KEYS_ACCEPTED}`,
    ],
    [
      'copyKmsKeys',
      '{"cn-north-1":"arn:aws:kms:cn-north-1:123456789012:alias/copies"}',
      `gives cn-north-1 a key in partition aws, but cn-north-1 is in aws-cn: ${KEYS_ACCEPTED}`,
    ],
    ['copyVolumeTags', 'Owner,*', `mixes * with tag keys: ${TAGS_ACCEPTED}`],
    [
      'copyVolumeTags',
      'Owner,Cost#Center',
      'contains "Cost#Center", which is not a valid EC2 tag key (1 to 128 letters, digits, spaces or ' +
        `_ . : / = + - @, not starting with aws:): ${TAGS_ACCEPTED}`,
    ],
    [
      'copyTagKey',
      'aws:copies',
      'is not a valid EC2 tag key: 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:',
    ],
    [
      'copyConcurrency',
      '21',
      "is not a whole number from 1 to 20: CopySnapshot shares EC2's request rate per account and region, and " +
        'each destination region runs only a few copies at once, so more children only queue on throttled calls ' +
        'and CopyLimitExceeded',
    ],
    [
      'copyConcurrency',
      '0',
      "is not a whole number from 1 to 20: CopySnapshot shares EC2's request rate per account and region, and " +
        'each destination region runs only a few copies at once, so more children only queue on throttled calls ' +
        'and CopyLimitExceeded',
    ],
    ['copyWaitLimitHours', '0', 'is not a whole number from 1 to 168'],
    ['copyWaitLimitHours', 169, 'is not a whole number from 1 to 168'],
  ])('%s = %j is refused with a message naming the key and what it accepts', (key, value, reason) => {
    expect(problemOf({ [key]: value })).toBe(`Invalid context "${key}": ${JSON.stringify(value)} ${reason}`);
  });
});

describe('rules between the copy settings', () => {
  test('a key is given for a copy region only', () => {
    expect(
      problemOf({
        copyRegions: 'eu-west-1',
        copyKmsKeys: '{"us-west-2":"arn:aws:kms:us-west-2:123456789012:alias/copies"}',
      }),
    ).toBe(
      'Invalid context "copyKmsKeys": us-west-2 is not in "copyRegions" (eu-west-1): give keys for copy regions only',
    );
    expect(problemOf({ copyKmsKeys: JSON.stringify({ 'eu-west-1': KEY_ARN }) })).toBe(
      'Invalid context "copyKmsKeys": eu-west-1 is not in "copyRegions" (none): give keys for copy regions only',
    );
  });

  test('the copy tag has a key of its own', () => {
    expect(problemOf({ copyTagKey: 'Backup-Generation' })).toBe(
      'Invalid context "copyTagKey": "Backup-Generation" is also "tagKey": the tag that asks for copies needs a key ' +
        'of its own (e.g. Backup-Copy-Generation)',
    );
    expect(problemOf({ tagKey: 'Generations', copyTagKey: 'Generations' })).toMatch(
      /^Invalid context "copyTagKey": "Generations" is also "tagKey"/,
    );
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['Name', {}, 'is the Name tag, which this product writes on every snapshot (the instance’s name)'],
    ['Backup-Managed-By', {}, 'is a tag this product writes on every snapshot'],
    ['Backup-Source-Region', {}, 'is a tag this product writes on every snapshot'],
    ['aws:cloudformation:stack-name', {}, 'starts with aws:, which only AWS may write'],
    ['AWS:Owner', {}, 'starts with aws:, which only AWS may write'],
    ['Generations', { tagKey: 'Generations' }, 'is "tagKey", which targets instances and volumes'],
    ['Backup-Copy-Generation', {}, 'is "copyTagKey", which asks for copies'],
    ['DR', { copyTagKey: 'DR' }, 'is "copyTagKey", which asks for copies'],
  ])('copyVolumeTags may not carry %s', (key, context, because) => {
    expect(problemOf({ ...context, copyVolumeTags: `Owner,${key}` })).toBe(
      `Invalid context "copyVolumeTags": "${key}" ${because}: ${NOT_OURS}`,
    );
  });

  test('a region that is both a stack region and a copy region is refused, naming both keys', () => {
    expect(problemOf({ regions: 'eu-west-1,us-east-1', copyRegions: 'us-west-2,us-east-1' })).toBe(
      'Invalid context "copyRegions": us-east-1 is also in "regions": a stack copies its snapshots to other ' +
        'regions, never its own; remove it from one of them',
    );
  });

  test('without regions, the copy regions differ from the CLI’s default region, when known', () => {
    expect(problemOf({ copyRegions: 'eu-west-1' }, 'eu-west-1')).toBe(
      'Invalid context "copyRegions": eu-west-1 is also the region the stack deploys to (the CLI’s, ' +
        'CDK_DEFAULT_REGION): a stack copies its snapshots to other regions, never its own; remove it from one of them',
    );
    expect(() => fromContext({ copyRegions: 'eu-west-1' }, 'eu-central-1')).not.toThrow();
    expect(() => fromContext({ copyRegions: 'eu-west-1' })).not.toThrow();
  });

  test('copies stay in the partition of the stack', () => {
    expect(problemOf({ regions: 'us-east-1', copyRegions: 'cn-north-1' })).toBe(
      'Invalid context "copyRegions": cn-north-1 is not in the partition of us-east-1 (aws): snapshots are ' +
        'copied within a partition only',
    );
  });

  test('every problem is reported at once', () => {
    expect(
      problemOf({
        regions: 'eu-west-1',
        copyRegions: 'eu-west-1',
        copyTagKey: 'Backup-Generation',
        copyVolumeTags: 'Name',
      }).split('\n'),
    ).toEqual([
      expect.stringMatching(/^Invalid context "copyTagKey"/),
      expect.stringMatching(/^Invalid context "copyRegions": eu-west-1 is also in "regions"/),
      expect.stringMatching(/^Invalid context "copyVolumeTags": "Name"/),
    ]);
  });

  test('copyRegionsOf pairs each copy region with its key, in the configured order', () => {
    expect(
      copyRegionsOf({ copyRegions: ['us-west-2', 'eu-west-1'], copyKmsKeys: { 'eu-west-1': KEY_ARN } }),
    ).toEqual([{ region: 'us-west-2' }, { region: 'eu-west-1', kmsKeyArn: KEY_ARN }]);
  });
});

describe('copy settings given as construct props', () => {
  const props = { functionFactory: inlineFunction, notificationEmails: [TEST_EMAIL] };

  test('are typed values, validated by the same parsers', () => {
    expect(parseSettings({ copyRegions: ['eu-west-1'], copyVolumeTags: '*' }, 'property')).toEqual({
      copyRegions: ['eu-west-1'],
      copyVolumeTags: '*',
    });
    expect(() => parseSettings({ copyRegions: ['eu-west-1', 'mars-1'] }, 'property')).toThrow(
      `Invalid property "copyRegions": ["eu-west-1","mars-1"] contains "mars-1", which is not an AWS region code: ${REGIONS_ACCEPTED}`,
    );
    expect(() =>
      checkSettings(
        { ...DEFAULT_SETTINGS, notificationEmails: [TEST_EMAIL], copyVolumeTags: ['Name'] },
        'property',
      ),
    ).toThrow(`Invalid property "copyVolumeTags": "Name" is the Name tag`);
  });

  test('a stack in a known region refuses it as a copy region, naming the stack', () => {
    const stack = new Stack(new App(), 'Platform', { env: { region: 'eu-west-1' } });
    expect(
      () => new EbsGenerationBackup(stack, 'Backup', { ...props, copyRegions: ['us-east-1', 'eu-west-1'] }),
    ).toThrow(
      new ConfigError([
        'Invalid property "copyRegions": eu-west-1 is also the region of stack Platform: a stack copies its snapshots ' +
          'to other regions, never its own; remove it from one of them',
      ]),
    );
  });

  test('an environment-agnostic stack cannot be checked at synth: its region is a deploy-time value', () => {
    const stack = new Stack(new App(), 'Anywhere');
    expect(
      () => new EbsGenerationBackup(stack, 'Backup', { ...props, copyRegions: ['eu-west-1'] }),
    ).not.toThrow();
  });

  test('the app refuses it before building any stack, naming the context key', () => {
    expect(() => testApp({ regions: 'eu-west-1', copyRegions: 'eu-west-1' })).toThrow(
      /^Invalid context "copyRegions": eu-west-1 is also in "regions"/,
    );
    expect(() => testApp({ copyRegions: 'eu-west-1' }, { defaultEnv: { region: 'eu-west-1' } })).toThrow(
      /^Invalid context "copyRegions": eu-west-1 is also the region the stack deploys to \(the CLI’s, CDK_DEFAULT_REGION\)/,
    );
  });
});
