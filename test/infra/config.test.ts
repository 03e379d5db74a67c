import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ConfigError,
  checkSettings,
  DEFAULT_SETTINGS,
  parseSettings,
  readAppConfig,
  resolveSettings,
} from '../../infra/config';
import { configFromContext, configProblemOf } from '../fixtures/infra';

/** Context with an address, so that only the key under test can be refused. */
const fromContext = (context: Record<string, unknown>) => configFromContext(context);
const problemOf = (context: Record<string, unknown>): string => configProblemOf(context);

describe('configuration from CDK context', () => {
  test('nothing set gives the documented defaults and no regions', () => {
    const config = fromContext({ notificationEmails: undefined, allowNoNotifications: 'true' });
    expect(config).toEqual({ settings: { allowNoNotifications: true }, regions: [] });
    expect(resolveSettings({}, 'context')).toEqual({
      schedule: 'cron(0 3 * * ? *)',
      timezone: 'UTC',
      notificationEmails: [],
      allowNoNotifications: false,
      tagKey: 'Backup-Generation',
      snapshotConcurrency: 5,
      pruneConcurrency: 5,
      waitLimitHours: 24,
      failureMessage: true,
      successWindowHours: 26,
      logRetentionDays: RetentionDays.THREE_MONTHS,
      copyRegions: [],
      copyKmsKeys: {},
      copyVolumeTags: [],
      copyTagKey: 'Backup-Copy-Generation',
      copyConcurrency: 5,
      copyWaitLimitHours: 24,
      ec2RateShare: 80,
      consistencyTagKey: 'Backup-Consistency',
      preScriptFailure: 'crash-consistent',
      scriptTimeoutSeconds: 30,
    });
  });

  test('strings from -c key=value are parsed into typed values', () => {
    const config = fromContext({
      schedule: 'cron(30 1 ? * MON-FRI *)',
      timezone: 'Asia/Tokyo',
      notificationEmails: ' ops@example.com, oncall@example.org ,ops@example.com',
      tagKey: 'backup:generations',
      snapshotConcurrency: '10',
      pruneConcurrency: '20',
      waitLimitHours: '168',
      failureMessage: 'false',
      successWindowHours: '80',
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
        snapshotConcurrency: 10,
        pruneConcurrency: 20,
        waitLimitHours: 168,
        failureMessage: false,
        successWindowHours: 80,
        logRetentionDays: RetentionDays.ONE_YEAR,
        managedBy: 'prod-backup',
      },
      regions: ['eu-west-1', 'us-gov-west-1', 'ap-southeast-2'],
    });
  });

  test('typed values from cdk.json are accepted as they are', () => {
    const config = fromContext({
      notificationEmails: ['ops@example.com'],
      allowNoNotifications: false,
      snapshotConcurrency: 1,
      failureMessage: true,
      logRetentionDays: 7,
      regions: ['eu-central-1'],
    });
    expect(config.settings).toEqual({
      notificationEmails: ['ops@example.com'],
      allowNoNotifications: false,
      snapshotConcurrency: 1,
      failureMessage: true,
      logRetentionDays: RetentionDays.ONE_WEEK,
    });
    expect(config.regions).toEqual(['eu-central-1']);
  });

  test('empty values (the cdk.json defaults) mean none', () => {
    expect(
      fromContext({
        notificationEmails: '',
        alertTopicArn: '',
        allowNoNotifications: 'true',
        regions: ' , ',
      }),
    ).toEqual({
      settings: { notificationEmails: [], allowNoNotifications: true },
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
    [
      'snapshotConcurrency',
      '0',
      '"0" is not a whole number from 1 to 20: CreateSnapshot and DeleteSnapshot refill at 5 per second per account and region, and each child paces its call to its part of "ec2RateShare", so more children only wait longer each',
    ],
    [
      'snapshotConcurrency',
      2.5,
      '2.5 is not a whole number from 1 to 20: CreateSnapshot and DeleteSnapshot refill at 5 per second per account and region, and each child paces its call to its part of "ec2RateShare", so more children only wait longer each',
    ],
    [
      'pruneConcurrency',
      '101',
      '"101" is not a whole number from 1 to 20: CreateSnapshot and DeleteSnapshot refill at 5 per second per account and region, and each child paces its call to its part of "ec2RateShare", so more children only wait longer each',
    ],
    [
      'pruneConcurrency',
      '1000',
      '"1000" is not a whole number from 1 to 20: CreateSnapshot and DeleteSnapshot refill at 5 per second per account and region, and each child paces its call to its part of "ec2RateShare", so more children only wait longer each',
    ],
    [
      'pruneConcurrency',
      'many',
      '"many" is not a whole number from 1 to 20: CreateSnapshot and DeleteSnapshot refill at 5 per second per account and region, and each child paces its call to its part of "ec2RateShare", so more children only wait longer each',
    ],
    ...['0', '9', '101', 'most', 80.5].map((share): [string, unknown, string] => [
      'ec2RateShare',
      share,
      `${JSON.stringify(share)} is not a whole number from 10 to 100: the percentage of EC2's CreateSnapshot, ` +
        'DeleteSnapshot and CopySnapshot request rate this deployment may use, the rest left to other tools (default 80)',
    ]),
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
      'Invalid context "snapshotConcurrency": "0" is not a whole number from 1 to 20: CreateSnapshot and DeleteSnapshot refill at 5 per second per account and region, and each child paces its call to its part of "ec2RateShare", so more children only wait longer each',
      'Invalid context "regions": "moon-1" contains "moon-1", which is not an AWS region code (e.g. us-east-1, eu-west-2)',
    ]);
  });
});

