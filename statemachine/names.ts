/**
 * State names of `ebs-generation-backup.asl.json`. They are API: they show in the console, in
 * alarms, in the failure cause and in the operator tools, so they never change.
 */
export const StateName = {
  discover: 'Discover',
  isDryRun: 'IsDryRun',
  snapshotVolumes: 'SnapshotVolumes',
  createSnapshot: 'CreateSnapshot',
  /**
   * After an attempt of unknown outcome (a lost response, a Lambda timeout, a redrive): looks
   * for this run's snapshot of the volume until the listing has had LISTING_LAG_TOLERANCE_MS to
   * show it, and never creates one.
   */
  confirmSnapshot: 'ConfirmSnapshot',
  /** Pass: ConfirmSnapshot found none in that time, so CreateSnapshot may create. */
  snapshotAbsent: 'SnapshotAbsent',
  awaitSnapshots: 'AwaitSnapshots',
  pruneVolumes: 'PruneVolumes',
  pruneSnapshots: 'PruneSnapshots',
  /** Choice after PruneVolumes: copy (live run), plan the copies' retention (dry run), or neither. */
  anyCopies: 'AnyCopies',
  /** Distributed Map: one child per volume and copy region (SPEC §10). */
  copyVolumes: 'CopyVolumes',
  copySnapshot: 'CopySnapshot',
  /** As ConfirmSnapshot, for this run's copy in the copy region. */
  confirmCopy: 'ConfirmCopy',
  /** Pass: ConfirmCopy found none in that time, so CopySnapshot may copy. */
  copyAbsent: 'CopyAbsent',
  awaitCopies: 'AwaitCopies',
  /** Distributed Map: one child per volume and copy region, retention of the copies there. */
  pruneCopies: 'PruneCopies',
  pruneCopySnapshots: 'PruneCopySnapshots',
  summarise: 'Summarise',
  didBackupSucceed: 'DidBackupSucceed',
  backupFailed: 'BackupFailed',
  backupSucceeded: 'BackupSucceeded',
} as const;
