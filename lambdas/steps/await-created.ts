import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { getJsonIfPresent, putJson } from '../aws/json-store';
import { parseJsonField, readMapRunResults } from '../aws/map-run-results';
import {
  listManagedSnapshots,
  type ManagedSnapshot,
  type ManagedSnapshotQuery,
} from '../aws/snapshot-queries';
import { realSleep, withThrottleRetries } from '../aws/throttle-backoff';
import { LISTING_THROTTLE_BUDGET_MS } from '../commons/function-limits';
import type { MapRunOutput } from '../contracts/map-run';
import type { SnapshotProgress } from '../contracts/run-documents';
import type { S3Location } from '../contracts/work-bucket';
import type { NewSnapshot } from '../contracts/work-items';
import { LISTING_LAG_TOLERANCE_MS } from '../core/listing-lag';

/**
 * What AwaitSnapshots and AwaitCopies share: both wait for the snapshots a fan-out actually
 * created, known by ID from its results, rather than for whatever a listing shows. EC2's API is
 * eventually consistent, so a snapshot just created can be missing from DescribeSnapshots for a
 * while (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html), and an
 * empty listing must not read as "nothing pending".
 */

/** What the first poll keeps of a fan-out's results, for the polls after it. */
interface CreatedCache<T> {
  /** The map run's manifest it was read from: a redriven fan-out writes another. */
  manifest: string;
  created: [string, T][];
}

/**
 * What a fan-out created, by key, from its succeeded children (`entryOf` picks the key and value
 * from a child's output, several for a set's child, or nothing). The map run's results (every child's input and output,
 * megabytes at 10,000 volumes) are read once; the polls after it read the small list the first
 * one kept at `cacheAt`.
 */
export async function createdOnce<T>(
  s3: S3Client,
  cacheAt: S3Location,
  run: MapRunOutput,
  entryOf: (output: unknown) => [string, T] | readonly [string, T][] | undefined,
): Promise<Map<string, T>> {
  const manifest = run.ResultWriterDetails.Key;
  const cached = await getJsonIfPresent<CreatedCache<T>>(s3, cacheAt);
  if (cached?.manifest === manifest) return new Map(cached.created);
  const { succeeded } = await readMapRunResults(s3, run);
  const created = new Map<string, T>();
  for (const child of succeeded) {
    const entry = entryOf(parseJsonField<unknown>(child.Output));
    if (entry === undefined) continue;
    // A set's child names every volume of its set (SPEC §12.3).
    const entries = Array.isArray(entry[0]) ? (entry as readonly [string, T][]) : [entry as [string, T]];
    for (const [key, value] of entries) created.set(key, value);
  }
  const cache: CreatedCache<T> = { manifest, created: [...created] };
  await putJson(s3, cacheAt, cache);
  return created;
}

/** A poll's listing, or why EC2 could not give it this time. */
export type Poll = { listed: ManagedSnapshot[] } | { unavailable: Error };

/**
 * One poll: the run's snapshots in one region, listed by its tag (pages of 1,000, not one call
 * per snapshot). A throttled page is tried again in the invocation; a listing throttled for
 * longer than that, or failed transiently, is `unavailable`: the wait counts it as "still
 * pending", since its Retry budget counts attempts across the whole wait (about a hundred
 * polls) and sporadic errors must not spend it. Any other error is thrown.
 */
export async function pollRun(
  ec2: EC2Client,
  query: ManagedSnapshotQuery,
  clock: { now: () => number; sleep?: (ms: number) => Promise<void> },
): Promise<Poll> {
  const paced = withThrottleRetries(
    ec2,
    { now: clock.now, sleep: clock.sleep ?? realSleep },
    LISTING_THROTTLE_BUDGET_MS,
  );
  try {
    return { listed: await listManagedSnapshots(paced, query) };
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'Ec2Throttled' && name !== 'Ec2Transient') throw error;
    return { unavailable: error as Error };
  }
}

/** Where one created snapshot stands in a listing at `now` (see `measure`). */
export type Standing = 'completed' | 'error' | 'gone' | 'notVisible' | 'pending';

/**
 * One created snapshot in a listing at `now`. Not listed although it was made
 * LISTING_LAG_TOLERANCE_MS ago: gone, deleted since (by an overlapping run's retention or a
 * person); no listing will ever show it again.
 */
export function standingOf(snapshot: NewSnapshot, listedState: string | undefined, now: number): Standing {
  if (listedState === 'completed' || listedState === 'error') return listedState;
  if (listedState !== undefined) return 'pending';
  return snapshot.startTime + LISTING_LAG_TOLERANCE_MS <= now ? 'gone' : 'notVisible';
}

/**
 * Nothing more to wait for: completed, in error, gone, or still pending (or not visible) though
 * its StartTime is at or before `deadline`, the wait limit: its volume then fails in the prune
 * step. A gone snapshot is never waited for: the prune step tells a superseded volume from a
 * failed one.
 */
export function isSettled(snapshot: NewSnapshot, standing: Standing, deadline: number): boolean {
  return (
    standing === 'completed' || standing === 'error' || standing === 'gone' || snapshot.startTime <= deadline
  );
}

/** Where the created snapshots stand in a listing at `now`, counted (see `standingOf`, `isSettled`). */
export function measure(
  created: Iterable<NewSnapshot>,
  listed: readonly ManagedSnapshot[],
  deadline: number,
  now: number,
): SnapshotProgress {
  const byId = new Map(listed.map((s) => [s.snapshotId, s]));
  const progress: SnapshotProgress = {
    created: 0,
    completed: 0,
    error: 0,
    notVisible: 0,
    gone: 0,
    pending: 0,
    timedOut: 0,
  };
  for (const snapshot of created) {
    progress.created += 1;
    const standing = standingOf(snapshot, byId.get(snapshot.snapshotId)?.state, now);
    if (standing === 'gone') progress.gone = (progress.gone ?? 0) + 1;
    else progress[standing] += 1;
    const waitedFor = standing === 'pending' || standing === 'notVisible';
    if (waitedFor && isSettled(snapshot, standing, deadline)) progress.timedOut += 1;
  }
  return progress;
}

/** Snapshots still worth waiting for: pending or not yet visible, within the wait limit. */
export function stillWaiting(progress: SnapshotProgress): number {
  return progress.pending + progress.notVisible - progress.timedOut;
}
