import type { EC2Client } from '@aws-sdk/client-ec2';
import { CallPace, type EnvironmentPace } from '../aws/call-pace';
import {
  findManagedSnapshot,
  listManagedSnapshots,
  type ManagedSnapshot,
  type ManagedSnapshotQuery,
} from '../aws/snapshot-queries';
import { type BackoffClock, realSleep, withThrottleRetries } from '../aws/throttle-backoff';
import { LISTING_THROTTLE_BUDGET_MS } from '../commons/function-limits';
import {
  PLANNED_SNAPSHOT_ID,
  type PruneProgress,
  type PruneResult,
  type PruneTask,
} from '../contracts/run-documents';
import { newerGeneration, newestFirst, planRetention, type RetentionPlan } from '../core/retention';
import { SnapshotTag } from '../core/snapshot-tags';
import { clearFailedSnapshots, notCompleted } from './prune-failed-volume';
import { deleteWithinSlice, type SliceDeletions } from './slice-deletions';

export interface PruneDeps {
  ec2: EC2Client;
  /** EC2 in a copy region, for an item with `region` (PruneCopies, SPEC §10.4). */
  ec2In: (region: string) => EC2Client;
  /** The deployment's own region: its copies elsewhere are those whose source region it is. */
  region: string;
  managedBy: string;
  now: () => number;
  /** Waits between retries of a throttled deletion and between paced ones; default the process's timers. */
  sleep?: (ms: number) => Promise<void>;
  /** The pace of DeleteSnapshot calls, as the create step's (`CreateSnapshotDeps.callIntervalMs`). Absent: unpaced. */
  callIntervalMs?: number;
  /** As the create step's (`CreateSnapshotDeps.environmentPace`). */
  environmentPace?: EnvironmentPace;
}

// Every list of a result is bounded, whatever the backlog, so that a result stays far inside Step
// Functions' 256 KiB per payload: at most about 2.5 KB of kept IDs, 12.5 KB of deleted IDs and
// 7 KB of refusals. The counts beside them are exact.
/** Deleted snapshot IDs listed in a result, the first deleted; `deletedCount` has the total. */
export const MAX_LISTED = 500;
/** Kept snapshot IDs listed in a result, the newest; `keptCount` has the total (N ≤ 1,000). */
export const MAX_LISTED_KEPT = 100;
/** Refused deletions listed in a result (each with its reason); `skippedCount` has the total. */
export const MAX_LISTED_SKIPS = 20;

/** A slice's result, and the backlog's progress including it (what the next slice goes on from). */
export interface PruneSlice {
  result: PruneResult;
  progress: PruneProgress;
}

const NO_PROGRESS: PruneProgress = { slices: 0, deletedCount: 0, deleted: [], skipped: [] };

/** One invocation's result (a dry run's plan, or one slice of a backlog); see `pruneVolumeSlice`. */
export async function pruneVolume(deps: PruneDeps, task: PruneTask): Promise<PruneResult> {
  return (await pruneVolumeSlice(deps, task)).result;
}

/**
 * Applies retention (SPEC §3) to one volume's family: the snapshots carrying this deployment's
 * marker and this volume's ID, whatever their description. Nothing is deleted unless this
 * run's snapshot of the volume is `completed`. A dry run plans as if it were. One invocation
 * deletes at most a slice (see `deleteWithinSlice`); `task.progress` is what the slices before
 * it did, and the progress returned includes this one.
 *
 * An item with `region` is the retention of the volume's copies there (SPEC §10.4): the same
 * rule, in that region, over the copies whose source region is the deployment's, with this
 * run's copy in place of its snapshot. The two families never mix (see `ManagedSnapshotQuery`):
 * a copy's retention never deletes a source snapshot, another region's copy, nor the reverse.
 */
export async function pruneVolumeSlice(deps: PruneDeps, task: PruneTask): Promise<PruneSlice> {
  const clock = { now: deps.now, sleep: deps.sleep ?? realSleep };
  const pace = new CallPace(deps.callIntervalMs ?? 0, clock, deps.environmentPace);
  try {
    return await pruneWithin(deps, task, clock, pace);
  } finally {
    await pace.finish();
  }
}

