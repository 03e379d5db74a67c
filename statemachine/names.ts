/**
 * State names of `ebs-generation-backup.asl.json`. They are API: they show in the console, in
 * alarms, in the failure cause and in the operator tools, so they never change.
 */
export const StateName = {
  discover: 'Discover',
  /**
   * Parallel: the snapshot fan-out (first branch) beside the pruning loop (second branch), so that
   * a volume is pruned as soon as its own new snapshot settled, not after every snapshot exists.
   */
  snapshotAndPrune: 'SnapshotAndPrune',
  /** Choice, first of the snapshot branch: a dry run makes no snapshot. */
  isDryRun: 'IsDryRun',
  /** Choice, first of the set branch: a live run with instances taken as sets (SPEC §12) runs SnapshotSets. */
  anySets: 'AnySets',
  /** Distributed Map: one child per instance taken as a set (`instance` or `application` mode). */
  snapshotSets: 'SnapshotSets',
  /** S3 PutObject, last of the set branch: records that SnapshotSets has ended, as RecordSnapshotRun. */
  recordSetRun: 'RecordSetRun',
  /** Succeed: the set branch of a run with no set (or a dry run). */
  noSets: 'NoSets',
  /** Choice, first of a set's child: `application` runs the pre-script first. */
  setMode: 'SetMode',
  /** SSM Run Command of the instance's pre-script, waited for by retrying `ScriptPending`. */
  preScript: 'PreScript',
  /** One EC2 CreateSnapshots call for the whole set, exactly once (looked up on re-entry). */
  createSnapshotSet: 'CreateSnapshotSet',
  /** As ConfirmSnapshot, for this run's set of the instance. */
  confirmSnapshotSet: 'ConfirmSnapshotSet',
  /** Pass: ConfirmSnapshotSet found none in that time, so CreateSnapshotSet may create. */
  snapshotSetAbsent: 'SnapshotSetAbsent',
  /** Choice after the set was taken (or not): `application` runs the post-script, always. */
  afterSnapshotSet: 'AfterSnapshotSet',
  /** SSM Run Command of the instance's post-script, as PreScript. */
  postScript: 'PostScript',
  /** The set's outcome: its snapshots, or a failure naming the instance, its volumes and what failed. */
  finishSet: 'FinishSet',
  /** Succeed: a crash-consistent set taken; its snapshots are the child's output (no FinishSet needed). */
  setTaken: 'SetTaken',
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
  /**
   * S3 PutObject (SDK integration), last of the snapshot branch: records that SnapshotVolumes has
   * ended and where its results are, for the pruning loop and Summarise.
   */
  recordSnapshotRun: 'RecordSnapshotRun',
  /** First of the pruning loop: polls the run's snapshots, returns the next batch of volumes to prune. */
  awaitSnapshots: 'AwaitSnapshots',
  /** Choice: a batch to prune, or the loop is done. */
  anyToPrune: 'AnyToPrune',
  /** Distributed Map, once per batch: a volume's prune child is in exactly one of its Map Runs. */
  pruneVolumes: 'PruneVolumes',
  pruneSnapshots: 'PruneSnapshots',
  /**
   * After AwaitSnapshots failed: waits for SnapshotVolumes to end, without polling EC2, and hands
   * PruneVolumes every volume not pruned yet, each checking its own snapshot.
   */
  listUnprunedVolumes: 'ListUnprunedVolumes',
  /** Succeed: the end of the pruning loop. */
  pruningDone: 'PruningDone',
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
