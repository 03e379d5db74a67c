import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ConfigError,
  DEFAULT_SETTINGS,
  parseSettings,
  readAppConfig,
  resolveSettings,
} from '../../infra/config';

const fromContext = (context: Record<string, unknown>) => readAppConfig((key) => context[key]);

const problemOf = (context: Record<string, unknown>): string => {
  try {
    fromContext(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('configuration from CDK context', () => {
  test('nothing set gives the documented defaults and no regions', () => {
    const config = fromContext({});
    expect(config).toEqual({ settings: {}, regions: [] });
    expect(resolveSettings({}, 'context')).toEqual({
      schedule: 'cron(0 3 * * ? *)',
      timezone: 'UTC',
      notificationEmails: [],
      tagKey: 'Backup-Generation',
      snapshotConcurrency: 5,
      pruneConcurrency: 5,
      waitLimitHours: 24,
      failureMessage: true,
      successWindowHours: 26,
      logRetentionDays: RetentionDays.THREE_MONTHS,
    });
  });

  test('strings from -c key=value are parsed into typed values', () => {
    const config = fromContext({
      schedule: 'cron(30 1 ? * MON-FRI *)',
      timezone: 'Asia/Tokyo',
      notificationEmails: ' ops@example.com, oncall@example.org ,ops@example.com',
      tagKey: 'backup:generations',
      snapshotConcurrency: '40',
      pruneConcurrency: '10000',
      waitLimitHours: '168',
      failureMessage: 'false',
      successWindowHours: '50',
      logRetentionDays: '365',
      managedBy: 'prod-backup',
      regions: 'eu-west-1, us-gov-west-1,ap-southeast-2',
    });
    expect(config).toEqual({
      settings: {
        schedule: 'cron(30 1 ? * MON-FRI *)',
        timezone: 'Asia/Tokyo',
        notificationEmails: ['ops@example.com', 'oncall@example.org'],
        tagKey: 'backup:generations',
        snapshotConcurrency: 40,
        pruneConcurrency: 10000,
        waitLimitHours: 168,
        failureMessage: false,
        successWindowHours: 50,
        logRetentionDays: RetentionDays.ONE_YEAR,
        managedBy: 'prod-backup',
      },
      regions: ['eu-west-1', 'us-gov-west-1', 'ap-southeast-2'],
    });
  });

  test('typed values from cdk.json are accepted as they are', () => {
    const config = fromContext({
      notificationEmails: ['ops@example.com'],
      snapshotConcurrency: 1,
      failureMessage: true,
      logRetentionDays: 7,
      regions: ['eu-central-1'],
    });
    expect(config.settings).toEqual({
      notificationEmails: ['ops@example.com'],
      snapshotConcurrency: 1,
      failureMessage: true,
      logRetentionDays: RetentionDays.ONE_WEEK,
    });
    expect(config.regions).toEqual(['eu-central-1']);
  });

  test('empty lists (the cdk.json defaults) mean none', () => {
    expect(fromContext({ notificationEmails: '', regions: ' , ' })).toEqual({
      settings: { notificationEmails: [] },
      regions: [],
    });
  });

  test.each([['UTC'], ['Etc/UTC'], ['Europe/Paris'], ['America/Argentina/Buenos_Aires'], ['Asia/Kolkata']])(
    'time zone %s is accepted',
    (timezone) => {
      expect(fromContext({ timezone }).settings.timezone).toBe(timezone);
    },
  );

  test.each<[string, unknown, string]>([
    ['timezone', 'Mars/Base', '"Mars/Base" is not an IANA time zone (e.g. UTC, Asia/Tokyo)'],
    ['timezone', 'asia/tokyo', '"asia/tokyo" is not an IANA time zone (e.g. UTC, Asia/Tokyo)'],
    [
      'schedule',
      '0 3 * * *',
      '"0 3 * * *" is not an EventBridge Scheduler cron expression: cron(minutes hours day-of-month month ' +
        'day-of-week year), with ? in exactly one of the day fields (e.g. cron(0 3 * * ? *))',
    ],
    [
      'schedule',
      'cron(0 3 * * * *)',
      '"cron(0 3 * * * *)" is not an EventBridge Scheduler cron expression: cron(minutes hours day-of-month ' +
        'month day-of-week year), with ? in exactly one of the day fields (e.g. cron(0 3 * * ? *))',
    ],
    [
      'schedule',
      'rate(1 day)',
      '"rate(1 day)" is not an EventBridge Scheduler cron expression: cron(minutes hours day-of-month month ' +
        'day-of-week year), with ? in exactly one of the day fields (e.g. cron(0 3 * * ? *))',
    ],
    [
      'notificationEmails',
      'ops@example.com,not-an-address',
      '"ops@example.com,not-an-address" contains "not-an-address", which is not an email address (e.g. ops@example.com)',
    ],
    [
      'tagKey',
      'aws:backup',
      '"aws:backup" is not a valid EC2 tag key: 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:',
    ],
    [
      'tagKey',
      'Backup#Generation',
      '"Backup#Generation" is not a valid EC2 tag key: 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:',
    ],
    [
      'tagKey',
      'k'.repeat(129),
      `"${'k'.repeat(129)}" is not a valid EC2 tag key: 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:`,
    ],
    ['snapshotConcurrency', '0', '"0" is not a whole number from 1 to 10000'],
    ['snapshotConcurrency', 2.5, '2.5 is not a whole number from 1 to 10000'],
    ['pruneConcurrency', '10001', '"10001" is not a whole number from 1 to 10000'],
    ['pruneConcurrency', 'many', '"many" is not a whole number from 1 to 10000'],
    ['waitLimitHours', '0', '"0" is not a whole number from 1 to 168'],
    ['waitLimitHours', 169, '169 is not a whole number from 1 to 168'],
    ['successWindowHours', '-1', '"-1" is not a whole number from 1 to 168'],
    ['failureMessage', 'yes', '"yes" is not a boolean (true or false)'],
    [
      'logRetentionDays',
      '2',
      '"2" is not a CloudWatch Logs retention in days (one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ' +
        '400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)',
    ],
    [
      'managedBy',
      'prod#1',
      '"prod#1" is not a valid EC2 tag value: 1 to 256 letters, digits, spaces or _ . : / = + - @',
    ],
    [
      'regions',
      'eu-west-1,europe',
      '"eu-west-1,europe" contains "europe", which is not an AWS region code (e.g. us-east-1, eu-west-2)',
    ],
    ['schedule', { cron: '0 3 * * ? *' }, '{"cron":"0 3 * * ? *"} is not a string'],
  ])('%s = %j is refused with a message naming the key', (key, value, reason) => {
    expect(problemOf({ [key]: value })).toBe(`Invalid context "${key}": ${reason}`);
  });

  test('every problem is reported at once, one per line', () => {
    expect(
      problemOf({ timezone: 'Mars/Base', snapshotConcurrency: '0', regions: 'moon-1' }).split('\n'),
    ).toEqual([
      'Invalid context "timezone": "Mars/Base" is not an IANA time zone (e.g. UTC, Asia/Tokyo)',
      'Invalid context "snapshotConcurrency": "0" is not a whole number from 1 to 10000',
      'Invalid context "regions": "moon-1" contains "moon-1", which is not an AWS region code (e.g. us-east-1, eu-west-2)',
    ]);
  });
});

describe('settings given as construct props', () => {
  test('are validated by the same rules, naming the property', () => {
    expect(() => parseSettings({ snapshotConcurrency: 0 }, 'property')).toThrow(
      'Invalid property "snapshotConcurrency": 0 is not a whole number from 1 to 10000',
    );
  });

  test('fill in only what is missing', () => {
    expect(resolveSettings({ waitLimitHours: 6 }, 'property')).toEqual({
      ...DEFAULT_SETTINGS,
      waitLimitHours: 6,
    });
  });
});
