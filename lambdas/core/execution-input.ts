import { InvalidInputError } from './errors';

/**
 * Execution input (SPEC §6). `{}` — what the schedule sends — is a full run. `Comment` is
 * accepted and ignored because the Step Functions console pre-fills it in "Start execution".
 * `volumeIds` restricts a run to those volumes: a failed run's cause and report give the input
 * that re-runs just its failed volumes (see `rerunInput`).
 */
export interface ExecutionInput {
  instanceIds?: string[];
  volumeIds?: string[];
  dryRun: boolean;
}

export const INSTANCE_ID_PATTERN = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const VOLUME_ID_PATTERN = /^vol-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const MAX_INSTANCE_IDS = 1000;
export const MAX_VOLUME_IDS = 1000;
const ACCEPTED_FIELDS = ['instanceIds', 'volumeIds', 'dryRun', 'Comment'];

export function parseExecutionInput(raw: unknown): ExecutionInput {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidInputError(
      '(input)',
      `must be a JSON object such as {} or {"dryRun": true}, got ${describe(raw)}`,
    );
  }
  const fields = raw as Record<string, unknown>;
  for (const field of Object.keys(fields)) {
    if (!ACCEPTED_FIELDS.includes(field)) {
      throw new InvalidInputError(field, `unknown field; accepted fields are ${ACCEPTED_FIELDS.join(', ')}`);
    }
  }
  const { instanceIds, volumeIds, dryRun = false, Comment: comment } = fields;
  if (typeof dryRun !== 'boolean') {
    throw new InvalidInputError('dryRun', `must be true or false, got ${describe(dryRun)}`);
  }
  if (comment !== undefined && typeof comment !== 'string') {
    throw new InvalidInputError('Comment', `must be a string, got ${describe(comment)}`);
  }
  if (instanceIds !== undefined && volumeIds !== undefined) {
    throw new InvalidInputError('volumeIds', 'cannot be given with instanceIds: give one or the other');
  }
  if (instanceIds !== undefined) {
    return {
      instanceIds: idList(
        'instanceIds',
        instanceIds,
        INSTANCE_ID_PATTERN,
        MAX_INSTANCE_IDS,
        'i-0123456789abcdef0',
      ),
      dryRun,
    };
  }
  if (volumeIds !== undefined) {
    return {
      volumeIds: idList('volumeIds', volumeIds, VOLUME_ID_PATTERN, MAX_VOLUME_IDS, 'vol-0123456789abcdef0'),
      dryRun,
    };
  }
  return { dryRun };
}

/** A list of 1 to `max` IDs matching `pattern`, without duplicates, or InvalidInput naming the field. */
function idList(field: string, value: unknown, pattern: RegExp, max: number, example: string): string[] {
  const noun = field === 'instanceIds' ? 'instance' : 'volume';
  if (!Array.isArray(value) || value.length === 0 || value.length > max) {
    throw new InvalidInputError(
      field,
      `must be a list of 1 to ${max} ${noun} IDs like "${example}", got ${describe(value)}`,
    );
  }
  value.forEach((id, index) => {
    if (typeof id !== 'string' || !pattern.test(id)) {
      throw new InvalidInputError(
        `${field}[${index}]`,
        `must be ${noun === 'instance' ? 'an' : 'a'} ${noun} ID like "${example}", got ${describe(id)}`,
      );
    }
  });
  return [...new Set(value as string[])];
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}

/**
 * The input that re-runs just the failed volumes of a run (their snapshots, retention and copies;
 * an invalid tag must be fixed first, a re-run cannot help it). A redrive cannot do this: the
 * fan-outs tolerate every failed item, so redriving a failed run only re-enters its final Fail
 * state. More failed volumes than an input may name: a full run, `{}`.
 */
export function rerunInput(failedVolumeIds: readonly string[]): { volumeIds?: string[] } | undefined {
  const volumeIds = [...new Set(failedVolumeIds)].sort();
  if (volumeIds.length === 0) return undefined;
  return volumeIds.length > MAX_VOLUME_IDS ? {} : { volumeIds };
}
