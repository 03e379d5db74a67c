import type { ManagedSnapshot } from '../../lambdas/aws/snapshot-queries';
import type { CreatedSet } from '../../lambdas/contracts/sets';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { CliError } from '../errors';

/** `--set latest`: the instance's newest set whose every snapshot is completed. */
export const LATEST_SET = 'latest';

/** Which set to restore: one by its ID, or the newest completed one of an instance. */
export type SetChoice = { setId: string } | { latestOf: string };

/** One snapshot of the chosen set, with the volume it was taken of. */
export interface SetMember {
  snapshot: ManagedSnapshot;
  volumeId: string;
}

export interface ChosenSet {
  setId: string;
  instanceId: string;
  /** The set's `Backup-Consistency` tag: `application` when its pre-script succeeded. */
  consistency: CreatedSet['consistency'];
  /** Epoch milliseconds: CreateSnapshots gives the whole set one StartTime. */
  startTime: number;
  /** Sorted by volume ID, as the workflow lists a set's volumes. */
  members: SetMember[];
  /** With `latest`: newer sets of the instance passed over because not all their snapshots are completed. */
  newerNotCompleted: string[];
}

/** The instance a set ID names: `<instance-id>/<run-id>` (see `setId`). */
export function instanceOfSet(setId: string): string {
  return setId.slice(0, setId.indexOf('/'));
}

/**
 * Picks the set to restore from `snapshots` (this deployment's snapshots of the set, or with
 * `latest` of the instance; `marked.from` is the option the marker came from). A set is restored
 * whole or not at all: every one of its snapshots must be completed. A snapshot without the
 * `Backup-Volume-Id` tag (its CreateTags was interrupted) is still its volume's, by EC2's own
 * VolumeId. Anything else is the operator's to correct (exit 2).
 */
export function chooseSet(
  snapshots: readonly ManagedSnapshot[],
  choice: SetChoice,
  marked: { managedBy: string; from: string },
): ChosenSet {
  const sets = groupBySet(snapshots);
  const marker = `${SnapshotTag.managedBy}=${marked.managedBy}`;
  if ('setId' in choice) {
    const members = sets.get(choice.setId);
    if (!members) {
      throw new CliError(
        `--set ${choice.setId}: no snapshot marked ${marker} carries ${SnapshotTag.setId}=${choice.setId} ` +
          `(is ${marked.from} right? \`--set latest --instance-id ${instanceOfSet(choice.setId)}\` takes the instance's newest completed set)`,
      );
    }
    const notCompleted = members.filter((m) => m.snapshot.state !== 'completed');
    if (notCompleted.length > 0) {
      throw new CliError(
        `--set ${choice.setId} is not completed: ${notCompleted.map(stateOf).join(', ')}; only a set whose every snapshot is completed can be restored`,
      );
    }
    return toChosen(choice.setId, members, []);
  }
  const newestFirst = [...sets.entries()].sort(([a, x], [b, y]) => {
    const byTime = startOf(y) - startOf(x);
    return byTime !== 0 ? byTime : a < b ? 1 : a > b ? -1 : 0;
  });
  const newerNotCompleted: string[] = [];
  for (const [setId, members] of newestFirst) {
    if (members.every((m) => m.snapshot.state === 'completed')) {
      return toChosen(setId, members, newerNotCompleted);
    }
    newerNotCompleted.push(setId);
  }
  const incomplete = newerNotCompleted.length > 0 ? ` (not completed: ${newerNotCompleted.join(', ')})` : '';
  throw new CliError(
    `--set latest: ${choice.latestOf} has no completed set marked ${marker}${incomplete}; ` +
      `is ${marked.from} right? An instance is taken as a set only in instance or application mode (\`ebs-backup plan\` shows each instance's)`,
  );
}

function groupBySet(snapshots: readonly ManagedSnapshot[]): Map<string, SetMember[]> {
  const sets = new Map<string, SetMember[]>();
  for (const snapshot of snapshots) {
    const setId = snapshot.tags[SnapshotTag.setId];
    const volumeId = snapshot.tags[SnapshotTag.volumeId] ?? snapshot.volumeId;
    if (setId === undefined || volumeId === undefined) continue;
    sets.set(setId, [...(sets.get(setId) ?? []), { snapshot, volumeId }]);
  }
  for (const members of sets.values()) {
    members.sort((a, b) => (a.volumeId < b.volumeId ? -1 : a.volumeId > b.volumeId ? 1 : 0));
  }
  return sets;
}

function startOf(members: readonly SetMember[]): number {
  return Math.min(...members.map((m) => m.snapshot.startTime));
}

function stateOf(member: SetMember): string {
  return `${member.snapshot.snapshotId} (${member.volumeId}) is ${member.snapshot.state}`;
}

function toChosen(setId: string, members: SetMember[], newerNotCompleted: string[]): ChosenSet {
  const consistency = members[0].snapshot.tags[SnapshotTag.consistency];
  return {
    setId,
    instanceId: instanceOfSet(setId),
    consistency: consistency === 'application' ? 'application' : 'crash',
    startTime: startOf(members),
    members,
    newerNotCompleted,
  };
}