/**
 * EventBridge Scheduler cron fields and their ranges, as documented in
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 */
describe('schedule (EventBridge Scheduler cron)', () => {
  test.each([
    ['cron(0 3 * * ? *)'],
    ['cron(59 23 31 12 ? 2199)'],
    ['cron(0 0 1 1 ? 1970)'],
    ['cron(0/15 * * * ? *)'],
    ['cron(*/30 1-5,22 * * ? *)'],
    ['cron(30 22-2 * * ? *)'],
    ['cron(0 3 ? * MON-FRI *)'],
    ['cron(0 3 ? * 2-6 *)'],
    ['cron(0 3 ? * sun,wed *)'],
    ['cron(0 3 ? JAN-DEC 1,4 *)'],
    ['cron(0 3 * 1/1 ? 2026-2199)'],
    ['cron(0 3 L * ? *)'],
    ['cron(0 3 LW * ? *)'],
    ['cron(0 3 15W * ? *)'],
    ['cron(0 3 1-31/2 * ? *)'],
    ['cron(0 3 ? * 6L *)'],
    ['cron(0 3 ? * L *)'],
    ['cron(0 3 ? * 3#2 *)'],
    ['cron(0 3 ? * FRI#5 *)'],
    ['cron(0 3 * * ? 2027/2)'],
  ])('%s is accepted', (schedule) => {
    expect(parseSettings({ schedule }, 'context').schedule).toBe(schedule);
  });

  test.each([
    ['cron(99 99 * * ? *)', 'minutes "99", which is not 0-59 with , - * /'],
    ['cron(60 3 * * ? *)', 'minutes "60", which is not 0-59 with , - * /'],
    ['cron(0/0 3 * * ? *)', 'minutes "0/0", which is not 0-59 with , - * /'],
    ['cron(0 24 * * ? *)', 'hours "24", which is not 0-23 with , - * /'],
    ['cron(0 1-2-3 * * ? *)', 'hours "1-2-3", which is not 0-23 with , - * /'],
    ['cron(0 3 0 * ? *)', 'day-of-month "0", which is not 1-31 with , - * / ? L W'],
    ['cron(0 3 32 * ? *)', 'day-of-month "32", which is not 1-31 with , - * / ? L W'],
    ['cron(0 3 W * ? *)', 'day-of-month "W", which is not 1-31 with , - * / ? L W'],
    ['cron(0 3 * 13 ? *)', 'month "13", which is not 1-12 or JAN-DEC with , - * /'],
    ['cron(0 3 * JANUARY ? *)', 'month "JANUARY", which is not 1-12 or JAN-DEC with , - * /'],
    ['cron(0 3 * L ? *)', 'month "L", which is not 1-12 or JAN-DEC with , - * /'],
    ['cron(0 3 ? * 0 *)', 'day-of-week "0", which is not 1-7 or SUN-SAT with , - * ? L #'],
    ['cron(0 3 ? * 8 *)', 'day-of-week "8", which is not 1-7 or SUN-SAT with , - * ? L #'],
    ['cron(0 3 ? * MON/2 *)', 'day-of-week "MON/2", which is not 1-7 or SUN-SAT with , - * ? L #'],
    ['cron(0 3 ? * 2#6 *)', 'day-of-week "2#6", which is not 1-7 or SUN-SAT with , - * ? L #'],
    ['cron(0 3 ? * 3#1,6#3 *)', 'day-of-week "3#1,6#3": a # expression must be the field\'s only one'],
    ['cron(0 3 * * ? 1969)', 'year "1969", which is not 1970-2199 with , - * /'],
    ['cron(0 3 * * ? 2200)', 'year "2200", which is not 1970-2199 with , - * /'],
    ['cron(0 3 * * ? L)', 'year "L", which is not 1970-2199 with , - * /'],
  ])('%s is refused, naming the field and what it accepts', (schedule, reason) => {
    expect(() => parseSettings({ schedule }, 'context')).toThrow(
      new ConfigError([`Invalid context "schedule": ${JSON.stringify(schedule)} has ${reason}`]),
    );
  });
});

