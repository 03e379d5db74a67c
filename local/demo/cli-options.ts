import {
  DEFAULT_COPY_TAG_KEY,
  DEFAULT_STACK_NAME,
  MAX_COPY_REGIONS,
} from '../../lambdas/contracts/deployment';
import { DEFAULT_TARGET_TAG_KEY } from '../../lambdas/core/snapshot-tags';
import {
  helpLine as optionHelpLine,
  parseOptionTable,
  type OptionSpec as TableOptionSpec,
} from '../option-table';

/**
 * The options of `npm start` (bin/ebs-backup-local.ts). One table drives parsing, validation and
 * `--help`, so an option cannot exist without its help line. A bad option is one line naming it
 * and what it accepts (exit 2), never a stack trace.
 */

/** What the CDK app marks snapshots with when `managedBy` is not configured: its stack name. */
export const DEFAULT_MANAGED_BY = DEFAULT_STACK_NAME;
export const DEFAULT_DAYS = 4;
export const MAX_DAYS = 30;
export const MAX_FLEET = 10_000;
/**
 * Above this many generated instances `--days` defaults to `LARGE_FLEET_DEFAULT_DAYS`: each
 * simulated day runs two fan-outs of one child per volume, and at `--fleet 10000` (about 20,000
 * volumes) four days would take minutes (BENCHMARKS.md, "npm start at 10,000 volumes").
 */
export const LARGE_FLEET = 1_000;
export const LARGE_FLEET_DEFAULT_DAYS = 1;
export const PROGRAM = 'ebs-backup-local';
/**
 * The simulated deployment's own region, DEFAULT_LOCAL_DEPLOYMENT's (a test holds them equal):
 * not imported from it, because that loads the handlers, whose logger must be silenced first.
 */
export const DEMO_REGION = 'us-east-1';
/** Copies in two other regions, so the demo shows each converging on its own. */
export const DEFAULT_DEMO_COPY_REGIONS = ['eu-west-1', 'us-west-2'] as const;

export type Target = 'simulated' | 'aws';

export interface CliOptions {
  target: Target;
  days: number;
  fleet: number;
  throttleRate: number;
  /** A volume ID or a volume's Name tag; resolved against the demo fleet. */
  failVolume?: string;
  seed: number;
  /** Plan only (`{"dryRun": true}`). Always true with `--target aws` unless `--live`. */
  dryRun: boolean;
  live: boolean;
  yes: boolean;
  tagKey: string;
  managedBy: string;
  /** The simulated deployment's copy regions (SPEC §10); none with `--copy-regions none`. */
  copyRegions: string[];
  strict: boolean;
  json: boolean;
}

export type ParsedCommandLine =
  | { kind: 'run'; options: CliOptions }
  | { kind: 'help' }
  | { kind: 'usage-error'; message: string };

/**
 * A bad option or a refused run: the message names the option and the accepted values. The
 * command prints it as one line and exits 2; nothing was changed.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface OptionSpec extends TableOptionSpec {
  /** `--target aws` options are refused with the simulator and vice versa. */
  only?: Target;
}

