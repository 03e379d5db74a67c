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
  /** Its tags now (none for the recipe's own; with `includeTagged`, the user's). */
  tags: Record<string, string>;
}

/** A snapshot that looks like the recipe's but is not adopted, and why. */
export interface LeftAlone {
  snapshotId: string;
  /** The volume EC2 says it is a snapshot of. */
  volumeId?: string;
  description: string;
  startTime: number;
  tags: Record<string, string>;
  reason: string;
  /** Left alone only for tags the recipe never sets: `includeTagged` would adopt it. */
  tagged: boolean;
}

export interface AdoptionPlan {
  /** By volume, oldest first. */
  adopt: AdoptionCandidate[];
  leftAlone: LeftAlone[];
  /** Snapshots already carrying this deployment's marker: nothing to do (a second run finds only these). */
  alreadyManaged: number;
}

export interface AdoptionScope {
  /** Only snapshots whose description names these volumes. */
  volumeIds?: readonly string[];
  /** Adopt snapshots with tags of their own too: the user says they are the recipe's. */
  includeTagged?: boolean;
}

/**
 * Decides, for each snapshot whose description looks like the recipe's, whether adoption may tag
 * it (SPEC §3.6). Adopted: the description parses, names the volume the snapshot is of, and no
 * deployment's marker or other volume's tag is on it. Left alone, with the reason: a description
 * naming another volume than the snapshot's (a copy, say), another deployment's marker, a
 * `Backup-Volume-Id` for another volume, or (unless `includeTagged`) any tag of the user's: the
 * original recipe sets no tag at all, so a tagged snapshot with its description is someone's own
 * (see `userTags`). Text that only starts like the format is not the recipe's and is ignored, as
 * is a volume outside `volumeIds` when given.
 */
export function planAdoption(
  snapshots: readonly ManagedSnapshot[],
  managedBy: string,
  scope: AdoptionScope = {},
): AdoptionPlan {
  const wanted = scope.volumeIds && new Set(scope.volumeIds);
  const plan: AdoptionPlan = { adopt: [], leftAlone: [], alreadyManaged: 0 };
  for (const snapshot of snapshots) {
    const description = snapshot.description ?? '';
    const described = parseSnapshotDescription(description);
    if (!described || (wanted && !wanted.has(described.volumeId))) continue;
    const { tags } = snapshot;
    const marker = tags[SnapshotTag.managedBy];
    const taggedVolume = tags[SnapshotTag.volumeId];
    const own = userTags(tags);
    const leave = (reason: string, tagged = false) =>
      plan.leftAlone.push({
        snapshotId: snapshot.snapshotId,
        volumeId: snapshot.volumeId,
        description,
        startTime: snapshot.startTime,
        tags,
        reason,
        tagged,
      });
    if (marker === managedBy) plan.alreadyManaged += 1;
    else if (marker !== undefined) leave(`managed by another deployment: ${SnapshotTag.managedBy}=${marker}`);
    else if (snapshot.volumeId !== described.volumeId) {
      leave(
        `its description names ${described.volumeId}, but it is a snapshot of ${snapshot.volumeId ?? 'no volume'}`,
      );
    } else if (taggedVolume !== undefined && taggedVolume !== described.volumeId) {
      leave(`already tagged ${SnapshotTag.volumeId}=${taggedVolume}`);
    } else if (own.length > 0 && !scope.includeTagged) {
      leave(`tags the original recipe never sets: ${tagList(tags, own)}`, true);
    } else {
      plan.adopt.push({
        snapshotId: snapshot.snapshotId,
        volumeId: described.volumeId,
        ...(described.instanceName !== undefined && { instanceName: described.instanceName }),
        description,
        startTime: snapshot.startTime,
        state: snapshot.state,
        tags,
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

/**
 * The keys of a snapshot's tags that someone other than the recipe, AWS or adoption put there.
 * The original recipe tags nothing. `aws:` keys are AWS's own (no one else may write them) and
 * say nothing of who took the snapshot; `Backup-Volume-Id` is adoption's (judged on its own).
 */
export function userTags(tags: Readonly<Record<string, string>>): string[] {
  return Object.keys(tags)
    .filter((key) => !key.toLowerCase().startsWith('aws:') && key !== SnapshotTag.volumeId)
    .sort();
}

/** `CreatedBy=human, Team=web`: the given keys of `tags`, as a person reads them. */
export function tagList(tags: Readonly<Record<string, string>>, keys = Object.keys(tags).sort()): string {
  return keys.map((key) => `${key}=${tags[key]}`).join(', ');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
