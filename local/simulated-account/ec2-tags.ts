import type { ResourceType, Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { ec2Error } from './ec2-errors';

// EC2's tag limits, enforced so product code that builds tags from user data (an instance name
// of any length) meets the same refusals it would meet in AWS.
const MAX_TAGS_PER_RESOURCE = 50;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

/** Test-friendly tag notation: `{ Name: 'web', 'Backup-Generation': '3' }`. */
export type TagMap = Readonly<Record<string, string>>;

export function tagsFromMap(tags: TagMap | undefined): Tag[] {
  return Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
}

export function tagValue(tags: readonly Tag[], key: string): string | undefined {
  return tags.find((tag) => tag.Key === key)?.Value;
}

/** Checks tags a request wants to set, and returns a private copy (Value defaults to ''). */
export function validatedTags(requested: readonly Tag[]): Tag[] {
  const seen = new Set<string>();
  return requested.map(({ Key: key, Value: value = '' }) => {
    if (!key) throw ec2Error('InvalidParameterValue', 'Tag key must not be empty');
    if (key.length > MAX_KEY_LENGTH || value.length > MAX_VALUE_LENGTH) {
      throw ec2Error(
        'InvalidParameterValue',
        `Tag key must be at most ${MAX_KEY_LENGTH} and value at most ${MAX_VALUE_LENGTH} characters: '${key}'`,
      );
    }
    if (key.toLowerCase().startsWith('aws:')) {
      throw ec2Error('InvalidParameterValue', "Tag keys starting with 'aws:' are reserved for internal use");
    }
    if (seen.has(key)) throw ec2Error('InvalidParameterValue', `Duplicate tag key '${key}' specified.`);
    seen.add(key);
    return { Key: key, Value: value };
  });
}

/** `existing` with `changes` applied (same key: new value), refused past EC2's 50-tag limit. */
export function mergedTags(existing: readonly Tag[], changes: readonly Tag[]): Tag[] {
  const merged = new Map(existing.map((tag) => [tag.Key, tag.Value]));
  for (const tag of changes) merged.set(tag.Key, tag.Value);
  if (merged.size > MAX_TAGS_PER_RESOURCE) {
    throw ec2Error(
      'TagLimitExceeded',
      `The maximum number of tags per resource (${MAX_TAGS_PER_RESOURCE}) has been exceeded`,
    );
  }
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

export function copyTags(tags: readonly Tag[]): Tag[] {
  return tags.map((tag) => ({ ...tag }));
}

/**
 * The tags a create action's TagSpecifications apply to the resource it makes; an action takes
 * only its own resource type, and several specifications are merged.
 */
export function tagsAtCreation(
  specs: readonly TagSpecification[] | undefined,
  resourceType: ResourceType,
): Tag[] {
  return (specs ?? []).flatMap((spec) => {
    if (spec.ResourceType !== resourceType) {
      throw ec2Error(
        'InvalidParameterValue',
        `'${spec.ResourceType}' is not a valid taggable resource type for this operation.`,
      );
    }
    return spec.Tags ?? [];
  });
}
