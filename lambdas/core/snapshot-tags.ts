/**
 * Tag keys written on every snapshot this product creates (SPEC §2.2). They are API: IAM
 * conditions, pruning and the operator tools rely on them, so they never change.
 */
export const SnapshotTag = {
  /** Names the deployment that owns the snapshot. IAM allows DeleteSnapshot only where it is present. */
  managedBy: 'Backup-Managed-By',
  volumeId: 'Backup-Volume-Id',
  instanceId: 'Backup-Instance-Id',
  /** The generation (N) in force when the snapshot was taken. */
  generation: 'Backup-Generation',
  /** Name of the Step Functions execution that created the snapshot, for people and the console. */
  execution: 'Backup-Execution',
  /**
   * The run's key, unique across every execution ever run (see `newRunId`): the idempotency key
   * and how a run finds its own snapshots. Execution names are not enough: they repeat after 90
   * days, and a replaced state machine keeps its name and marker.
   */
  runId: 'Backup-Run-Id',
  /** On a copy only (SPEC §10.3): the snapshot it was copied from, in the source region. */
  sourceSnapshotId: 'Backup-Source-Snapshot-Id',
  /** On a copy only: the region of its source snapshot (the deployment's region). */
  sourceRegion: 'Backup-Source-Region',
  /** On a snapshot of a set only (SPEC §12.2): the set it belongs to (`setId`), the same on each. */
  setId: 'Backup-Set-Id',
  /** On a snapshot of a set only: `application` (its pre-script succeeded) or `crash`. */
  consistency: 'Backup-Consistency',
} as const;

/** The default tag key that targets instances and volumes (SPEC §1.1). */
export const DEFAULT_TARGET_TAG_KEY = 'Backup-Generation';

export interface SnapshotTagInput {
  managedBy: string;
  executionName: string;
  runId: string;
  volumeId: string;
  /** Absent for a volume that is not attached: then no instance ID tag is written. */
  instanceId?: string;
  instanceName?: string;
  generations: number;
  /** The volume's own tags carried over (copyVolumeTags, SPEC §10.7); see `carriedVolumeTags`. */
  carriedTags?: Readonly<Record<string, string>>;
}

/** What a copy's tags add to its source's (SPEC §10.3). */
export interface CopyTagInput extends SnapshotTagInput {
  /** The copy generation (N copies kept in each copy region), written as `Backup-Generation`. */
  generations: number;
  sourceSnapshotId: string;
  sourceRegion: string;
}

/**
 * The tags applied atomically at creation (SPEC §2.2). A volume backed up without an instance
 * (not attached) gets no `Backup-Instance-Id` tag and its own ID as `Name`.
 */
export function snapshotTags(input: SnapshotTagInput): { Key: string; Value: string }[] {
  const name = input.instanceName?.trim() ? input.instanceName : input.volumeId;
  const carried = Object.entries(input.carriedTags ?? {})
    .filter(([key]) => !isReservedTagKey(key))
    .map(([Key, Value]) => ({ Key, Value }));
  return [
    { Key: 'Name', Value: name },
    { Key: SnapshotTag.managedBy, Value: input.managedBy },
    { Key: SnapshotTag.volumeId, Value: input.volumeId },
    ...(input.instanceId === undefined ? [] : [{ Key: SnapshotTag.instanceId, Value: input.instanceId }]),
    { Key: SnapshotTag.generation, Value: String(input.generations) },
    { Key: SnapshotTag.execution, Value: input.executionName },
    { Key: SnapshotTag.runId, Value: input.runId },
    ...carried,
  ];
}

/** The tags of a copy: its source's, with the copy generation, plus where it was copied from. */
export function copyTags(input: CopyTagInput): { Key: string; Value: string }[] {
  return [
    ...snapshotTags(input),
    { Key: SnapshotTag.sourceSnapshotId, Value: input.sourceSnapshotId },
    { Key: SnapshotTag.sourceRegion, Value: input.sourceRegion },
  ];
}

/** EC2 allows at most 50 user tags on a resource. */
export const MAX_TAGS_PER_RESOURCE = 50;

/** Which of a volume's tags follow it to its snapshots and copies (SPEC §10.7). */
export type CopyVolumeTags = readonly string[] | '*';

/**
 * Keys never taken from a volume, whatever `copyVolumeTags` says: those this product writes
 * (SnapshotTag, `Name`), the targeting keys it reads (`ownKeys`: the generation and copy tag
 * keys), and `aws:` keys, which only AWS may write.
 */
export function isReservedTagKey(key: string, ownKeys: readonly string[] = []): boolean {
  return (
    key === 'Name' ||
    key.toLowerCase().startsWith('aws:') ||
    (Object.values(SnapshotTag) as string[]).includes(key) ||
    ownKeys.includes(key)
  );
}

/** Tags this product writes on a copy at most (SnapshotTag and `Name`). */
const OWN_TAGS_AT_MOST = Object.keys(SnapshotTag).length + 1;

/**
 * The tags of a volume that its snapshots and copies carry (SPEC §10.7): those `selection`
 * names (every one for `*`), except reserved keys. EC2 allows 50 tags on a snapshot, and ours
 * come first: beyond what is left, keys are taken in sorted order and the rest dropped, so a
 * volume with many tags is still backed up.
 */
export function carriedVolumeTags(
  volumeTags: Readonly<Record<string, string>>,
  selection: CopyVolumeTags | undefined,
  ownKeys: readonly string[],
): Record<string, string> {
  if (selection === undefined || (selection !== '*' && selection.length === 0)) return {};
  const wanted = selection === '*' ? undefined : new Set(selection);
  const keys = Object.keys(volumeTags)
    .filter((key) => (wanted ? wanted.has(key) : true) && !isReservedTagKey(key, ownKeys))
    .sort()
    .slice(0, MAX_TAGS_PER_RESOURCE - OWN_TAGS_AT_MOST);
  return Object.fromEntries(keys.map((key) => [key, volumeTags[key]]));
}
