/**
 * State names of `ebs-generation-backup.asl.json`. They are API: they show in the console, in
 * alarms, in the failure cause and in the operator tools, so they never change.
 */
export const StateName = {
  discover: 'Discover',
  isDryRun: 'IsDryRun',
  snapshotVolumes: 'SnapshotVolumes',
  createSnapshot: 'CreateSnapshot',
  awaitSnapshots: 'AwaitSnapshots',
  pruneVolumes: 'PruneVolumes',
  pruneSnapshots: 'PruneSnapshots',
  /** Choice after PruneVolumes: copy (live run), plan the copies' retention (dry run), or neither. */
  anyCopies: 'AnyCopies',
  /** Distributed Map: one child per volume and copy region (SPEC §10). */
  copyVolumes: 'CopyVolumes',
  copySnapshot: 'CopySnapshot',
  awaitCopies: 'AwaitCopies',
  /** Distributed Map: one child per volume and copy region, retention of the copies there. */
  pruneCopies: 'PruneCopies',
  pruneCopySnapshots: 'PruneCopySnapshots',
  summarise: 'Summarise',
  didBackupSucceed: 'DidBackupSucceed',
  backupFailed: 'BackupFailed',
  backupSucceeded: 'BackupSucceeded',
} as const;
