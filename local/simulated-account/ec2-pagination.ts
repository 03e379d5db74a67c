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
  /** The candidates come in key order: a page is read on from the cursor, nothing is sorted. */
  readonly inKeyOrder?: boolean;
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
  const size = Math.min(
    maxResults ?? Number.POSITIVE_INFINITY,
    query.maxPageSize ?? Number.POSITIVE_INFINITY,
  );
  if (query.inKeyOrder) return pageInOrder(query, after, size);
  // The page and one more (which says there is more) are the smallest keys after the cursor among
  // the matching candidates. A run's poll lists 10,000 snapshots over and over, page after page:
  // kept in a bounded heap, a candidate whose key cannot make the page costs a key comparison, and
  // only the others are filtered, and nothing is sorted but the page.
  const smallest = new BoundedMaxHeap<{ key: string; item: T }>(
    Math.min(size, candidates.length) + 1,
    (a, b) => compareStrings(a.key, b.key),
  );
  for (const item of candidates) {
    const key = keyOf(item);
    if (after !== undefined && key <= after) continue;
    if (smallest.full() && key >= smallest.max().key) continue;
    if (matches(item)) smallest.push({ key, item });
  }
  const found = smallest.sorted();
  const page = found.slice(0, size).map(({ item }) => item);
  const more = found.length > page.length;
  return { items: page, nextToken: more ? encodeToken(action, keyOf(page[page.length - 1])) : undefined };
}

/** A page of candidates already in key order: from the first key after the cursor, filtered as read. */
function pageInOrder<T>(query: PageQuery<T>, after: string | undefined, size: number): Page<T> {
  const { candidates, keyOf, matches, action } = query;
  let [start, end] = [0, candidates.length];
  while (after !== undefined && start < end) {
    const middle = (start + end) >> 1;
    if (keyOf(candidates[middle]) <= after) start = middle + 1;
    else end = middle;
  }
  const page: T[] = [];
  let more = false;
  for (let i = start; i < candidates.length; i++) {
    if (!matches(candidates[i])) continue;
    if (page.length === size) {
      more = true;
      break;
    }
    page.push(candidates[i]);
  }
  return { items: page, nextToken: more ? encodeToken(action, keyOf(page[page.length - 1])) : undefined };
}

/** The `capacity` smallest items pushed so far, by `compare`: a binary max-heap. */
class BoundedMaxHeap<T> {
  private readonly items: T[] = [];

  constructor(
    private readonly capacity: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  full(): boolean {
    return this.items.length >= this.capacity;
  }

  max(): T {
    return this.items[0];
  }

  /** Adds `item`, dropping the largest when over capacity. */
  push(item: T): void {
    if (this.capacity <= 0) return;
    if (this.full()) {
      if (this.compare(item, this.items[0]) >= 0) return;
      this.items[0] = item;
      this.down(0);
      return;
    }
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  sorted(): T[] {
    return [...this.items].sort(this.compare);
  }

  private up(index: number): void {
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.compare(this.items[i], this.items[parent]) <= 0) return;
      [this.items[i], this.items[parent]] = [this.items[parent], this.items[i]];
      i = parent;
    }
  }

  private down(index: number): void {
    let i = index;
    for (;;) {
      const [left, right] = [2 * i + 1, 2 * i + 2];
      let largest = i;
      if (left < this.items.length && this.compare(this.items[left], this.items[largest]) > 0) largest = left;
      if (right < this.items.length && this.compare(this.items[right], this.items[largest]) > 0)
        largest = right;
      if (largest === i) return;
      [this.items[i], this.items[largest]] = [this.items[largest], this.items[i]];
      i = largest;
    }
  }
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
