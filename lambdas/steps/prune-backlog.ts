import type { PruneProgressStore } from '../aws/prune-progress-store';
import type { PruneEvent, PruneProgress, PruneResult } from '../contracts/run-documents';
import { MoreToPruneError } from '../core/errors';
import { type PruneDeps, pruneVolumeSlice } from './prune-volume';

export interface PruneBacklogDeps extends PruneDeps {
  progress: PruneProgressStore;
}

/** A slice of a volume's retention, and what this invocation did of it (for metrics). */
export interface PruneSliceOutcome {
  result: PruneResult;
  deletedNow: number;
  skippedNow: number;
  /** With `result.more`: what the function throws to have the definition run the next slice. */
  moreToPrune?: MoreToPruneError;
}

/**
 * One invocation of a prune child (SPEC §3). A first slice starts from nothing. A backlog too
 * large for one slice ends it with `MoreToPrune`, which the child's Catch sends back into the
 * same Task: a loop that costs a transition per extra slice and nothing when there is no backlog
 * (a Choice after every slice would cost every volume a transition). The error only says "go
 * on" and carries no state; what the slices did so far travels as data, in the work bucket: each
 * slice of a backlog reads the progress the one before wrote and writes its own, so no payload
 * or error cause grows with the backlog, and every deletion is reported at the end. The last
 * slice writes too, so that a retry of it (its answer lost) still counts what it deleted.
 */
export async function pruneSlice(deps: PruneBacklogDeps, event: PruneEvent): Promise<PruneSliceOutcome> {
  const { continued, ...task } = event;
  // Only the definition's Catch sets `continued`, with the MoreToPrune of the slice before.
  const previous = continued?.Error === 'MoreToPrune' ? await deps.progress.read(task) : undefined;
  const { result, progress } = await pruneVolumeSlice(deps, {
    ...task,
    ...(previous && { progress: previous }),
  });
  if (result.more || previous) await deps.progress.write(task, progress);
  return {
    result,
    deletedNow: progress.deletedCount - (previous?.deletedCount ?? 0),
    skippedNow: progress.skipped.length - (previous?.skipped.length ?? 0),
    ...(result.more && { moreToPrune: moreToPrune(deps, event, progress) }),
  };
}

/** Says where the backlog stands, for the console; nothing reads it back. */
function moreToPrune(deps: PruneBacklogDeps, event: PruneEvent, progress: PruneProgress): MoreToPruneError {
  const { volumeId, region } = event.volume;
  const { bucket, key } = deps.progress.locate(event);
  return new MoreToPruneError(
    `${volumeId}${region ? ` in ${region}` : ''}: ${progress.deletedCount} deleted in ${progress.slices} slice(s), more to delete; the next slice goes on from s3://${bucket}/${key}`,
  );
}
