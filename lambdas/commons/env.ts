import { type CopyRegion, EnvName } from '../contracts/deployment';
import type { MutatingAction } from '../contracts/ec2-buckets';
import { callIntervalMs, MAX_CALL_INTERVAL_MS, MAX_EC2_RATE_SHARE } from '../contracts/rate-share';
import type { CopyVolumeTags } from '../core/snapshot-tags';

/**
 * Lambda configuration from the environment, read once per container. A missing or bad value
 * fails the first invocation with a message naming the variable, rather than misbehaving.
 */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new Error(`Environment variable ${name} is not set; the deployment must provide it`);
  }
  return value;
}

export function positiveIntegerEnv(name: string, env: NodeJS.ProcessEnv = process.env): number {
  const value = requireEnv(name, env);
  const parsed = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < 1) {
    throw new Error(`Environment variable ${name} must be a whole number of at least 1, got "${value}"`);
  }
  return parsed;
}

/**
 * A JSON setting: unset or blank gives `empty`; anything that does not parse or that `accept`
 * refuses fails with a message naming the variable and what it takes.
 */
function jsonEnv<T>(
  name: string,
  env: NodeJS.ProcessEnv,
  empty: T,
  accept: (parsed: unknown) => parsed is T,
  expected: string,
): T {
  const value = env[name];
  if (value === undefined || value.trim() === '') return empty;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (accept(parsed)) return parsed;
  throw new Error(`Environment variable ${name} must be ${expected}, got "${value}"`);
}

/**
 * The copy regions (SPEC §10.1) from `EnvName.copyRegions`: a JSON array of CopyRegion. Unset
 * or empty: none. The synth validated them; this only refuses what could not have come from it.
 */
export function copyRegionsEnv(name: string, env: NodeJS.ProcessEnv = process.env): CopyRegion[] {
  const isCopyRegions = (parsed: unknown): parsed is CopyRegion[] =>
    Array.isArray(parsed) &&
    parsed.every(
      (r) =>
        typeof r === 'object' &&
        r !== null &&
        typeof r.region === 'string' &&
        (r.kmsKeyArn === undefined || typeof r.kmsKeyArn === 'string'),
    );
  return jsonEnv(name, env, [], isCopyRegions, 'a JSON array of {"region": string, "kmsKeyArn"?: string}');
}

/** Which volume tags snapshots carry (SPEC §10.7) from `EnvName.copyVolumeTags`: JSON `"*"` or an array of keys. */
export function copyVolumeTagsEnv(name: string, env: NodeJS.ProcessEnv = process.env): CopyVolumeTags {
  const isSelection = (parsed: unknown): parsed is CopyVolumeTags =>
    parsed === '*' || (Array.isArray(parsed) && parsed.every((key) => typeof key === 'string'));
  return jsonEnv<CopyVolumeTags>(name, env, [], isSelection, 'JSON "*" or an array of tag keys');
}

/**
 * A setting that takes one of `accepted`: unset or blank gives `fallback`; anything else fails
 * naming the variable and the values it takes.
 */
export function oneOfEnv<T extends string>(
  name: string,
  accepted: readonly T[],
  fallback: T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  const found = accepted.find((a) => a === value);
  if (found !== undefined) return found;
  throw new Error(`Environment variable ${name} must be one of ${accepted.join(', ')}, got "${value}"`);
}

/** The function's own region, as Lambda sets it (`AWS_REGION`): the source of every copy. */
export function ownRegion(env: NodeJS.ProcessEnv = process.env): string {
  return requireEnv('AWS_REGION', env);
}

/**
 * The pace of the function's calls of `action` (`callIntervalMs`), from EnvName.ec2RateShare and
 * EnvName.fanOutConcurrency. The synth validated both; a value it could not have produced (a
 * share over 100, a pace slower than the function's budget allows) fails naming the variables.
 */
export function callIntervalEnv(action: MutatingAction, env: NodeJS.ProcessEnv = process.env): number {
  const share = positiveIntegerEnv(EnvName.ec2RateShare, env);
  const concurrency = positiveIntegerEnv(EnvName.fanOutConcurrency, env);
  if (share > MAX_EC2_RATE_SHARE) {
    throw new Error(
      `Environment variable ${EnvName.ec2RateShare} is a percentage, at most 100, got ${share}`,
    );
  }
  const interval = callIntervalMs(action, concurrency, share);
  if (interval > MAX_CALL_INTERVAL_MS) {
    throw new Error(
      `Environment variables ${EnvName.fanOutConcurrency} (${concurrency}) and ${EnvName.ec2RateShare} (${share}) ` +
        `pace ${action} at one call every ${interval} ms, more than the ${MAX_CALL_INTERVAL_MS} ms the function's time budget allows`,
    );
  }
  return interval;
}
