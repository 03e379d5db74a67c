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
 * The copy regions (SPEC §10.1) from `EnvName.copyRegions`: a JSON array of CopyRegion. Unset
 * or empty: none. The synth validated them; this only refuses what could not have come from it.
 */
export function copyRegionsEnv(name: string, env: NodeJS.ProcessEnv = process.env): CopyRegion[] {
  const value = env[name];
  if (value === undefined || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new Error(`Environment variable ${name} must be a JSON array of copy regions, got "${value}"`);
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (r) =>
        typeof r === 'object' &&
        r !== null &&
        typeof r.region === 'string' &&
        (r.kmsKeyArn === undefined || typeof r.kmsKeyArn === 'string'),
    );
  if (!valid) {
    throw new Error(
      `Environment variable ${name} must be a JSON array of {"region": string, "kmsKeyArn"?: string}, got "${value}"`,
    );
  }
  return parsed as CopyRegion[];
}

/** Which volume tags snapshots carry (SPEC §10.7) from `EnvName.copyVolumeTags`: JSON `"*"` or an array of keys. */
export function copyVolumeTagsEnv(name: string, env: NodeJS.ProcessEnv = process.env): CopyVolumeTags {
  const value = env[name];
  if (value === undefined || value.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (parsed === '*') return '*';
  if (Array.isArray(parsed) && parsed.every((key) => typeof key === 'string')) return parsed;
  throw new Error(`Environment variable ${name} must be JSON "*" or an array of tag keys, got "${value}"`);
}

/** The function's own region, as Lambda sets it (`AWS_REGION`): the source of every copy. */
export function ownRegion(env: NodeJS.ProcessEnv = process.env): string {
  return requireEnv('AWS_REGION', env);
}
