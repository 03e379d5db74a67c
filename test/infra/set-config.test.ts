import { App, Stack } from 'aws-cdk-lib';
import {
  ConfigError,
  checkSettings,
  DEFAULT_SETTINGS,
  parseSettings,
  resolveSettings,
} from '../../infra/config';
import { EbsGenerationBackup } from '../../infra/ebs-generation-backup';
import { configFromContext, configProblemOf, inlineFunction, TEST_EMAIL } from '../fixtures/infra';

/**
 * The settings of consistent sets (SPEC §12): GIVEN context strings (`-c key=value`), cdk.json
 * values or construct props, WHEN read, THEN they parse into typed settings, and every bad value
 * fails the synth with a message naming the key and what it accepts.
 */
const fromContext = configFromContext;
const problemOf = configProblemOf;

const SHARED_DOCUMENT = 'arn:aws:ssm:eu-west-1:210987654321:document/TeamBackupScripts';
const DOCUMENT_ACCEPTED =
  'the name of an SSM Command document of this account (3 to 128 letters, digits, _ . -, e.g. MyBackupScripts), ' +
  'or the ARN of one another account shares (e.g. arn:aws:ssm:eu-west-1:123456789012:document/MyBackupScripts)';
const TIMEOUT_REASON =
  'a script that freezes an application must be quick, the application waits for the snapshot call ' +
  '(Data Lifecycle Manager allows its scripts the same range)';
const TAG_KEY_RULE = '1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:';

describe('set settings from context', () => {
  test('defaults: the Backup-Consistency tag, crash-consistent on a failed pre-script, 30 s, the stack’s own document', () => {
    expect(resolveSettings({}, 'context')).toEqual(
      expect.objectContaining({
        consistencyTagKey: 'Backup-Consistency',
        preScriptFailure: 'crash-consistent',
        scriptTimeoutSeconds: 30,
      }),
    );
    expect(resolveSettings({}, 'context')).not.toHaveProperty('scriptDocument');
    expect(fromContext({ scriptDocument: '' }).settings).not.toHaveProperty('scriptDocument');
  });

  test('strings from -c key=value are parsed into typed values', () => {
    expect(
      fromContext({
        consistencyTagKey: 'app:consistency',
        preScriptFailure: 'skip',
        scriptTimeoutSeconds: '120',
        scriptDocument: ' MyBackupScripts ',
      }).settings,
    ).toEqual({
      notificationEmails: [TEST_EMAIL],
      consistencyTagKey: 'app:consistency',
      preScriptFailure: 'skip',
      scriptTimeoutSeconds: 120,
      scriptDocument: 'MyBackupScripts',
    });
  });

  test.each([['MyBackupScripts'], ['team.backup_scripts-2'], [SHARED_DOCUMENT]])(
    'scriptDocument %s is accepted',
    (scriptDocument) => {
      expect(fromContext({ scriptDocument }).settings.scriptDocument).toBe(scriptDocument);
    },
  );

  test.each([['10'], ['120'], [45]])('scriptTimeoutSeconds %j is accepted', (scriptTimeoutSeconds) => {
    expect(fromContext({ scriptTimeoutSeconds }).settings.scriptTimeoutSeconds).toBe(
      Number(scriptTimeoutSeconds),
    );
  });

  test.each<[string, unknown, string]>([
    ['consistencyTagKey', 'aws:consistency', `"aws:consistency" is not a valid EC2 tag key: ${TAG_KEY_RULE}`],
    [
      'consistencyTagKey',
      'Backup#Consistency',
      `"Backup#Consistency" is not a valid EC2 tag key: ${TAG_KEY_RULE}`,
    ],
    ...['crash', 'Skip', 'application', ''].map((value): [string, unknown, string] => [
      'preScriptFailure',
      value,
      `${JSON.stringify(value)} is not crash-consistent (take the set without the application’s help, and report it) ` +
        'or skip (take no set this run, and report it)',
    ]),
    ...['9', '121', '0', 'thirty', 30.5].map((value): [string, unknown, string] => [
      'scriptTimeoutSeconds',
      value,
      `${JSON.stringify(value)} is not a whole number from 10 to 120: ${TIMEOUT_REASON}`,
    ]),
    ...[
      'ab',
      'my scripts',
      'd'.repeat(129),
      'arn:aws:ssm:eu-west-1:210987654321:parameter/TeamBackupScripts',
      'arn:aws:ssm:eu-west-1::document/TeamBackupScripts',
    ].map((value): [string, unknown, string] => [
      'scriptDocument',
      value,
      `${JSON.stringify(value)} is not ${DOCUMENT_ACCEPTED}`,
    ]),
    ...[
      'AWS-RunShellScript',
      'AmazonCloudWatch-ManageAgent',
      'amzn-scripts',
      `${SHARED_DOCUMENT}`.replace('Team', 'AWS-Team'),
    ].map((value): [string, unknown, string] => [
      'scriptDocument',
      value,
      `${JSON.stringify(value)} names a document of AWS (aws, amazon and amzn are AWS’s prefixes), which runs any ` +
        `command it is given: give ${DOCUMENT_ACCEPTED}, which takes the parameters phase and timeoutSeconds`,
    ]),
  ])('%s = %j is refused with a message naming the key', (key, value, reason) => {
    expect(problemOf({ [key]: value })).toBe(`Invalid context "${key}": ${reason}`);
  });
});

