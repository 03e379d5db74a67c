import { InvalidInputError } from './errors';

/**
 * Execution input (SPEC §6). `{}` — what the schedule sends — is a full run. `Comment` is
 * accepted and ignored because the Step Functions console pre-fills it in "Start execution".
 */
export interface ExecutionInput {
  instanceIds?: string[];
  dryRun: boolean;
}

export const INSTANCE_ID_PATTERN = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
export const MAX_INSTANCE_IDS = 1000;
const ACCEPTED_FIELDS = ['instanceIds', 'dryRun', 'Comment'];

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
  const { instanceIds, dryRun = false, Comment: comment } = fields;
  if (typeof dryRun !== 'boolean') {
    throw new InvalidInputError('dryRun', `must be true or false, got ${describe(dryRun)}`);
  }
  if (comment !== undefined && typeof comment !== 'string') {
    throw new InvalidInputError('Comment', `must be a string, got ${describe(comment)}`);
  }
  if (instanceIds === undefined) return { dryRun };
  if (!Array.isArray(instanceIds) || instanceIds.length === 0 || instanceIds.length > MAX_INSTANCE_IDS) {
    throw new InvalidInputError(
      'instanceIds',
      `must be a list of 1 to ${MAX_INSTANCE_IDS} instance IDs like "i-0123456789abcdef0", got ${describe(instanceIds)}`,
    );
  }
  instanceIds.forEach((id, index) => {
    if (typeof id !== 'string' || !INSTANCE_ID_PATTERN.test(id)) {
      throw new InvalidInputError(
        `instanceIds[${index}]`,
        `must be an instance ID like "i-0123456789abcdef0", got ${describe(id)}`,
      );
    }
  });
  return { instanceIds: [...new Set(instanceIds as string[])], dryRun };
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
