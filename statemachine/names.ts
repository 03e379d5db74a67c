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
  summarise: 'Summarise',
  didBackupSucceed: 'DidBackupSucceed',
  backupFailed: 'BackupFailed',
  backupSucceeded: 'BackupSucceeded',
} as const;