const OPTIONS = {
  target: {
    value: 'simulated|aws',
    accepts: 'simulated or aws',
    help: 'simulated (default): the demo fleet in a simulated account, days pass in seconds. aws: the account and endpoint of the SDK settings (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL_EC2 …): the plan, read-only, made by the code of `ebs-backup plan` (use that command against a deployed stack); with --live, one real run of the workflow.',
  },
  days: {
    value: 'N',
    accepts: `a whole number from 1 to ${MAX_DAYS}`,
    only: 'simulated',
    help: `Simulated days, one run a day at 03:00 UTC (default ${DEFAULT_DAYS}, or ${LARGE_FLEET_DEFAULT_DAYS} with --fleet above ${LARGE_FLEET}; 1…${MAX_DAYS}).`,
  },
  fleet: {
    value: 'N',
    accepts: `a whole number from 0 to ${MAX_FLEET}`,
    only: 'simulated',
    help: `Add N generated instances with random generations and 1…3 volumes each (default 0, up to ${MAX_FLEET}; above ${LARGE_FLEET}, --days defaults to ${LARGE_FLEET_DEFAULT_DAYS}).`,
  },
  'throttle-rate': {
    value: 'P',
    accepts: 'a probability from 0 to 1, e.g. 0.3',
    only: 'simulated',
    help: 'Chance (0…1) that any EC2 call is answered RequestLimitExceeded, on top of the token buckets.',
  },
  'fail-volume': {
    value: 'VOLUME',
    accepts: 'a volume ID or volume Name of the demo fleet, e.g. db-root',
    only: 'simulated',
    help: "That volume's snapshots end in state error (give its ID or its Name tag, e.g. db-root).",
  },
  seed: {
    value: 'N',
    accepts: 'a whole number from 0 to 2147483647',
    only: 'simulated',
    help: 'Seed of the generated fleet and of the injected throttling (default 1).',
  },
  'dry-run': {
    help: 'Execution input {"dryRun": true}: plan what would be created and deleted, touch nothing.',
  },
  live: {
    only: 'aws',
    help: 'With --target aws: really create and delete, after showing the plan and a typed confirmation (anything but yes, Ctrl+C or Ctrl+D: exit 2).',
  },
  yes: { only: 'aws', help: 'With --live: skip the confirmation (needed when stdin is not a terminal).' },
  'tag-key': {
    value: 'KEY',
    accepts: 'a tag key of 1 to 128 characters not starting with aws:',
    help: `Tag key that targets instances and volumes (default ${DEFAULT_TARGET_TAG_KEY}).`,
  },
  'managed-by': {
    value: 'VALUE',
    accepts: 'a tag value of 1 to 256 characters',
    help: `Backup-Managed-By marker of the deployment to match (default ${DEFAULT_MANAGED_BY}, the stack name).`,
  },
  'copy-regions': {
    value: 'LIST',
    accepts: `up to ${MAX_COPY_REGIONS} comma-separated region names other than the home region (${DEMO_REGION} in the simulator), e.g. eu-west-1,us-west-2, or none`,
    help: `Regions the deployment keeps copies in; volumes tagged ${DEFAULT_COPY_TAG_KEY} get copies there. Simulated: default ${DEFAULT_DEMO_COPY_REGIONS.join(',')} (none: no copies). With --target aws: default none; each region is reached by the same SDK settings as the home one (AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, profile).`,
  },
  strict: {
    help: 'Exit 1 when any execution ends FAILED (always so with --target aws; the demo fleet makes every run fail on purpose).',
  },
  json: {
    help: 'Print one JSON document on stdout (runs, per-volume records, final generations); progress goes to stderr.',
  },
  help: { help: 'Show this help.' },
} satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof OPTIONS;
const NAMES = Object.keys(OPTIONS) as OptionName[];
const HELP_COLUMN = 28;

export const HELP = `Usage: npm start -- [options]      (or: npx tsx bin/ebs-backup-local.ts [options])

Runs the real state machine (statemachine/ebs-generation-backup.asl.json) and the real Lambda
handlers on this machine. By default against a simulated EC2 account seeded with a demo fleet that
shows every rule, over several simulated days: no AWS account, no network, no credentials.

Options:
${NAMES.map((name) => helpLine(name)).join('\n')}

Exit codes:
  0  every execution ran to its end; their outcomes are in the output. The demo fleet carries an
     invalid tag value on purpose, so each demo run ends FAILED (BackupFailed) and still exits 0.
  1  an execution ended FAILED with --target aws or --strict; with --target aws also a plan with
     invalid tag values (tonight's run would end FAILED).
  2  a bad option; with --target aws no region or credentials, a denied call, an endpoint that is
     unreachable, silent (every request gives up after 10 s) or not AWS; or --live refused or not
     confirmed. Nothing was changed.

Examples:
  npm start
  npm start -- --days 7 --fail-volume db-root
  npm start --silent -- --fleet 200 --throttle-rate 0.3 --json    (--silent: no npm banner)
  AWS_PROFILE=prod AWS_REGION=eu-west-1 npm start -- --target aws
  AWS_REGION=eu-west-1 npm start -- --target aws --live
  AWS_REGION=eu-west-1 npm start -- --target aws --live --copy-regions us-west-2
`;

function helpLine(name: OptionName): string {
  return optionHelpLine(name, OPTIONS[name], HELP_COLUMN);
}

