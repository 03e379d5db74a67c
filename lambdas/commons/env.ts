import type { CopyRegion } from '../contracts/deployment';
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

/** The function's own region, as Lambda sets it (`AWS_REGION`): the source of every copy. */
export function ownRegion(env: NodeJS.ProcessEnv = process.env): string {
  return requireEnv('AWS_REGION', env);
}
