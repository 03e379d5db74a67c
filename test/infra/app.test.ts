import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, DEFAULT_SETTINGS, readAppConfig, resolveSettings } from '../../infra/config';
import { EbsGenerationBackup } from '../../infra/ebs-generation-backup';
import {
  backupStacks,
  FEATURE_FLAGS,
  inlineFunction,
  logicalId,
  outdir,
  TEST_EMAIL,
  testApp,
} from '../fixtures/infra';

/** The app as `cdk synth` builds it, and the construct as another CDK app would import it (SPEC §7). */
describe('app', () => {
  const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8'));

  test('cdk.json runs the app with tsx and holds the default of every setting', () => {
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
    const settingKeys = Object.keys(cdkJson.context).filter((key) => !(key in FEATURE_FLAGS));
    expect(settingKeys.sort()).toEqual(
      [...Object.keys(DEFAULT_SETTINGS), 'alertTopicArn', 'scriptDocument', 'regions'].sort(),
    );
    const config = readAppConfig((key) => (key === 'notificationEmails' ? TEST_EMAIL : cdkJson.context[key]));
    expect(config.regions).toEqual([]);
    expect(resolveSettings(config.settings, 'context')).toEqual({
      ...DEFAULT_SETTINGS,
      notificationEmails: [TEST_EMAIL],
    });
  });

  test('cdk.json as shipped asks who to tell before anything is built (SPEC §5.4)', () => {
    expect(() => readAppConfig((key) => cdkJson.context[key])).toThrow(
      /^Missing context "notificationEmails" or "alertTopicArn": nobody would be told/,
    );
    expect(() => testApp({ notificationEmails: '' })).toThrow(ConfigError);
  });

  test('without regions: one stack, in the CLI’s account and region', () => {
    const stacks = backupStacks(testApp());
    expect(stacks.map((stack) => [stack.node.id, stack.stackName])).toEqual([
      ['EbsGenerationBackup', 'EbsGenerationBackup'],
    ]);
    expect(Token.isUnresolved(stacks[0].region)).toBe(true);
    expect(stacks[0].backup.settings.managedBy).toBe('EbsGenerationBackup');
  });

  test('with regions: one stack per region, named alike so that snapshots are marked alike', () => {
    const stacks = backupStacks(
      testApp({ regions: 'eu-west-1,ap-northeast-1' }, { defaultEnv: { account: '123456789012' } }),
    );
    expect(stacks.map((stack) => [stack.node.id, stack.stackName, stack.region, stack.account])).toEqual([
      ['EbsGenerationBackup-eu-west-1', 'EbsGenerationBackup', 'eu-west-1', '123456789012'],
      ['EbsGenerationBackup-ap-northeast-1', 'EbsGenerationBackup', 'ap-northeast-1', '123456789012'],
    ]);
    expect(stacks.map((stack) => stack.backup.settings.managedBy)).toEqual([
      'EbsGenerationBackup',
      'EbsGenerationBackup',
    ]);
  });

  test('bad context fails the app before anything is built, naming the key', () => {
    expect(() => testApp({ timezone: 'Mars/Base' })).toThrow(
      new ConfigError([
        'Invalid context "timezone": "Mars/Base" is not an IANA time zone (e.g. UTC, Asia/Tokyo)',
      ]),
    );
  });
});

describe('EbsGenerationBackup construct in another app', () => {
  const app = new App({ outdir: outdir(), builtinCloudFormationValidation: false });
  const stack = new Stack(app, 'Platform');
  const backup = new EbsGenerationBackup(stack, 'Snapshots', {
    functionFactory: inlineFunction,
    stateMachineName: 'platform-ebs-backup',
    snapshotConcurrency: 10,
    notificationEmails: ['platform@example.com'],
  });
  const template = Template.fromStack(stack);

  test('takes typed props, with the marker defaulting to the stack name', () => {
    expect(backup.settings).toEqual({
      ...DEFAULT_SETTINGS,
      snapshotConcurrency: 10,
      notificationEmails: ['platform@example.com'],
      managedBy: 'Platform',
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'platform-ebs-backup',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: 'platform@example.com' });
    expect(logicalId(backup.stateMachine)).toMatch(/^SnapshotsWorkflowStateMachine/);
  });

  test('refuses a deployment that tells nobody, naming the props (SPEC §5.4)', () => {
    expect(() => new EbsGenerationBackup(new Stack(new App(), 'Silent'), 'Snapshots')).toThrow(
      /^Missing property "notificationEmails" or "alertTopicArn": nobody would be told/,
    );
  });

  test('refuses a bad prop with a message naming it', () => {
    expect(
      () => new EbsGenerationBackup(new Stack(new App(), 'Bad'), 'Snapshots', { waitLimitHours: 0 }),
    ).toThrow('Invalid property "waitLimitHours": 0 is not a whole number from 1 to 168');
  });

  test('refuses a state machine name Step Functions could not log for', () => {
    expect(
      () =>
        new EbsGenerationBackup(new Stack(new App(), 'Named'), 'Snapshots', {
          notificationEmails: [TEST_EMAIL],
          stateMachineName: 'ebs backup',
        }),
    ).toThrow('Invalid property "stateMachineName": "ebs backup" is not 1 to 80 letters, digits, - or _');
  });

  test('refuses a second deployment with the same marker in one stack', () => {
    const shared = new Stack(new App(), 'Shared');
    const props = { functionFactory: inlineFunction, allowNoNotifications: true };
    new EbsGenerationBackup(shared, 'First', { ...props, managedBy: 'shared' });
    expect(() => new EbsGenerationBackup(shared, 'Second', { ...props, managedBy: 'shared' })).toThrow(
      'Two EbsGenerationBackup constructs in stack Shared use managedBy "shared"',
    );
    expect(() => new EbsGenerationBackup(shared, 'Third', { ...props, managedBy: 'other' })).not.toThrow();
  });
});
