import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DEFAULT_PRUNE_CONCURRENCY,
  DEFAULT_SNAPSHOT_CONCURRENCY,
  MAX_FAN_OUT_CONCURRENCY,
} from '../lambdas/contracts/deployment';
import { DEFAULT_TARGET_TAG_KEY } from '../lambdas/core/snapshot-tags';
import { CronError, daylightSavingShiftMinutes, longestGapMinutes, parseCron } from './cron';

/**
 * Every setting of a deployment, in one typed place (SPEC §7). The same parsers validate the
 * CDK context of the app (`cdk.json` or `-c key=value`, where values arrive as strings) and the
 * props of the `EbsGenerationBackup` construct (typed values), so a bad value fails the synth
 * with a message that names the key and what it accepts.
 */
export interface BackupSettings {
  /** EventBridge Scheduler cron expression that starts a run. */
  readonly schedule: string;
  /** IANA time zone the cron expression is read in. */
  readonly timezone: string;
  /** Addresses subscribed to the alert topic (each must confirm the subscription). */
  readonly notificationEmails: readonly string[];
  /**
   * An existing SNS topic the alarms and the failed-run message publish to, instead of a topic
   * (and key) made by this deployment. Its owner grants the publishers (see README).
   */
  readonly alertTopicArn?: string;
  /** Deploy with neither addresses nor a topic: nobody is told (SPEC §5.4 opt-out). */
  readonly allowNoNotifications: boolean;
  /** Tag key that targets instances and volumes (SPEC §1.1). */
  readonly tagKey: string;
  /** Child executions of the snapshot fan-out running at once. */
  readonly snapshotConcurrency: number;
  /** Child executions of the prune fan-out running at once. */
  readonly pruneConcurrency: number;
  /** How long a run waits for its snapshots to leave `pending` (SPEC §4.3). */
  readonly waitLimitHours: number;
  /** Send one message per failed run naming the failed volumes (SPEC §5.2). */
  readonly failureMessage: boolean;
  /**
   * Alarm when no full live run succeeded for this long (SPEC §5.3); longer than the longest
   * gap between scheduled runs.
   */
  readonly successWindowHours: number;
  /** Retention of the functions' and the state machine's log groups. */
  readonly logRetentionDays: RetentionDays;
  /**
   * Value of the `Backup-Managed-By` tag on this deployment's snapshots: pruning and IAM only
   * touch snapshots carrying it. Undefined means the stack name.
   */
  readonly managedBy?: string;
}

export interface AppConfig {
  readonly settings: Partial<BackupSettings>;
  /** One stack per region; empty means one stack in the CLI's default account and region. */
  readonly regions: readonly string[];
}

export const DEFAULT_SETTINGS: Omit<BackupSettings, 'managedBy' | 'alertTopicArn'> = {
  schedule: 'cron(0 3 * * ? *)',
  timezone: 'UTC',
  notificationEmails: [],
  allowNoNotifications: false,
  tagKey: DEFAULT_TARGET_TAG_KEY,
  snapshotConcurrency: DEFAULT_SNAPSHOT_CONCURRENCY,
  pruneConcurrency: DEFAULT_PRUNE_CONCURRENCY,
  waitLimitHours: 24,
  failureMessage: true,
  successWindowHours: 26,
  logRetentionDays: RetentionDays.THREE_MONTHS,
};

/** One week: CloudWatch evaluates at most 7 days of one-hour periods (SPEC §5.3 alarm). */
const MAX_HOURS = 168;

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

/** Where a value came from, so the message names it the way the user wrote it. */
export type SettingSource = 'context' | 'property';

type Parser<T> = (value: unknown) => T;

/** Thrown by a parser; turned into `Invalid <source> "<key>": <shown value> <reason>`. */
class Rejected extends Error {}

const reject = (reason: string): never => {
  throw new Rejected(reason);
};

function text(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return reject('is not a string');
}

