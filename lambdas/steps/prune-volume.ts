import { DeleteSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ec2Call, ec2ErrorCode } from '../aws/ec2-errors';
import {
  findManagedSnapshot,
  listManagedSnapshots,
  type ManagedSnapshot,
  type ManagedSnapshotQuery,
} from '../aws/snapshot-queries';
import { realSleep, retryThrottled, withThrottleRetries } from '../aws/throttle-backoff';
import { DELETION_TIME_BUDGET_MS, LISTING_THROTTLE_BUDGET_MS } from '../commons/function-limits';
import {
  PLANNED_SNAPSHOT_ID,
  type PruneResult,
  type PruneTask,
  type SkippedDeletion,
} from '../contracts/run-documents';
import { SnapshotNotCompletedError } from '../core/errors';
import { newerGeneration, newestFirst, planRetention } from '../core/retention';
import { SnapshotTag } from '../core/snapshot-tags';

export interface PruneDeps {
  ec2: EC2Client;
  /** EC2 in a copy region, for an item with `region` (PruneCopies, SPEC §10.4). */
  ec2In: (region: string) => EC2Client;
  /** The deployment's own region: its copies elsewhere are those whose source region it is. */
  region: string;
  managedBy: string;
  now: () => number;
  /** Waits between retries of a throttled deletion; default the process's timers. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Work one invocation does at most. Deleting is bounded by EC2's DeleteSnapshot bucket (5 per
 * second per account and region, shared by the whole fan-out), so a backlog — years of adopted
 * recipe snapshots, N lowered from 30 to 1 — is worked off in slices the state machine loops
 * over, each far inside the function's timeout, instead of one invocation that times out.
 */
export const MAX_DELETIONS_PER_INVOCATION = 100;
/**
 * Snapshot IDs listed in a result; `deletedCount` has the total. A continuing result travels as
 * the message of a `MoreToPrune` error, which Step Functions cuts at 32,768 characters.
 */
export const MAX_LISTED = 500;
/** Refused deletions listed in a result (each with its reason). */
export const MAX_LISTED_SKIPS = 100;

/**
 * Applies retention (SPEC §3) to one volume's family: the snapshots carrying this deployment's
 * marker and this volume's ID, whatever their description. Nothing is deleted unless this
 * run's snapshot of the volume is `completed`. A dry run plans as if it were.
 *
 * An item with `region` is the retention of the volume's copies there (SPEC §10.4): the same
 * rule, in that region, over the copies whose source region is the deployment's, with this
 * run's copy in place of its snapshot. The two families never mix (see `ManagedSnapshotQuery`):
 * a copy's retention never deletes a source snapshot, another region's copy, nor the reverse.
 */
export async function pruneVolume(deps: PruneDeps, task: PruneTask): Promise<PruneResult> {
  const { volume, dryRun } = task;
  const copyRegion = volume.region;
  const base = {
    volumeId: volume.volumeId,
    ...(copyRegion !== undefined && { region: copyRegion }),
    generations: volume.generations,
    dryRun,
  };
  // Nothing was copied: the newer snapshot's run copies and prunes there (SPEC §6.3).
  if (volume.supersededBy !== undefined) return superseded(base, volume.supersededBy);
  const ec2 = copyRegion === undefined ? deps.ec2 : deps.ec2In(copyRegion);
  const query: ManagedSnapshotQuery = {
    managedBy: deps.managedBy,
    volumeId: volume.volumeId,
    ...(copyRegion !== undefined && { sourceRegion: deps.region }),
  };
  // A throttled page or look-up is tried again in the invocation, not through the Retry.
  const listing = withThrottleRetries(
    ec2,
    { now: deps.now, sleep: deps.sleep ?? realSleep },
    LISTING_THROTTLE_BUDGET_MS,
  );
  const family = await listManagedSnapshots(listing, query);
  const own = await ownSnapshot(listing, query, task, family);
  const previous = task.progress;

  let candidates = family;
  if (dryRun) {
    candidates = [
      ...family,
      {
        snapshotId: PLANNED_SNAPSHOT_ID,
        state: 'completed',
        startTime: deps.now(),
        encrypted: false,
        tags: {},
      },
    ];
  } else if (own?.state !== 'completed') {
    const newer = own === undefined ? supersedingSnapshot(task, family) : undefined;
    if (newer) return superseded(base, newer.snapshotId);
    throw notCompleted(task, own);
  }
  const plan = planRetention(candidates, volume.generations);
  const alreadySkipped = new Set(previous?.skipped.map((s) => s.snapshotId));
  // This run's snapshot is never deleted, even if clocks disagree about what is newest.
  const toDelete = plan.delete.filter(
    (s) => s.snapshotId !== own?.snapshotId && !alreadySkipped.has(s.snapshotId),
  );

  const deleted: string[] = [];
  const skipped: SkippedDeletion[] = [];
  let attempted = 0;
  if (dryRun) {
    deleted.push(...toDelete.map((s) => s.snapshotId));
    attempted = toDelete.length;
  } else {
    const started = deps.now();
    const clock = { now: deps.now, sleep: deps.sleep ?? realSleep };
    for (const snapshot of toDelete) {
      const left = DELETION_TIME_BUDGET_MS - (deps.now() - started);
      if (attempted >= MAX_DELETIONS_PER_INVOCATION || left <= 0) break;
      let outcome: Awaited<ReturnType<typeof deleteSnapshot>>;
      try {
        // A throttled deletion did nothing: wait and try again, within the slice's time.
        outcome = await retryThrottled(() => deleteSnapshot(ec2, snapshot.snapshotId), clock, left);
      } catch (error) {
        // Work done so far is reported, not lost: the next invocation goes on from here.
        if (attempted > 0 && isRetryable(error)) break;
        throw error;
      }
      attempted += 1;
      if (outcome === 'deleted') deleted.push(snapshot.snapshotId);
      else skipped.push({ snapshotId: snapshot.snapshotId, reason: outcome.reason });
    }
  }
  const allDeleted = [...(previous?.deleted ?? []), ...deleted];
  return {
    ...base,
    outcome: 'pruned',
    kept: plan.keep.map((s) => s.snapshotId),
    deleted: allDeleted.slice(0, MAX_LISTED),
    deletedCount: (previous?.deletedCount ?? 0) + deleted.length,
    skipped: [...(previous?.skipped ?? []), ...skipped].slice(0, MAX_LISTED_SKIPS),
    pending: plan.leave.length,
    more: attempted < toDelete.length,
  };
}

/**
 * This run's snapshot of the volume. Known by ID once AwaitSnapshots has joined the results of
 * SnapshotVolumes: if the family listing lags behind (EC2 is eventually consistent), it is
 * looked up by ID rather than taken for missing. Otherwise it is found by the run's tag.
 */
async function ownSnapshot(
  ec2: EC2Client,
  query: ManagedSnapshotQuery,
  task: PruneTask,
  family: ManagedSnapshot[],
): Promise<ManagedSnapshot | undefined> {
  const known = task.volume.newSnapshot?.snapshotId;
  if (known === undefined) {
    const own = family.filter((s) => s.tags[SnapshotTag.runId] === task.runId).sort(newestFirst);
    return own.find((s) => s.state === 'completed') ?? own[0];
  }
  const listed = family.find((s) => s.snapshotId === known);
  if (listed) return listed;
  const found = await findManagedSnapshot(ec2, known, { ...query, runId: task.runId });
  if (found) family.push(found);
  return found;
}

/**
 * The run's snapshot is gone: if a newer completed generation of the volume exists (made after
 * ours by another run), an overlapping run's retention deleted ours, as it should have. Ours is
 * known by ID once AwaitSnapshots joined the results; without it (the wait failed, or it was
 * never made) a generation made after this run started is newer than anything the run made.
 */
function supersedingSnapshot(task: PruneTask, family: ManagedSnapshot[]): ManagedSnapshot | undefined {
  const started = task.runStartedAt === undefined ? undefined : Date.parse(task.runStartedAt);
  const since = task.volume.newSnapshot?.startTime ?? started;
  if (since === undefined || Number.isNaN(since)) return undefined;
  return newerGeneration(family, { runId: task.runId, since }, (s) => s.tags[SnapshotTag.runId]);
}

function superseded(
  base: Pick<PruneResult, 'volumeId' | 'region' | 'generations' | 'dryRun'>,
  by: string,
): PruneResult {
  return {
    ...base,
    outcome: 'superseded',
    supersededBy: by,
    kept: [],
    deleted: [],
    deletedCount: 0,
    skipped: [],
    pending: 0,
    more: false,
  };
}

function notCompleted(task: PruneTask, own: ManagedSnapshot | undefined): SnapshotNotCompletedError {
  const { volumeId, newSnapshot, region } = task.volume;
  // A copy's failure names its region: it concerns that region's copies only.
  const [noun, where, kept] =
    region === undefined
      ? ['snapshot', '', 'older generations kept']
      : ['copy', ` in ${region}`, `older copies in ${region} kept`];
  if (own === undefined && newSnapshot === undefined) {
    return new SnapshotNotCompletedError(
      volumeId,
      'missing',
      region === undefined
        ? `${volumeId}: execution ${task.executionName} created no snapshot of it (see SnapshotVolumes); ${kept}`
        : `${volumeId}: execution ${task.executionName} created no copy of it in ${region} (see CopyVolumes); ${kept}`,
    );
  }
  if (own === undefined) {
    return new SnapshotNotCompletedError(
      volumeId,
      'missing',
      `${volumeId}: ${noun} ${newSnapshot?.snapshotId}${where} of this run no longer exists and no newer completed ${noun} replaces it; ${kept}`,
    );
  }
  if (own.state === 'error') {
    return new SnapshotNotCompletedError(
      volumeId,
      'error',
      `${volumeId}: ${noun} ${own.snapshotId}${where} ended in state error; ${kept}`,
    );
  }
  return new SnapshotNotCompletedError(
    volumeId,
    'timed-out',
    `${volumeId}: ${noun} ${own.snapshotId}${where} still ${own.state} when the wait ended; ${kept}`,
  );
}

function isRetryable(error: unknown): boolean {
  const name = (error as Error).name;
  return name === 'Ec2Throttled' || name === 'Ec2Transient';
}

/**
 * Deletes one snapshot. In use (backing an AMI) is an outcome, not a failure (SPEC §3.5);
 * already gone counts as deleted; throttling and 5xx surface as retryable errors.
 */
async function deleteSnapshot(ec2: EC2Client, snapshotId: string): Promise<'deleted' | { reason: string }> {
  try {
    await ec2Call(() => ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
    return 'deleted';
  } catch (error) {
    const code = ec2ErrorCode(error);
    if (code === 'InvalidSnapshot.NotFound') return 'deleted';
    if (code === 'InvalidSnapshot.InUse')
      return { reason: `InvalidSnapshot.InUse: ${(error as Error).message}` };
    throw error;
  }
}

/**
 * The result so far of a backlog being worked off, from what the definition's Catch passed on:
 * `{ Error: 'MoreToPrune', Cause }`, where Cause is Lambda's error document whose message is the
 * result as JSON. Anything else (a first invocation) is no progress.
 */
export function progressOf(raw: unknown): PruneResult | undefined {
  const caught = raw as { Error?: string; Cause?: string } | undefined;
  if (caught?.Error !== 'MoreToPrune' || typeof caught.Cause !== 'string') return undefined;
  try {
    const cause = JSON.parse(caught.Cause) as { errorMessage?: string };
    return JSON.parse(cause.errorMessage ?? '') as PruneResult;
  } catch {
    throw new Error(
      `PruneSnapshots was continued with an unreadable MoreToPrune cause: ${caught.Cause.slice(0, 200)}`,
    );
  }
}