describe('rules between settings', () => {
  const noWayToBeTold = (source: string) =>
    `Missing ${source} "notificationEmails" or "alertTopicArn": nobody would be told of a failed or missing ` +
    'backup. Set "notificationEmails" (email addresses, comma-separated, e.g. ops@example.com), or ' +
    '"alertTopicArn" (an existing SNS topic, e.g. arn:aws:sns:eu-west-1:123456789012:ops-alerts), or ' +
    '"allowNoNotifications" (true) to deploy without notifications';
  const topic = 'arn:aws:sns:eu-west-1:123456789012:ops-alerts';

  test.each<[string, Record<string, unknown>]>([
    ['an address', { notificationEmails: 'ops@example.com' }],
    ['an existing topic', { alertTopicArn: topic }],
    [
      'a topic in another partition',
      { alertTopicArn: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:a_b-c' },
    ],
    ['the explicit opt-out', { allowNoNotifications: 'true' }],
  ])('someone is told, or nobody by choice: %s', (_, context) => {
    expect(() => readAppConfig((key) => context[key])).not.toThrow();
  });

  test('with no address, no topic and no opt-out, the synth fails naming the three keys (SPEC §5.4)', () => {
    expect(() =>
      readAppConfig((key) => ({ notificationEmails: '', allowNoNotifications: false })[key]),
    ).toThrow(new ConfigError([noWayToBeTold('context')]));
    expect(() => checkSettings(resolveSettings({}, 'property'), 'property')).toThrow(
      new ConfigError([noWayToBeTold('property')]),
    );
  });

  test('addresses and an existing topic are not mixed', () => {
    expect(problemOf({ alertTopicArn: topic })).toBe(
      'Invalid context "alertTopicArn": give either "notificationEmails" (mailed through a topic this deployment ' +
        'makes) or "alertTopicArn" (your own topic: subscribe the addresses to it), not both',
    );
  });

  test.each([
    ['arn:aws:sns:eu-west-1:123456789012:alerts.fifo'],
    ['arn:aws:sqs:eu-west-1:123456789012:alerts'],
    ['arn:aws:sns:eu-west-1:1234:alerts'],
    ['ops-alerts'],
  ])('alertTopicArn %s is refused', (alertTopicArn) => {
    expect(problemOf({ notificationEmails: '', alertTopicArn })).toBe(
      `Invalid context "alertTopicArn": ${JSON.stringify(alertTopicArn)} is not the ARN of a standard SNS topic ` +
        '(e.g. arn:aws:sns:eu-west-1:123456789012:ops-alerts)',
    );
  });

  test.each<[string, string, number]>([
    ['cron(0 3 * * ? *)', 'UTC', 25],
    ['cron(0 3 * * ? *)', 'Europe/Berlin', 26],
    ['cron(0 */6 * * ? *)', 'UTC', 7],
    ['cron(0 3 ? * MON-FRI *)', 'UTC', 73],
    ['cron(15 22 ? * SUN,WED *)', 'Asia/Tokyo', 97],
    ['cron(0 22-2 * * ? *)', 'UTC', 21],
  ])('%s in %s: the window must outlast the longest gap (at least %i hours)', (schedule, timezone, least) => {
    expect(() => fromContext({ schedule, timezone, successWindowHours: least })).not.toThrow();
    expect(problemOf({ schedule, timezone, successWindowHours: least - 1 })).toMatch(
      new RegExp(
        `^Invalid context "successWindowHours": ${least - 1} is not a whole number from ${least} to 168: `,
      ),
    );
  });

  test('the message names the schedule, its time zone and the gap', () => {
    expect(problemOf({ schedule: 'cron(0 3 ? * MON-FRI *)', successWindowHours: 26 })).toBe(
      'Invalid context "successWindowHours": 26 is not a whole number from 73 to 168: runs of "schedule" ' +
        "cron(0 3 ? * MON-FRI *) can be 72 hours apart in UTC, and the window must be longer (leave room for a run's " +
        'duration too)',
    );
  });

  test.each<[string, string]>([
    ['cron(15 22 ? * SUN *)', '168 hours'],
    ['cron(0 3 1 * ? *)', '744 hours'],
    ['cron(0 3 ? * 2#1 *)', '840 hours'],
    ['cron(0 3 29 2 ? *)', 'years'],
  ])('a schedule the alarm cannot watch is refused: %s', (schedule, gap) => {
    expect(problemOf({ schedule, successWindowHours: 168 })).toBe(
      `Invalid context "schedule": ${schedule} can leave ${gap} between runs in UTC, and the no-success alarm ` +
        'looks back at most 168 hours ("successWindowHours"): schedule runs less than a week apart',
    );
  });

  test('construct props get the same rules, naming the property', () => {
    expect(() =>
      checkSettings(
        resolveSettings({ notificationEmails: ['ops@example.com'], successWindowHours: 24 }, 'property'),
        'property',
      ),
    ).toThrow(/^Invalid property "successWindowHours": 24 is not a whole number from 25 to 168: /);
  });
});

describe('settings given as construct props', () => {
  test('are validated by the same rules, naming the property', () => {
    expect(() => parseSettings({ snapshotConcurrency: 0 }, 'property')).toThrow(
      'Invalid property "snapshotConcurrency": 0 is not a whole number from 1 to 20: CreateSnapshot and DeleteSnapshot refill at 5 per second per account and region, and each child paces its call to its part of "ec2RateShare", so more children only wait longer each',
    );
  });

  test('fill in only what is missing', () => {
    expect(resolveSettings({ waitLimitHours: 6 }, 'property')).toEqual({
      ...DEFAULT_SETTINGS,
      waitLimitHours: 6,
    });
  });
});

describe("ec2RateShare: the share of EC2's mutating request rate, and the pace of each fan-out", () => {
  test.each([['10'], ['80'], ['100'], [55]])('%j is accepted', (share) => {
    expect(fromContext({ ec2RateShare: share }).settings.ec2RateShare).toBe(Number(share));
  });

  test('GIVEN a small share and many children THEN each fan-out whose children would wait more than 20 s per call is refused, naming the most it may have', () => {
    expect(
      problemOf({
        ec2RateShare: '10',
        snapshotConcurrency: '20',
        pruneConcurrency: '3',
        copyConcurrency: '12',
      }).split('\n'),
    ).toEqual([
      'Invalid context "snapshotConcurrency": 20 with "ec2RateShare" 10 would have each child wait 40 s per CreateSnapshot ' +
        'call (10 % of 5 per second shared by 20 children), more than the 20 s its function allows: give at most 10, ' +
        'or a larger "ec2RateShare"',
      'Invalid context "copyConcurrency": 12 with "ec2RateShare" 10 would have each child wait 24 s per CopySnapshot ' +
        'call (10 % of 5 per second shared by 12 children), more than the 20 s its function allows: give at most 10, ' +
        'or a larger "ec2RateShare"',
    ]);
  });

  test('GIVEN the most children the share allows THEN accepted', () => {
    expect(() =>
      fromContext({ ec2RateShare: '10', snapshotConcurrency: '10', pruneConcurrency: '10' }),
    ).not.toThrow();
  });

  test('GIVEN construct props THEN the same rule, named as a property', () => {
    expect(() =>
      checkSettings(
        { ...DEFAULT_SETTINGS, allowNoNotifications: true, ec2RateShare: 20, pruneConcurrency: 20 },
        'property',
      ),
    ).not.toThrow();
    expect(() =>
      checkSettings(
        { ...DEFAULT_SETTINGS, allowNoNotifications: true, ec2RateShare: 19, pruneConcurrency: 20 },
        'property',
      ),
    ).toThrow(
      'Invalid property "pruneConcurrency": 20 with "ec2RateShare" 19 would have each child wait 21.053 s per DeleteSnapshot ' +
        'call (19 % of 5 per second shared by 20 children), more than the 20 s its function allows: give at most 19, ' +
        'or a larger "ec2RateShare"',
    );
  });
});
