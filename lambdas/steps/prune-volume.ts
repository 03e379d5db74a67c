import { DeleteSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ec2Call, ec2ErrorCode } from '../aws/ec2-errors';
import { listManagedSnapshots, type ManagedSnapshot } from '../aws/snapshot-queries';
import { SnapshotNotCompletedError } from '../core/errors';
import { planRetention } from '../core/retention';
import { SnapshotTag } from '../core/snapshot-tags';
import type { VolumeTask } from '../core/work-item';

export interface PruneDeps {
  ec2: EC2Client;
  managedBy: string;
  now: () => number;
}

export interface SkippedDeletion {
  snapshotId: string;
  reason: string;
}

export interface PruneResult {
  volumeId: string;
  generations: number;
  dryRun: boolean;
  /** Snapshots kept: the newest N completed. */
  kept: string[];
  /** Deleted (or, in a dry run, to be deleted). */
  deleted: string[];
  /** Deletions EC2 refused for a reason that is not a failure (in use by an AMI). */
  skipped: SkippedDeletion[];
  /** Pending snapshots of other runs, left alone. */
  pending: number;
}

/** Placeholder ID for the snapshot a dry run would create. */
export const PLANNED_SNAPSHOT_ID = '(new snapshot)';

/**
 * Applies retention (SPEC §3) to one volume's family: the snapshots carrying this deployment's
 * marker and this volume's ID, whatever their description. Nothing is deleted unless this
 * run's snapshot of the volume is `completed`. A dry run plans as if it were.
 */
export async function pruneVolume(deps: PruneDeps, task: VolumeTask): Promise<PruneResult> {
  const { volume, executionName, dryRun } = task;
  const family = await listManagedSnapshots(deps.ec2, {
    managedBy: deps.managedBy,
    volumeId: volume.volumeId,
  });
  const own = family.filter((s) => s.tags[SnapshotTag.execution] === executionName);

  let candidates: ManagedSnapshot[];
  if (dryRun) {
    candidates = [
      ...family,
      { snapshotId: PLANNED_SNAPSHOT_ID, state: 'completed', startTime: deps.now(), tags: {} },
    ];
  } else {
    requireCompleted(volume.volumeId, executionName, own);
    candidates = family;
  }
  const plan = planRetention(candidates, volume.generations);
  const ownIds = new Set(own.map((s) => s.snapshotId));
  // This run's snapshot is never deleted, even if clocks disagree about what is newest.
  const toDelete = plan.delete.filter((s) => !ownIds.has(s.snapshotId));

  const result: PruneResult = {
    volumeId: volume.volumeId,
    generations: volume.generations,
    dryRun,
    kept: plan.keep.map((s) => s.snapshotId),
    deleted: [],
    skipped: [],
    pending: plan.leave.length,
  };
  for (const snapshot of toDelete) {
    if (dryRun) {
      result.deleted.push(snapshot.snapshotId);
      continue;
    }
    const outcome = await deleteSnapshot(deps.ec2, snapshot.snapshotId);
    if (outcome === 'deleted') result.deleted.push(snapshot.snapshotId);
    else result.skipped.push({ snapshotId: snapshot.snapshotId, reason: outcome.reason });
  }
  return result;
}

function requireCompleted(volumeId: string, executionName: string, own: ManagedSnapshot[]): void {
  if (own.some((s) => s.state === 'completed')) return;
  if (own.length === 0) {
    throw new SnapshotNotCompletedError(
      volumeId,
      'missing',
      `${volumeId}: execution ${executionName} created no snapshot of it (see SnapshotVolumes); older generations kept`,
    );
  }
  const [snapshot] = own;
  if (snapshot.state === 'error') {
    throw new SnapshotNotCompletedError(
      volumeId,
      'error',
      `${volumeId}: snapshot ${snapshot.snapshotId} ended in state error; older generations kept`,
    );
  }
  throw new SnapshotNotCompletedError(
    volumeId,
    'timed-out',
    `${volumeId}: snapshot ${snapshot.snapshotId} still ${snapshot.state} at the wait limit; older generations kept`,
  );
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
