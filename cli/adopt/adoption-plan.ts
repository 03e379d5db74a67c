import type { ManagedSnapshot } from '../../lambdas/aws/snapshot-queries';
import { parseSnapshotDescription } from '../../lambdas/core/description';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';

/** A snapshot of the original recipe that adoption tags for this deployment. */
export interface AdoptionCandidate {
  snapshotId: string;
  volumeId: string;
  /** The Name in its description, if any. */
  instanceName?: string;
  description: string;
  startTime: number;
  state: string;
}

/** A snapshot that looks like the recipe's but is not adopted, and why. */
export interface LeftAlone {
  snapshotId: string;
  /** The volume EC2 says it is a snapshot of. */
  volumeId?: string;
  description: string;
  reason: string;
}

export interface AdoptionPlan {
  /** By volume, oldest first. */
  adopt: AdoptionCandidate[];
  leftAlone: LeftAlone[];
  /** Snapshots already carrying this deployment's marker: nothing to do (a second run finds only these). */
  alreadyManaged: number;
}

/**
 * Decides, for each snapshot whose description looks like the recipe's, whether adoption may tag
 * it (SPEC §3.6). Adopted: the description parses, names the volume the snapshot is of, and no
 * deployment's marker or other volume's tag is on it. Left alone, with the reason: a description
 * naming another volume than the snapshot's (a copy, say), another deployment's marker, or a
 * `Backup-Volume-Id` for another volume. Text that only starts like the format is not the
 * recipe's and is ignored, as is a volume outside `volumeIds` when given.
 */
export function planAdoption(
  snapshots: readonly ManagedSnapshot[],
  managedBy: string,
  volumeIds?: readonly string[],
): AdoptionPlan {
  const wanted = volumeIds && new Set(volumeIds);
  const plan: AdoptionPlan = { adopt: [], leftAlone: [], alreadyManaged: 0 };
  for (const snapshot of snapshots) {
    const description = snapshot.description ?? '';
    const described = parseSnapshotDescription(description);
    if (!described || (wanted && !wanted.has(described.volumeId))) continue;
    const marker = snapshot.tags[SnapshotTag.managedBy];
    const taggedVolume = snapshot.tags[SnapshotTag.volumeId];
    const leave = (reason: string) =>
      plan.leftAlone.push({
        snapshotId: snapshot.snapshotId,
        volumeId: snapshot.volumeId,
        description,
        reason,
      });
    if (marker === managedBy) plan.alreadyManaged += 1;
    else if (marker !== undefined) leave(`managed by another deployment: ${SnapshotTag.managedBy}=${marker}`);
    else if (snapshot.volumeId !== described.volumeId) {
      leave(
        `its description names ${described.volumeId}, but it is a snapshot of ${snapshot.volumeId ?? 'no volume'}`,
      );
    } else if (taggedVolume !== undefined && taggedVolume !== described.volumeId) {
      leave(`already tagged ${SnapshotTag.volumeId}=${taggedVolume}`);
    } else {
      plan.adopt.push({
        snapshotId: snapshot.snapshotId,
        volumeId: described.volumeId,
        ...(described.instanceName !== undefined && { instanceName: described.instanceName }),
        description,
        startTime: snapshot.startTime,
        state: snapshot.state,
      });
    }
  }
  plan.adopt.sort(
    (a, b) =>
      compare(a.volumeId, b.volumeId) || a.startTime - b.startTime || compare(a.snapshotId, b.snapshotId),
  );
  plan.leftAlone.sort((a, b) => compare(a.snapshotId, b.snapshotId));
  return plan;
}

/** One line per volume: how many of its snapshots, from when to when, under which name. */
export interface VolumeAdoption {
  volumeId: string;
  count: number;
  oldest: number;
  newest: number;
  instanceName?: string;
}

/** The candidates (sorted as planAdoption sorts them) summed up per volume; the name is the newest one's. */
export function adoptionByVolume(adopt: readonly AdoptionCandidate[]): VolumeAdoption[] {
  const volumes = new Map<string, VolumeAdoption>();
  for (const candidate of adopt) {
    const { volumeId, startTime, instanceName } = candidate;
    const volume = volumes.get(volumeId) ?? { volumeId, count: 0, oldest: startTime, newest: startTime };
    volumes.set(volumeId, {
      volumeId,
      count: volume.count + 1,
      oldest: Math.min(volume.oldest, startTime),
      newest: startTime,
      ...(instanceName !== undefined && { instanceName }),
    });
  }
  return [...volumes.values()];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
