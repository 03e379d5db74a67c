import type { Filter, Tag } from '@aws-sdk/client-ec2';
import { ec2Error } from './ec2-errors';

/** EC2's limit on the values of a single filter. */
export const MAX_FILTER_VALUES = 200;

/** For each filter name a resource supports, the values of that field on one resource. */
export type FilterFields<T> = Readonly<Record<string, (item: T) => readonly string[]>>;

/** How faithfully the endpoint applies filters; see SimulatedEc2Options.ignoreTagFilters. */
export interface FilterDialect {
  readonly ignoreTagFilters: boolean;
}

export const FAITHFUL_FILTERS: FilterDialect = { ignoreTagFilters: false };

/**
 * Turns a request's `Filters` into a predicate with EC2's semantics: filters are ANDed, the
 * values of one filter are ORed, values may use `*` and `?` wildcards (`\` escapes them).
 * `tag:<key>`, `tag-key` and `tag-value` work on every resource that has tags.
 * An unknown filter name is rejected like EC2 does, so a typo in product code fails loudly
 * instead of silently matching everything. A dialect that ignores tag filters still validates
 * them (the request is well-formed) and then lets every resource through.
 */
export function compileFilters<T>(
  filters: readonly Filter[] | undefined,
  fields: FilterFields<T>,
  tagsOf: (item: T) => readonly Tag[],
  dialect: FilterDialect = FAITHFUL_FILTERS,
): (item: T) => boolean {
  const tests = (filters ?? []).map((filter) => {
    const test = compileFilter(filter, fields, tagsOf);
    return dialect.ignoreTagFilters && isIgnorableTagFilter(filter.Name) ? () => true : test;
  });
  return (item) => tests.every((test) => test(item));
}

function compileFilter<T>(
  { Name: name, Values: values }: Filter,
  fields: FilterFields<T>,
  tagsOf: (item: T) => readonly Tag[],
): (item: T) => boolean {
  if (!name) throw ec2Error('InvalidParameterValue', 'The filter name must not be empty');
  const field = fieldFor(name, fields);
  if (!values || values.length === 0) {
    throw ec2Error('InvalidParameterValue', `The filter '${name}' requires at least one value`);
  }
  if (values.length > MAX_FILTER_VALUES) {
    throw ec2Error(
      'FilterLimitExceeded',
      `The maximum number of filter values specified on a single call is ${MAX_FILTER_VALUES}`,
    );
  }
  const accepts = valueMatcher(values);
  if (field !== undefined) return (item) => field(item).some(accepts);
  if (name === 'tag-key') return (item) => tagsOf(item).some((tag) => accepts(tag.Key ?? ''));
  if (name === 'tag-value') return (item) => tagsOf(item).some((tag) => accepts(tag.Value ?? ''));
  const key = name.slice('tag:'.length);
  return (item) => tagsOf(item).some((tag) => tag.Key === key && accepts(tag.Value ?? ''));
}

/** The tag filters an endpoint with `ignoreTagFilters` drops: `tag:<key>` and `tag-key`. */
export function isIgnorableTagFilter(name: string | undefined): boolean {
  return name === 'tag-key' || (name?.startsWith('tag:') ?? false);
}

/** The resource field a filter reads, undefined for the tag filters every resource has. */
function fieldFor<T>(name: string, fields: FilterFields<T>): FilterFields<T>[string] | undefined {
  if (name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value') return undefined;
  const field = Object.hasOwn(fields, name) ? fields[name] : undefined;
  if (!field) throw ec2Error('InvalidParameterValue', `The filter '${name}' is invalid`);
  return field;
}

/** ORs a filter's values; plain values are compared as strings, which keeps big scans cheap. */
function valueMatcher(values: readonly string[]): (actual: string) => boolean {
  const exact = new Set(values.filter((value) => !hasWildcard(value)));
  const patterns = values.filter(hasWildcard).map(wildcardPattern);
  return (actual) => exact.has(actual) || patterns.some((pattern) => pattern.test(actual));
}

/** True when a filter value uses `*`, `?` or the `\` escape, so it must be matched as a pattern. */
export function hasWildcard(value: string): boolean {
  return /[*?\\]/.test(value);
}

/** EC2 filter value syntax: `*` any run of characters, `?` exactly one, `\` makes the next one literal. */
export function wildcardPattern(value: string): RegExp {
  let source = '';
  let escaped = false;
  for (const char of value) {
    if (escaped) source += escapeRegExp(char);
    else if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char !== '\\') source += escapeRegExp(char);
    escaped = !escaped && char === '\\';
  }
  if (escaped) source += escapeRegExp('\\');
  // `s` lets `.` match line breaks; `u` makes `?` one code point, not half of a surrogate pair.
  return new RegExp(`^${source}$`, 'su');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