/** One slice of the volume's retention, its deletions at `pace`. */
async function pruneWithin(
  deps: PruneDeps,
  task: PruneTask,
  clock: BackoffClock,
  pace: CallPace,
): Promise<PruneSlice> {
  const { volume, dryRun } = task;
  const copyRegion = volume.region;
  const previous = task.progress ?? NO_PROGRESS;
  const base = {
    volumeId: volume.volumeId,
    ...(copyRegion !== undefined && { region: copyRegion }),
    generations: volume.generations,
    dryRun,
  };
  // Nothing was copied: the newer snapshot's run copies and prunes there (SPEC §6.3).
  if (volume.supersededBy !== undefined) return superseded(base, volume.supersededBy, previous);
  const ec2 = copyRegion === undefined ? deps.ec2 : deps.ec2In(copyRegion);
  const query: ManagedSnapshotQuery = {
    managedBy: deps.managedBy,
    volumeId: volume.volumeId,
    ...(copyRegion !== undefined && { sourceRegion: deps.region }),
  };
  // A throttled page or look-up is tried again in the invocation, not through the Retry.
  const listing = withThrottleRetries(ec2, clock, LISTING_THROTTLE_BUDGET_MS);
  const family = await listManagedSnapshots(listing, query);
  const own = await ownSnapshot(listing, query, task, family);

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
    if (newer) return superseded(base, newer.snapshotId, previous);
    throw notCompleted(task, own, await clearFailedSnapshots(ec2, family, own, clock, pace));
  }
  const plan = planRetention(candidates, volume.generations);
  const alreadySkipped = new Set(previous.skipped.map((s) => s.snapshotId));
  // This run's snapshot is never deleted, even if clocks disagree about what is newest.
  const toDelete = plan.delete.filter(
    (s) => s.snapshotId !== own?.snapshotId && !alreadySkipped.has(s.snapshotId),
  );
  const done: SliceDeletions = dryRun
    ? { deleted: toDelete.map((s) => s.snapshotId), skipped: [], attempted: toDelete.length }
    : await deleteWithinSlice(ec2, toDelete, clock, pace);
  const progress: PruneProgress = {
    slices: previous.slices + 1,
    deletedCount: previous.deletedCount + done.deleted.length,
    deleted: [...previous.deleted, ...done.deleted].slice(0, MAX_LISTED),
    skipped: [...previous.skipped, ...done.skipped],
  };
  return { result: pruned(base, plan, progress, done.attempted < toDelete.length), progress };
}

type ResultBase = Pick<PruneResult, 'volumeId' | 'region' | 'generations' | 'dryRun'>;

function pruned(base: ResultBase, plan: RetentionPlan, progress: PruneProgress, more: boolean): PruneResult {
  return {
    ...base,
    outcome: 'pruned',
    kept: plan.keep.slice(0, MAX_LISTED_KEPT).map((s) => s.snapshotId),
    keptCount: plan.keep.length,
    ...listedWork(progress),
    pending: plan.leave.length,
    more,
  };
}

/** A result's deletions and refusals, from the backlog's progress: bounded lists, exact counts. */
function listedWork(progress: PruneProgress) {
  return {
    deleted: progress.deleted.slice(0, MAX_LISTED),
    deletedCount: progress.deletedCount,
    skipped: progress.skipped.slice(0, MAX_LISTED_SKIPS),
    skippedCount: progress.skipped.length,
  };
}

/**
 * This run's snapshot of the volume. Known by ID from the pruning loop's batch: if the family
 * listing lags behind (EC2 is eventually consistent), it is looked up by ID rather than taken for
 * missing. Otherwise it is found by the run's tag.
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
 * known by ID from the pruning loop's batch; without it (none was made, or a dry run) a generation made after this run started is newer than anything the run made.
 */
function supersedingSnapshot(task: PruneTask, family: ManagedSnapshot[]): ManagedSnapshot | undefined {
  const started = task.runStartedAt === undefined ? undefined : Date.parse(task.runStartedAt);
  const since = task.volume.newSnapshot?.startTime ?? started;
  if (since === undefined || Number.isNaN(since)) return undefined;
  return newerGeneration(family, { runId: task.runId, since }, (s) => s.tags[SnapshotTag.runId]);
}

/** Superseded (SPEC §6.3); what earlier slices deleted before it was (a rare race) is still reported. */
function superseded(base: ResultBase, by: string, progress: PruneProgress): PruneSlice {
  const result: PruneResult = {
    ...base,
    outcome: 'superseded',
    supersededBy: by,
    kept: [],
    keptCount: 0,
    ...listedWork(progress),
    pending: 0,
    more: false,
  };
  return { result, progress };
}
