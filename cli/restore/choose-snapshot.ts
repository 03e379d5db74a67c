import type { ManagedSnapshot } from '../../lambdas/aws/snapshot-queries';
import { newestFirst } from '../../lambdas/core/retention';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { CliError } from '../errors';
import { count } from '../plural';

/** Which generation to restore: a snapshot by ID, the K-th newest completed one, or (neither) the newest. */
export interface SnapshotChoice {
  snapshotId?: string;
  generation?: number;
}

export interface ChosenSnapshot {
  snapshot: ManagedSnapshot;
  /** Its place among the family's completed snapshots: 1 is the newest. */
  generation: number;
}

/**
 * Picks the snapshot to restore from a volume's family (the snapshots carrying the marker and
 * the volume's ID; with `copyRegion`, its copies there; `marked.from` is the option the marker
 * came from, for the operator to check), counting generations as retention does:
 * completed snapshots only, newest first by StartTime, then SnapshotId. Anything else is the
 * operator's to correct (exit 2).
 */
export function chooseSnapshot(
  family: readonly ManagedSnapshot[],
  volumeId: string,
  marked: { managedBy: string; from: string },
  choice: SnapshotChoice,
  copyRegion?: string,
): ChosenSnapshot {
  const { managedBy } = marked;
  const completed = family.filter((s) => s.state === 'completed').sort(newestFirst);
  const what = copyRegion === undefined ? 'snapshots' : `copies in ${copyRegion}`;
  const familyName = `${volumeId}'s ${what} marked ${SnapshotTag.managedBy}=${managedBy}`;
  if (choice.snapshotId !== undefined) {
    const index = completed.findIndex((s) => s.snapshotId === choice.snapshotId);
    if (index >= 0) return { snapshot: completed[index], generation: index + 1 };
    const other = family.find((s) => s.snapshotId === choice.snapshotId);
    throw new CliError(
      other
        ? `${choice.snapshotId} is ${other.state}: only a completed snapshot can be restored`
        : `${choice.snapshotId} is not one of ${familyName}: see \`ebs-backup generations --volume-ids ${volumeId}\``,
    );
  }
  if (completed.length === 0) {
    throw new CliError(
      copyRegion === undefined
        ? `none of ${familyName} is completed: nothing to restore (is ${marked.from} right? The original recipe's snapshots need \`ebs-backup adopt\` first)`
        : `none of ${familyName} is completed: nothing to restore there (is --from-region right? See \`ebs-backup generations --volume-ids ${volumeId}\`)`,
    );
  }
  const generation = choice.generation ?? 1;
  if (generation > completed.length) {
    throw new CliError(
      `${volumeId} has ${copyRegion === undefined ? count(completed.length, 'completed generation') : `${count(completed.length, 'completed copy', 'completed copies')} in ${copyRegion}`}: there is no generation ${generation}`,
    );
  }
  return { snapshot: completed[generation - 1], generation };
}