/** A list from a comma-separated string (`-c key=a,b`) or a JSON array (cdk.json). */
function list(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(text) : text(value).split(',');
  return [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
}

function integer(min: number, max: number): Parser<number> {
  return (value) => {
    const raw = text(value);
    const parsed = Number(raw);
    if (!/^[0-9]+$/.test(raw) || parsed < min || parsed > max) {
      reject(`is not a whole number from ${min} to ${max}`);
    }
    return parsed;
  };
}

function fanOutConcurrency(value: unknown): number {
  try {
    return integer(1, MAX_FAN_OUT_CONCURRENCY)(value);
  } catch (error) {
    if (!(error instanceof Rejected)) throw error;
    return reject(
      `${error.message}: CreateSnapshot and DeleteSnapshot refill at 5 per second per account and region, ` +
        'so more children only queue on throttled calls and some would exhaust their retries and fail',
    );
  }
}

function boolean(value: unknown): boolean {
  const raw = text(value).toLowerCase();
  if (raw !== 'true' && raw !== 'false') reject('is not a boolean (true or false)');
  return raw === 'true';
}

/** EventBridge Scheduler cron, every field range-checked (see cron.ts). */
function cronExpression(value: unknown): string {
  const raw = text(value);
  try {
    parseCron(raw);
  } catch (error) {
    if (!(error instanceof CronError)) throw error;
    reject(error.message);
  }
  return raw;
}

const IANA_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
const ZONE_NAME = /^[A-Z][A-Za-z_]*(\/[A-Z][A-Za-z0-9_+-]*)+$/;

/** The IANA names this Node knows, plus aliases it accepts (e.g. Asia/Kolkata for Asia/Calcutta). */
function isKnownZone(name: string): boolean {
  if (IANA_ZONES.has(name)) return true;
  if (!ZONE_NAME.test(name)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function timeZone(value: unknown): string {
  const raw = text(value);
  if (!isKnownZone(raw)) reject('is not an IANA time zone (e.g. UTC, Asia/Tokyo)');
  return raw;
}

const EMAIL = /^[^\s@,;<>"]+@[^\s@,;<>"]+\.[^\s@,;<>".]+$/;

function emails(value: unknown): string[] {
  const addresses = list(value);
  const bad = addresses.find((address) => !EMAIL.test(address));
  if (bad !== undefined) reject(`contains "${bad}", which is not an email address (e.g. ops@example.com)`);
  return addresses;
}

/** EC2 tag rules: letters, digits, spaces and `_ . : / = + - @`; keys may not start with `aws:`. */
/** A standard SNS topic: arn:<partition>:sns:<region>:<account>:<name>. */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$/;

function topicArn(value: unknown): string {
  const raw = text(value);
  if (!TOPIC_ARN.test(raw)) {
    reject('is not the ARN of a standard SNS topic (e.g. arn:aws:sns:eu-west-1:123456789012:ops-alerts)');
  }
  return raw;
}

const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

function tagKey(value: unknown): string {
  const raw = text(value);
  if (raw.length < 1 || raw.length > 128 || !TAG_CHARACTERS.test(raw) || /^aws:/i.test(raw)) {
    reject(
      'is not a valid EC2 tag key: 1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:',
    );
  }
  return raw;
}

function tagValue(value: unknown): string {
  const raw = text(value);
  if (raw.length < 1 || raw.length > 256 || !TAG_CHARACTERS.test(raw)) {
    reject('is not a valid EC2 tag value: 1 to 256 letters, digits, spaces or _ . : / = + - @');
  }
  return raw;
}

const RETENTIONS = Object.values(RetentionDays).filter(
  (days): days is RetentionDays => typeof days === 'number' && days !== RetentionDays.INFINITE,
);

function retentionDays(value: unknown): RetentionDays {
  const days = Number(text(value));
  if (!RETENTIONS.includes(days as RetentionDays)) {
    reject(`is not a CloudWatch Logs retention in days (one of ${RETENTIONS.join(', ')})`);
  }
  return days;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]+$/;

function regions(value: unknown): string[] {
  const codes = list(value);
  const bad = codes.find((code) => !REGION.test(code));
  if (bad !== undefined)
    reject(`contains "${bad}", which is not an AWS region code (e.g. us-east-1, eu-west-2)`);
  return codes;
}

const SETTING_PARSERS: { [K in keyof BackupSettings]-?: Parser<NonNullable<BackupSettings[K]>> } = {
  schedule: cronExpression,
  timezone: timeZone,
  notificationEmails: emails,
  alertTopicArn: topicArn,
  allowNoNotifications: boolean,
  tagKey,
  snapshotConcurrency: fanOutConcurrency,
  pruneConcurrency: fanOutConcurrency,
  waitLimitHours: integer(1, MAX_HOURS),
  failureMessage: boolean,
  successWindowHours: integer(1, MAX_HOURS),
  logRetentionDays: retentionDays,
  managedBy: tagValue,
};

/** Optional settings that cdk.json lists with an empty value. */
const EMPTY_MEANS_UNSET = new Set(['alertTopicArn']);

function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

type Parsed<P> = { -readonly [K in keyof P]?: P[K] extends Parser<infer T> ? T : never };

/** Runs the parser of each key given, collecting every problem so that one synth reports them all. */
function parseAll<P extends Record<string, Parser<unknown>>>(
  raw: Record<string, unknown>,
  parsers: P,
  source: SettingSource,
): Parsed<P> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, parse] of Object.entries(parsers)) {
    const value = raw[key];
    if (value === undefined || value === null || (EMPTY_MEANS_UNSET.has(key) && value === '')) continue;
    try {
      values[key] = parse(value);
    } catch (error) {
      if (!(error instanceof Rejected)) throw error;
      problems.push(`Invalid ${source} "${key}": ${shown(value)} ${error.message}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Parsed<P>;
}

/** Validates the given settings (typed or strings); absent ones stay absent. Throws ConfigError. */
export function parseSettings(raw: Record<string, unknown>, source: SettingSource): Partial<BackupSettings> {
  return parseAll(raw, SETTING_PARSERS, source);
}

/** Settings with the defaults filled in, each valid on its own (see `checkSettings` for the rest). */
export function resolveSettings(raw: Record<string, unknown>, source: SettingSource): BackupSettings {
  return { ...DEFAULT_SETTINGS, ...parseSettings(raw, source) };
}

/**
 * The rules between settings, with every problem reported at once. Throws ConfigError.
 * - SPEC §5.4: someone must be told, unless the user opts out explicitly.
 * - SPEC §5.3: the no-success window must outlast the longest gap between scheduled runs, or
 *   the alarm fires between two healthy runs.
 */
export function checkSettings(settings: BackupSettings, source: SettingSource): void {
  const problems = [notificationProblem(settings, source), windowProblem(settings, source)].filter(
    (problem): problem is string => problem !== undefined,
  );
  if (problems.length > 0) throw new ConfigError(problems);
}

function notificationProblem(settings: BackupSettings, source: SettingSource): string | undefined {
  const { notificationEmails, alertTopicArn, allowNoNotifications } = settings;
  if (notificationEmails.length > 0 && alertTopicArn !== undefined) {
    return (
      `Invalid ${source} "alertTopicArn": give either "notificationEmails" (mailed through a topic this ` +
      'deployment makes) or "alertTopicArn" (your own topic: subscribe the addresses to it), not both'
    );
  }
  if (notificationEmails.length === 0 && alertTopicArn === undefined && !allowNoNotifications) {
    return (
      `Missing ${source} "notificationEmails" or "alertTopicArn": nobody would be told of a failed or missing ` +
      'backup. Set "notificationEmails" (email addresses, comma-separated, e.g. ops@example.com), or ' +
      '"alertTopicArn" (an existing SNS topic, e.g. arn:aws:sns:eu-west-1:123456789012:ops-alerts), or ' +
      '"allowNoNotifications" (true) to deploy without notifications'
    );
  }
  return undefined;
}

const hours = (minutes: number) => Number((minutes / 60).toFixed(2));

function windowProblem(settings: BackupSettings, source: SettingSource): string | undefined {
  const { schedule, timezone, successWindowHours } = settings;
  const limit = MAX_HOURS * 60;
  // A daylight-saving change stretches one gap by the shift (e.g. 03:00 daily: 25 hours once a year).
  const gap = longestGapMinutes(parseCron(schedule)) + daylightSavingShiftMinutes(timezone);
  if (gap >= limit) {
    return (
      `Invalid ${source} "schedule": ${schedule} can leave ${Number.isFinite(gap) ? `${hours(gap)} hours` : 'years'} ` +
      `between runs in ${timezone}, and the no-success alarm looks back at most ${MAX_HOURS} hours ` +
      '("successWindowHours"): schedule runs less than a week apart'
    );
  }
  if (successWindowHours * 60 <= gap) {
    return (
      `Invalid ${source} "successWindowHours": ${successWindowHours} is not a whole number from ` +
      `${Math.floor(gap / 60) + 1} to ${MAX_HOURS}: runs of "schedule" ${schedule} can be ${hours(gap)} hours ` +
      `apart in ${timezone}, and the window must be longer (leave room for a run's duration too)`
    );
  }
  return undefined;
}

const APP_PARSERS = { ...SETTING_PARSERS, regions };

/** Reads the app's configuration from CDK context (`tryGetContext`). Throws ConfigError. */
export function readAppConfig(tryGetContext: (key: string) => unknown): AppConfig {
  const raw = Object.fromEntries(Object.keys(APP_PARSERS).map((key) => [key, tryGetContext(key)]));
  const { regions: codes = [], ...settings } = parseAll(raw, APP_PARSERS, 'context');
  checkSettings({ ...DEFAULT_SETTINGS, ...settings }, 'context');
  return { settings, regions: codes };
}
