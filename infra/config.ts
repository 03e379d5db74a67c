import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import {
  type CopyRegion,
  DEFAULT_COPY_CONCURRENCY,
  DEFAULT_COPY_TAG_KEY,
  DEFAULT_PRUNE_CONCURRENCY,
  DEFAULT_SNAPSHOT_CONCURRENCY,
  MAX_COPY_REGIONS,
  MAX_FAN_OUT_CONCURRENCY,
} from '../lambdas/contracts/deployment';
import { EC2_MUTATING_BUCKETS, type MutatingAction } from '../lambdas/contracts/ec2-buckets';
import {
  callIntervalMs,
  DEFAULT_EC2_RATE_SHARE,
  MAX_CALL_INTERVAL_MS,
  MAX_EC2_RATE_SHARE,
  MIN_EC2_RATE_SHARE,
} from '../lambdas/contracts/rate-share';
import {
  DEFAULT_CONSISTENCY_TAG_KEY,
  DEFAULT_PRE_SCRIPT_FAILURE,
  DEFAULT_SCRIPT_TIMEOUT_SECONDS,
  PRE_SCRIPT_FAILURE_ACTIONS,
  type PreScriptFailureAction,
  SCRIPT_TIMEOUT_RANGE_SECONDS,
} from '../lambdas/contracts/sets';
import {
  type CopyVolumeTags,
  DEFAULT_TARGET_TAG_KEY,
  isReservedTagKey,
  SnapshotTag,
} from '../lambdas/core/snapshot-tags';
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
  /**
   * Regions that keep copies of the snapshots (SPEC §10.1): at most MAX_COPY_REGIONS, never the
   * stack's own region. Empty: no copies.
   */
  readonly copyRegions: readonly string[];
  /**
   * KMS key (ARN, in that region) per copy region that copies of encrypted snapshots are
   * encrypted with; a copy region without one uses its default EBS key.
   */
  readonly copyKmsKeys: Readonly<Record<string, string>>;
  /** Which tags of a volume its snapshots and copies carry (SPEC §10.7): keys, or `*` for all. */
  readonly copyVolumeTags: CopyVolumeTags;
  /** Tag key that asks for copies (SPEC §10.2). */
  readonly copyTagKey: string;
  /** Child executions of the copy fan-out running at once. */
  readonly copyConcurrency: number;
  /** How long a run waits for its copies to leave `pending`. */
  readonly copyWaitLimitHours: number;
  /**
   * The percentage of the refill of each of EC2's CreateSnapshot, DeleteSnapshot and
   * CopySnapshot buckets this deployment may use (see lambdas/contracts/rate-share.ts): the rest
   * is left to the account's other tools in the region.
   */
  readonly ec2RateShare: number;
  /** Instance tag key naming how its volumes are snapshotted: one by one or as a set (SPEC §12.1). */
  readonly consistencyTagKey: string;
  /** What a set does when its pre-script failed, timed out or could not run (SPEC §12.4). */
  readonly preScriptFailure: PreScriptFailureAction;
  /** How long a pre- or post-script may run on its instance, in seconds. */
  readonly scriptTimeoutSeconds: number;
  /**
   * An existing SSM Command document (its name, or its ARN when another account shares it) that
   * runs the scripts instead of the one the stack creates (SPEC §12.4). It takes the parameters
   * `phase` (pre or post) and `timeoutSeconds`, as the stack's own does.
   */
  readonly scriptDocument?: string;
}

export interface AppConfig {
  readonly settings: Partial<BackupSettings>;
  /** One stack per region; empty means one stack in the CLI's default account and region. */
  readonly regions: readonly string[];
}