/** Parses `argv` (without node and the script). Never throws. */
export function parseCommandLine(argv: readonly string[]): ParsedCommandLine {
  const parsed = parseOptionTable(argv, OPTIONS);
  if ('error' in parsed) return { kind: 'usage-error', message: parsed.error };
  const { values } = parsed;
  if (values.help) return { kind: 'help' };
  try {
    return { kind: 'run', options: toOptions(values) };
  } catch (error) {
    if (error instanceof UsageError) return { kind: 'usage-error', message: error.message };
    throw error;
  }
}

function toOptions(values: Record<string, string | boolean | undefined>): CliOptions {
  const text = (name: OptionName) => values[name] as string | undefined;
  const flag = (name: OptionName) => values[name] === true;
  const target = oneOf('target', text('target') ?? 'simulated', ['simulated', 'aws'] as const);
  for (const name of NAMES) {
    const only = (OPTIONS[name] as OptionSpec).only;
    if (values[name] !== undefined && only && only !== target) {
      throw new UsageError(`--${name} applies to --target ${only} only`);
    }
  }
  if (flag('yes') && !flag('live')) throw new UsageError('--yes applies to --live only');
  if (flag('live') && flag('dry-run')) throw new UsageError('--live and --dry-run exclude each other');
  const fleet = integer('fleet', text('fleet'), 0, 0, MAX_FLEET);
  const failVolume = text('fail-volume');
  if (failVolume !== undefined && failVolume.trim() === '') throw invalid('fail-volume', failVolume);
  return {
    target,
    days: integer(
      'days',
      text('days'),
      fleet > LARGE_FLEET ? LARGE_FLEET_DEFAULT_DAYS : DEFAULT_DAYS,
      1,
      MAX_DAYS,
    ),
    fleet,
    throttleRate: probability('throttle-rate', text('throttle-rate')),
    ...(failVolume !== undefined && { failVolume }),
    seed: integer('seed', text('seed'), 1, 0, 2 ** 31 - 1),
    dryRun: target === 'aws' ? !flag('live') : flag('dry-run'),
    live: flag('live'),
    yes: flag('yes'),
    tagKey: tagKey(text('tag-key')),
    managedBy: managedBy(text('managed-by')),
    copyRegions: copyRegions(text('copy-regions'), target),
    strict: flag('strict'),
    json: flag('json'),
  };
}

function integer(
  name: OptionName,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^[0-9]+$/.test(raw) || value < min || value > max) throw invalid(name, raw);
  return value;
}

function probability(name: OptionName, raw: string | undefined): number {
  if (raw === undefined) return 0;
  const value = Number(raw);
  if (!/^[0-9]*\.?[0-9]+$/.test(raw) || !(value >= 0 && value <= 1)) throw invalid(name, raw);
  return value;
}

function oneOf<T extends string>(name: OptionName, raw: string, accepted: readonly T[]): T {
  if (!(accepted as readonly string[]).includes(raw)) throw invalid(name, raw);
  return raw as T;
}

function tagKey(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_TARGET_TAG_KEY;
  if (raw.length < 1 || raw.length > 128 || raw.toLowerCase().startsWith('aws:'))
    throw invalid('tag-key', raw);
  return raw;
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-[0-9]$/;

/**
 * With --target aws the home region is the SDK settings' own, known only once they are read:
 * the runner refuses a copy region that names it then.
 */
function copyRegions(raw: string | undefined, target: Target): string[] {
  if (raw === undefined) return target === 'simulated' ? [...DEFAULT_DEMO_COPY_REGIONS] : [];
  if (raw.trim() === 'none') return [];
  const regions = raw.split(',').map((r) => r.trim());
  const valid =
    regions.length <= MAX_COPY_REGIONS &&
    new Set(regions).size === regions.length &&
    regions.every((r) => REGION_NAME.test(r) && (target === 'aws' || r !== DEMO_REGION));
  if (!valid) throw invalid('copy-regions', raw);
  return regions;
}

function managedBy(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_MANAGED_BY;
  if (raw.trim() === '' || raw.length > 256) throw invalid('managed-by', raw);
  return raw;
}

function invalid(name: OptionName, raw: string): UsageError {
  return new UsageError(
    `--${name} ${JSON.stringify(raw)} is not valid: expected ${(OPTIONS[name] as OptionSpec).accepts}`,
  );
}
