import type { Ec2Action } from './ec2-actions';
import { ec2Error } from './ec2-errors';

/** The paging members every paginated EC2 Describe request has. */
export interface PageRequest {
  MaxResults?: number;
  NextToken?: string;
}

/** EC2's accepted MaxResults range for one action. */
export interface PageRule {
  readonly min: number;
  readonly max: number;
  /** Request member whose presence forbids MaxResults (EC2 does not page id lookups). */
  readonly idsMember: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

/** What one paginated Describe call pages over, and how. */
export interface PageQuery<T> {
  readonly action: Ec2Action;
  /** Resources the request may return (all, those named, or an index lookup). */
  readonly candidates: readonly T[];
  /** The request's filters (and owner restriction) as one predicate. */
  readonly matches: (item: T) => boolean;
  readonly keyOf: (item: T) => string;
  readonly request: PageRequest;
  /** Whether the request named resources by id (then EC2 refuses MaxResults). */
  readonly idsGiven: boolean;
  readonly rule: PageRule;
  /** The simulator's own cap that forces many pages whatever the caller asked for. */
  readonly maxPageSize: number | undefined;
}

/**
 * One page of the matching candidates in the order of their keys. The token is a cursor on the
 * last key returned, not an offset, so resources created or deleted between two pages (a prune
 * running while a discovery pages) neither skip nor repeat the others, as with EC2.
 */
export function paginate<T>(query: PageQuery<T>): Page<T> {
  const { action, candidates, matches, keyOf, rule, idsGiven } = query;
  const { MaxResults: maxResults, NextToken: token } = query.request;
  if (maxResults !== undefined) {
    if (idsGiven) {
      throw ec2Error(
        'InvalidParameterCombination',
        `The parameter ${rule.idsMember} cannot be used with the parameter maxResults`,
      );
    }
    if (!Number.isInteger(maxResults) || maxResults < rule.min || maxResults > rule.max) {
      throw ec2Error(
        'InvalidParameterValue',
        `Value ( ${maxResults} ) for parameter maxResults is invalid. Expecting a value between ${rule.min} and ${rule.max}.`,
      );
    }
  }
  const after = token === undefined || token === '' ? undefined : decodeToken(action, token);
  // The cheap cursor comparison goes first: at scale, later pages skip most filter work.
  const remaining = candidates.filter(
    (item) => (after === undefined || keyOf(item) > after) && matches(item),
  );
  remaining.sort((a, b) => compareStrings(keyOf(a), keyOf(b)));
  const size = Math.min(
    maxResults ?? Number.POSITIVE_INFINITY,
    query.maxPageSize ?? Number.POSITIVE_INFINITY,
  );
  const page = remaining.slice(0, size);
  const more = remaining.length > page.length;
  return { items: page, nextToken: more ? encodeToken(action, keyOf(page[page.length - 1])) : undefined };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function encodeToken(action: Ec2Action, after: string): string {
  return Buffer.from(JSON.stringify({ action, after })).toString('base64url');
}

function decodeToken(action: Ec2Action, token: string): string {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isCursor(decoded) && decoded.action === action) return decoded.after;
  } catch {
    // Not base64 JSON: fall through to EC2's answer for a token it did not issue.
  }
  throw ec2Error('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
}

function isCursor(value: unknown): value is { action: string; after: string } {
  const cursor = value as { action?: unknown; after?: unknown } | null;
  return typeof cursor?.action === 'string' && typeof cursor.after === 'string';
}