export const DEFAULT_SETTINGS: Omit<BackupSettings, 'managedBy' | 'alertTopicArn' | 'scriptDocument'> = {
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
  copyRegions: [],
  copyKmsKeys: {},
  copyVolumeTags: [],
  copyTagKey: DEFAULT_COPY_TAG_KEY,
  copyConcurrency: DEFAULT_COPY_CONCURRENCY,
  copyWaitLimitHours: 24,
  ec2RateShare: DEFAULT_EC2_RATE_SHARE,
  consistencyTagKey: DEFAULT_CONSISTENCY_TAG_KEY,
  preScriptFailure: DEFAULT_PRE_SCRIPT_FAILURE,
  scriptTimeoutSeconds: DEFAULT_SCRIPT_TIMEOUT_SECONDS,
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

/**
 * A JSON document given as a string (`-c key='["a"]'`), or the value as it came (cdk.json,
 * props). `accepted` says what the key takes.
 */
function json(value: unknown, accepted: string): unknown {
  if (typeof value !== 'string' || !/^\s*[[{"]/.test(value)) return value;
  try {
    return JSON.parse(value);
  } catch {
    return reject(`is not valid JSON: give ${accepted}`);
  }
}

/** Like `list`, keeping duplicates (for lists where a repeat is a mistake) and reading JSON arrays. */
function items(value: unknown, accepted: string): string[] {
  const parsed = json(value, accepted);
  const raw = Array.isArray(parsed) ? parsed.map(text) : text(parsed).split(',');
  return raw.map((item) => item.trim()).filter((item) => item !== '');
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
        'and each child paces its call to its part of "ec2RateShare", so more children only wait longer each',
    );
  }
}

function rateShare(value: unknown): number {
  try {
    return integer(MIN_EC2_RATE_SHARE, MAX_EC2_RATE_SHARE)(value);
  } catch (error) {
    if (!(error instanceof Rejected)) throw error;
    return reject(
      `${error.message}: the percentage of EC2's CreateSnapshot, DeleteSnapshot and CopySnapshot request rate ` +
        `this deployment may use, the rest left to other tools (default ${DEFAULT_EC2_RATE_SHARE})`,
    );
  }
}

function copyConcurrency(value: unknown): number {
  try {
    return integer(1, MAX_FAN_OUT_CONCURRENCY)(value);
  } catch (error) {
    if (!(error instanceof Rejected)) throw error;
    return reject(
      `${error.message}: CopySnapshot shares EC2's request rate per account and region, and each destination ` +
        'region runs only a few copies at once, so more children only queue on throttled calls and CopyLimitExceeded',
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

const TAG_KEY_RULE = '1 to 128 letters, digits, spaces or _ . : / = + - @, not starting with aws:';

const isTagKey = (key: string) =>
  key.length >= 1 && key.length <= 128 && TAG_CHARACTERS.test(key) && !/^aws:/i.test(key);

function tagKey(value: unknown): string {
  const raw = text(value);
  if (!isTagKey(raw)) reject(`is not a valid EC2 tag key: ${TAG_KEY_RULE}`);
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

const COPY_REGIONS_ACCEPTED =
  `at most ${MAX_COPY_REGIONS} AWS region codes other than the stack's own, comma-separated or a JSON array ` +
  '(e.g. eu-west-1,us-west-2)';

/** The partition a region belongs to, when this aws-cdk-lib knows the region. */
const partitionOf = (region: string): string | undefined => RegionInfo.get(region).partition;

function copyRegions(value: unknown): string[] {
  const codes = items(value, COPY_REGIONS_ACCEPTED);
  const bad = codes.find((code) => !REGION.test(code));
  if (bad !== undefined)
    reject(`contains "${bad}", which is not an AWS region code: give ${COPY_REGIONS_ACCEPTED}`);
  const repeated = codes.find((code, index) => codes.indexOf(code) !== index);
  if (repeated !== undefined) reject(`names "${repeated}" twice: give ${COPY_REGIONS_ACCEPTED}`);
  if (codes.length > MAX_COPY_REGIONS) {
    reject(`names ${codes.length} regions: give ${COPY_REGIONS_ACCEPTED}`);
  }
  const partitions = new Set(codes.map(partitionOf).filter((partition) => partition !== undefined));
  if (partitions.size > 1) {
    reject(
      `mixes the partitions ${[...partitions].join(' and ')}: snapshots are copied within a partition only; ` +
        `give ${COPY_REGIONS_ACCEPTED}`,
    );
  }
  return codes;
}

const KMS_KEY_ARN =
  /^arn:(aws[a-z-]*):kms:([a-z]{2}(?:-[a-z]+)+-[0-9]+):[0-9]{12}:(?:key\/(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|alias\/[A-Za-z0-9/_-]{1,250})$/;

const KMS_KEYS_ACCEPTED =
  'a JSON object of copy region to the ARN of a KMS key (or alias) in that region ' +
  '(e.g. {"eu-west-1":"arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"})';

function kmsKeys(value: unknown): Record<string, string> {
  const parsed = json(value, KMS_KEYS_ACCEPTED);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return reject(`is not ${KMS_KEYS_ACCEPTED}`);
  }
  const keys: Record<string, string> = {};
  for (const [region, arn] of Object.entries(parsed)) {
    if (!REGION.test(region))
      reject(`has "${region}", which is not an AWS region code: give ${KMS_KEYS_ACCEPTED}`);
    const match = typeof arn === 'string' ? KMS_KEY_ARN.exec(arn.trim()) : null;
    if (match === null) {
      return reject(
        `gives ${region} ${shown(arn)}, which is not the ARN of a KMS key or alias: give ${KMS_KEYS_ACCEPTED}`,
      );
    }
    const [, partition, keyRegion] = match;
    if (keyRegion !== region) {
      reject(
        `gives ${region} a key in ${keyRegion}: EC2 encrypts a copy with a key of the copy's region; give ${KMS_KEYS_ACCEPTED}`,
      );
    }
    const expected = partitionOf(region);
    if (expected !== undefined && partition !== expected) {
      reject(
        `gives ${region} a key in partition ${partition}, but ${region} is in ${expected}: give ${KMS_KEYS_ACCEPTED}`,
      );
    }
    keys[region] = match[0];
  }
  return keys;
}

const VOLUME_TAGS_ACCEPTED =
  '* (every tag of the volume) or tag keys, comma-separated or a JSON array (e.g. Owner,CostCenter)';

function volumeTags(value: unknown): CopyVolumeTags {
  const keys = [...new Set(items(value, VOLUME_TAGS_ACCEPTED))];
  if (keys.length === 1 && keys[0] === '*') return '*';
  if (keys.includes('*')) reject(`mixes * with tag keys: give ${VOLUME_TAGS_ACCEPTED}`);
  // Keys this product reserves pass here and are refused, with the reason, by `checkSettings`.
  const bad = keys.find((key) => !isReservedTagKey(key) && !isTagKey(key));
  if (bad !== undefined) {
    reject(
      `contains "${bad}", which is not a valid EC2 tag key (${TAG_KEY_RULE}): give ${VOLUME_TAGS_ACCEPTED}`,
    );
  }
  return keys;
}

const PRE_SCRIPT_FAILURE_ACCEPTED =
  'crash-consistent (take the set without the application’s help, and report it) or skip (take no set this run, and report it)';

function preScriptFailure(value: unknown): PreScriptFailureAction {
  const raw = text(value);
  const action = PRE_SCRIPT_FAILURE_ACTIONS.find((known) => known === raw);
  return action ?? reject(`is not ${PRE_SCRIPT_FAILURE_ACCEPTED}`);
}

function scriptTimeout(value: unknown): number {
  const { min, max } = SCRIPT_TIMEOUT_RANGE_SECONDS;
  try {
    return integer(min, max)(value);
  } catch (error) {
    if (!(error instanceof Rejected)) throw error;
    return reject(
      `${error.message}: a script that freezes an application must be quick, the application waits for the ` +
        'snapshot call (Data Lifecycle Manager allows its scripts the same range)',
    );
  }
}

/**
 * An SSM document's name (CreateDocument: 3 to 128 of letters, digits, _ . -), or the ARN of one
 * shared by another account, as SendCommand takes it
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html).
 */
const DOCUMENT_NAME = /^[A-Za-z0-9_.-]{3,128}$/;
const DOCUMENT_ARN =
  /^arn:aws[a-z-]*:ssm:([a-z]{2}(?:-[a-z]+)+-[0-9]+):[0-9]{12}:document\/([A-Za-z0-9_.-]{3,128})$/;
/**
 * Prefixes AWS reserves for its own documents (CreateDocument refuses them,
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ssm-document.html#cfn-ssm-document-name):
 * AWS's documents run whatever command they are given (AWS-RunShellScript), which SPEC §12.5 rules out.
 */
const AWS_DOCUMENT = /^(aws|amazon|amzn)/i;

const SCRIPT_DOCUMENT_ACCEPTED =
  'the name of an SSM Command document of this account (3 to 128 letters, digits, _ . -, e.g. MyBackupScripts), ' +
  'or the ARN of one another account shares (e.g. arn:aws:ssm:eu-west-1:123456789012:document/MyBackupScripts)';

function scriptDocument(value: unknown): string {
  const raw = text(value);
  const arn = DOCUMENT_ARN.exec(raw);
  if (arn === null && !DOCUMENT_NAME.test(raw)) reject(`is not ${SCRIPT_DOCUMENT_ACCEPTED}`);
  if (AWS_DOCUMENT.test(arn?.[2] ?? raw)) {
    reject(
      'names a document of AWS (aws, amazon and amzn are AWS’s prefixes), which runs any command it is given: ' +
        `give ${SCRIPT_DOCUMENT_ACCEPTED}, which takes the parameters phase and timeoutSeconds`,
    );
  }
  return raw;
}

/** The region in the ARN of a script document; undefined for a name (a document of the stack's region). */
export function scriptDocumentRegion(document: string): string | undefined {
  return DOCUMENT_ARN.exec(document)?.[1];
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
  copyRegions,
  copyKmsKeys: kmsKeys,
  copyVolumeTags: volumeTags,
  copyTagKey: tagKey,
  copyConcurrency,
  copyWaitLimitHours: integer(1, MAX_HOURS),
  ec2RateShare: rateShare,
  consistencyTagKey: tagKey,
  preScriptFailure,
  scriptTimeoutSeconds: scriptTimeout,
  scriptDocument,
};

/** Optional settings that cdk.json lists with an empty value. */
const EMPTY_MEANS_UNSET = new Set(['alertTopicArn', 'copyKmsKeys', 'scriptDocument']);

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
 * Where the stacks of a deployment run, for the rule that copies go elsewhere (SPEC §10.1): the
 * regions, and how a message names what put them there.
 */
export interface StackRegions {
  readonly regions: readonly string[];
  /** E.g. `in "regions"`, `the region of stack "Backup"`. */
  readonly named: string;
}

/**
 * The rules between settings, with every problem reported at once. Throws ConfigError.
 * - SPEC §5.4: someone must be told, unless the user opts out explicitly.
 * - SPEC §5.3: the no-success window must outlast the longest gap between scheduled runs, or
 *   the alarm fires between two healthy runs.
 * - SPEC §10: copies go to other regions than the stacks' (where known), each KMS key belongs to
 *   a copy region, the copy tag has its own key, and no carried tag is one this product writes
 *   or reads.
 * - SPEC §12: the consistency tag has its own key, and a script document given by ARN is in the
 *   stacks' region (SendCommand runs documents of its own region only).
 */
export function checkSettings(settings: BackupSettings, source: SettingSource, stacks?: StackRegions): void {
  const problems = [
    notificationProblem(settings, source),
    windowProblem(settings, source),
    ...copyProblems(settings, source, stacks),
    ...paceProblems(settings, source),
    ...setProblems(settings, source, stacks),
  ].filter((problem): problem is string => problem !== undefined);
  if (problems.length > 0) throw new ConfigError(problems);
}

/** The copy regions with their keys, as the functions read them (EnvName.copyRegions). */
export function copyRegionsOf(settings: Pick<BackupSettings, 'copyRegions' | 'copyKmsKeys'>): CopyRegion[] {
  return settings.copyRegions.map((region) => {
    const kmsKeyArn = settings.copyKmsKeys[region];
    return kmsKeyArn === undefined ? { region } : { region, kmsKeyArn };
  });
}

/** Why a volume's tag may not be carried to its snapshots; undefined when it may. */
function reservedBecause(key: string, settings: BackupSettings): string | undefined {
  if (!isReservedTagKey(key, [settings.tagKey, settings.copyTagKey, settings.consistencyTagKey])) {
    return undefined;
  }
  if (key === 'Name')
    return 'is the Name tag, which this product writes on every snapshot (the instance’s name)';
  if ((Object.values(SnapshotTag) as string[]).includes(key))
    return 'is a tag this product writes on every snapshot';
  if (/^aws:/i.test(key)) return 'starts with aws:, which only AWS may write';
  if (key === settings.tagKey) return 'is "tagKey", which targets instances and volumes';
  return key === settings.copyTagKey
    ? 'is "copyTagKey", which asks for copies'
    : 'is "consistencyTagKey", which names an instance’s consistency mode';
}

function copyProblems(settings: BackupSettings, source: SettingSource, stacks?: StackRegions): string[] {
  const { copyRegions, copyKmsKeys, copyVolumeTags, copyTagKey, tagKey } = settings;
  const problems: string[] = [];
  if (copyTagKey === tagKey) {
    problems.push(
      `Invalid ${source} "copyTagKey": ${shown(copyTagKey)} is also "tagKey": the tag that asks for copies needs ` +
        `a key of its own (e.g. ${DEFAULT_COPY_TAG_KEY})`,
    );
  }
  for (const region of Object.keys(copyKmsKeys).filter((region) => !copyRegions.includes(region))) {
    problems.push(
      `Invalid ${source} "copyKmsKeys": ${region} is not in "copyRegions" ` +
        `(${copyRegions.length > 0 ? copyRegions.join(', ') : 'none'}): give keys for copy regions only`,
    );
  }
  for (const region of copyRegions.filter((region) => stacks?.regions.includes(region))) {
    problems.push(
      `Invalid ${source} "copyRegions": ${region} is also ${stacks?.named}: a stack copies its snapshots to ` +
        'other regions, never its own; remove it from one of them',
    );
  }
  for (const stackRegion of stacks?.regions ?? []) {
    const partition = partitionOf(stackRegion);
    const elsewhere = copyRegions.filter((region) => {
      const other = partitionOf(region);
      return partition !== undefined && other !== undefined && other !== partition;
    });
    if (elsewhere.length > 0) {
      problems.push(
        `Invalid ${source} "copyRegions": ${elsewhere.join(', ')} is not in the partition of ${stackRegion} ` +
          `(${partition}): snapshots are copied within a partition only`,
      );
    }
  }
  for (const key of copyVolumeTags === '*' ? [] : copyVolumeTags) {
    const because = reservedBecause(key, settings);
    if (because !== undefined) {
      problems.push(
        `Invalid ${source} "copyVolumeTags": "${key}" ${because}: give ${VOLUME_TAGS_ACCEPTED}, ` +
          'other than this product’s own keys',
      );
    }
  }
  return problems;
}

/** SPEC §12: the tag that names an instance's mode is neither targeting tag; its document is at hand. */
function setProblems(settings: BackupSettings, source: SettingSource, stacks?: StackRegions): string[] {
  const { consistencyTagKey, tagKey, copyTagKey, scriptDocument } = settings;
  const problems: string[] = [];
  for (const [key, other] of [
    ['tagKey', tagKey],
    ['copyTagKey', copyTagKey],
  ] as const) {
    if (consistencyTagKey === other) {
      problems.push(
        `Invalid ${source} "consistencyTagKey": ${shown(consistencyTagKey)} is also "${key}": the tag that names an ` +
          `instance's consistency mode needs a key of its own (e.g. ${DEFAULT_CONSISTENCY_TAG_KEY})`,
      );
    }
  }
  const documentRegion = scriptDocument === undefined ? undefined : scriptDocumentRegion(scriptDocument);
  const elsewhere = stacks?.regions.filter((region) => region !== documentRegion) ?? [];
  if (documentRegion !== undefined && elsewhere.length > 0) {
    problems.push(
      `Invalid ${source} "scriptDocument": ${shown(scriptDocument)} is in ${documentRegion}, not ${elsewhere.join(', ')} ` +
        `(${stacks?.named}): SendCommand runs a document of its own region only; give its name, or the ARN of its copy in that region`,
    );
  }
  return problems;
}

/** Each fan-out's concurrency, and the mutating call its children pace to the share. */
const PACED_FAN_OUTS = [
  ['snapshotConcurrency', 'CreateSnapshot'],
  ['pruneConcurrency', 'DeleteSnapshot'],
  ['copyConcurrency', 'CopySnapshot'],
] as const satisfies [keyof BackupSettings, MutatingAction][];

/**
 * Each child of a fan-out spends concurrency ÷ (share × refill) seconds per mutating call, so
 * that the fan-out keeps to its share (`callIntervalMs`); a function's time budget has room for
 * MAX_CALL_INTERVAL_MS of it. A small share with many children would need more: fewer children
 * reach the same rate.
 */
function paceProblems(settings: BackupSettings, source: SettingSource): string[] {
  const { ec2RateShare } = settings;
  return PACED_FAN_OUTS.flatMap(([key, action]) => {
    const concurrency = settings[key];
    const interval = callIntervalMs(action, concurrency, ec2RateShare);
    if (interval <= MAX_CALL_INTERVAL_MS) return [];
    const refill = EC2_MUTATING_BUCKETS[action].refillPerSecond;
    const most = Math.floor((MAX_CALL_INTERVAL_MS / 1000) * refill * (ec2RateShare / 100));
    return [
      `Invalid ${source} "${key}": ${concurrency} with "ec2RateShare" ${ec2RateShare} would have each child wait ` +
        `${interval / 1000} s per ${action} call (${ec2RateShare} % of ${refill} per second shared by ${concurrency} children), ` +
        `more than the ${MAX_CALL_INTERVAL_MS / 1000} s its function allows: give at most ${most}, or a larger "ec2RateShare"`,
    ];
  });
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

/**
 * Reads the app's configuration from CDK context (`tryGetContext`). `defaultRegion` is where the
 * one stack goes when `regions` is empty (the CLI's), when known. Throws ConfigError.
 */
export function readAppConfig(tryGetContext: (key: string) => unknown, defaultRegion?: string): AppConfig {
  const raw = Object.fromEntries(Object.keys(APP_PARSERS).map((key) => [key, tryGetContext(key)]));
  const { regions: codes = [], ...settings } = parseAll(raw, APP_PARSERS, 'context');
  const stacks: StackRegions | undefined =
    codes.length > 0
      ? { regions: codes, named: 'in "regions"' }
      : defaultRegion === undefined
        ? undefined
        : {
            regions: [defaultRegion],
            named: 'the region the stack deploys to (the CLI’s, CDK_DEFAULT_REGION)',
          };
  checkSettings({ ...DEFAULT_SETTINGS, ...settings }, 'context', stacks);
  return { settings, regions: codes };
}
