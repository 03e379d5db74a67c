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
}

/**
 * The tags applied atomically at creation (SPEC §2.2). A volume backed up without an instance
 * (not attached) gets no `Backup-Instance-Id` tag and its own ID as `Name`.
 */
export function snapshotTags(input: SnapshotTagInput): { Key: string; Value: string }[] {
  const name = input.instanceName?.trim() ? input.instanceName : input.volumeId;
  return [
    { Key: 'Name', Value: name },
    { Key: SnapshotTag.managedBy, Value: input.managedBy },
    { Key: SnapshotTag.volumeId, Value: input.volumeId },
    ...(input.instanceId === undefined ? [] : [{ Key: SnapshotTag.instanceId, Value: input.instanceId }]),
    { Key: SnapshotTag.generation, Value: String(input.generations) },
    { Key: SnapshotTag.execution, Value: input.executionName },
    { Key: SnapshotTag.runId, Value: input.runId },
  ];
}
