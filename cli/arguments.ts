import { InvalidArgumentError } from 'commander';

// Parsers for commander arguments and options. A bad value is refused before any AWS call, with
// commander's one-line message naming the option (exit 2).

const VOLUME_ID = /^vol-[0-9a-f]{8}([0-9a-f]{9})?$/;
const SNAPSHOT_ID = /^snap-[0-9a-f]{8}([0-9a-f]{9})?$/;
const INSTANCE_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?$/;
/** A consistent set's ID, as its `Backup-Set-Id` tag: `<instance-id>/<run-id>` (see `setId`). */
const SET_ID = /^i-[0-9a-f]{8}([0-9a-f]{9})?\/[^\s/]+$/;

export function volumeId(value: string): string {
  if (!VOLUME_ID.test(value)) throw new InvalidArgumentError(`"${value}" is not a volume ID (vol-…).`);
  return value;
}

export function snapshotId(value: string): string {
  if (!SNAPSHOT_ID.test(value)) throw new InvalidArgumentError(`"${value}" is not a snapshot ID (snap-…).`);
  return value;
}

export function instanceId(value: string): string {
  if (!INSTANCE_ID.test(value)) throw new InvalidArgumentError(`"${value}" is not an instance ID (i-…).`);
  return value;
}

/** `restore --set`: a set ID, or `latest`. */
export function setIdOrLatest(value: string): string {
  if (value !== 'latest' && !SET_ID.test(value)) {
    throw new InvalidArgumentError(
      `"${value}" is neither a set ID (<instance-id>/<run-id>, its Backup-Set-Id tag) nor latest.`,
    );
  }
  return value;
}

/** An AWS Region code (`eu-west-1`, `us-gov-west-1`). */
export function regionName(value: string): string {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a Region code such as eu-west-1.`);
  }
  return value;
}

/** A whole number of at least 1. */
export function positiveInteger(value: string): number {
  const number = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(number) && number >= 1)) {
    throw new InvalidArgumentError(`"${value}" is not a whole number of at least 1.`);
  }
  return number;
}

/** Volume IDs given as separate words, separated by commas, or both; repeated options add up. */
export function volumeIdList(value: string, previous: string[] | undefined): string[] {
  const ids = value
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '')
    .map(volumeId);
  return [...new Set([...(previous ?? []), ...ids])];
}