describe('rules between the set settings', () => {
  test('the consistency tag has a key of its own, neither tagKey nor copyTagKey', () => {
    expect(problemOf({ consistencyTagKey: 'Backup-Generation' })).toBe(
      'Invalid context "consistencyTagKey": "Backup-Generation" is also "tagKey": the tag that names an instance\'s ' +
        'consistency mode needs a key of its own (e.g. Backup-Consistency)',
    );
    expect(problemOf({ copyTagKey: 'Mode', consistencyTagKey: 'Mode' })).toBe(
      'Invalid context "consistencyTagKey": "Mode" is also "copyTagKey": the tag that names an instance\'s ' +
        'consistency mode needs a key of its own (e.g. Backup-Consistency)',
    );
  });

  test('copyVolumeTags may not carry the consistency tag', () => {
    expect(problemOf({ consistencyTagKey: 'Mode', copyVolumeTags: 'Owner,Mode' })).toBe(
      'Invalid context "copyVolumeTags": "Mode" is "consistencyTagKey", which names an instance’s consistency mode: ' +
        'give * (every tag of the volume) or tag keys, comma-separated or a JSON array (e.g. Owner,CostCenter), ' +
        'other than this product’s own keys',
    );
  });

  test('a shared document is in the region of every stack, where known (SendCommand runs its own region’s)', () => {
    expect(() => fromContext({ scriptDocument: SHARED_DOCUMENT, regions: 'eu-west-1' })).not.toThrow();
    expect(() => fromContext({ scriptDocument: SHARED_DOCUMENT })).not.toThrow();
    expect(problemOf({ scriptDocument: SHARED_DOCUMENT, regions: 'eu-west-1,us-east-1' })).toBe(
      `Invalid context "scriptDocument": "${SHARED_DOCUMENT}" is in eu-west-1, not us-east-1 (in "regions"): ` +
        'SendCommand runs a document of its own region only; give its name, or the ARN of its copy in that region',
    );
    expect(problemOf({ scriptDocument: SHARED_DOCUMENT }, 'ap-northeast-1')).toMatch(
      /is in eu-west-1, not ap-northeast-1 \(the region the stack deploys to/,
    );
    // A name is a document of each stack's own region.
    expect(() =>
      fromContext({ scriptDocument: 'MyBackupScripts', regions: 'eu-west-1,us-east-1' }),
    ).not.toThrow();
  });
});

describe('set settings given as construct props', () => {
  const props = { functionFactory: inlineFunction, notificationEmails: [TEST_EMAIL] };

  test('are typed values, validated by the same parsers, naming the property', () => {
    expect(parseSettings({ preScriptFailure: 'skip', scriptTimeoutSeconds: 60 }, 'property')).toEqual({
      preScriptFailure: 'skip',
      scriptTimeoutSeconds: 60,
    });
    expect(() => parseSettings({ scriptTimeoutSeconds: 300 }, 'property')).toThrow(
      `Invalid property "scriptTimeoutSeconds": 300 is not a whole number from 10 to 120: ${TIMEOUT_REASON}`,
    );
    expect(() =>
      checkSettings(
        { ...DEFAULT_SETTINGS, notificationEmails: [TEST_EMAIL], consistencyTagKey: DEFAULT_SETTINGS.tagKey },
        'property',
      ),
    ).toThrow(/^Invalid property "consistencyTagKey": "Backup-Generation" is also "tagKey"/);
  });

  test('a stack in a known region refuses a document of another region, naming the stack', () => {
    const stack = new Stack(new App(), 'Platform', { env: { region: 'us-east-1' } });
    expect(
      () => new EbsGenerationBackup(stack, 'Backup', { ...props, scriptDocument: SHARED_DOCUMENT }),
    ).toThrow(
      new ConfigError([
        `Invalid property "scriptDocument": "${SHARED_DOCUMENT}" is in eu-west-1, not us-east-1 (the region of stack ` +
          'Platform): SendCommand runs a document of its own region only; give its name, or the ARN of its copy in that region',
      ]),
    );
  });
});
