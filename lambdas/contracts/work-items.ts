/** The items of the two fan-outs and what discovery reports beside them. */

/** One volume to back up in this run: an item of both fan-outs (written to S3 by Discover). */
export interface VolumeWorkItem {
  volumeId: string;
  /**
   * The instance whose Name and attachment this volume is backed up under (see
   * `resolveTargets`); absent for a volume targeted by its own tag that is not attached.
   */
  instanceId?: string;
  /** The instance's Name tag, when it has one. */
  instanceName?: string;
  /** `Auto Snapshot <volume-id>(<Name>)`, as in SPEC §2.1. */
  description: string;
  /** The number of completed generations to keep (1…1000). */
  generations: number;
  /**
   * Copies to keep in each copy region (SPEC §10.2: 1…1000); absent when the deployment has no
   * copy regions, the tag is absent or `0`, or its value is invalid (then reported).
   */
  copyGenerations?: number;
  /** The volume's tags its snapshots and copies carry (copyVolumeTags, SPEC §10.7). */
  carriedTags?: Record<string, string>;
}

/** This run's snapshot of a volume, as SnapshotVolumes created it. */
export interface NewSnapshot {
  snapshotId: string;
  /** Epoch milliseconds. */
  startTime: number;
}

/**
 * An item of PruneVolumes: the volume and this run's snapshot of it, as the pruning loop knew it
 * (the run's listing, or SnapshotVolumes' results). A volume SnapshotVolumes made none for, and a
 * dry run's items, have no `newSnapshot`: the prune step then looks for it by the run's tag.
 */
export interface PruneWorkItem extends VolumeWorkItem {
  newSnapshot?: NewSnapshot;
  /**
   * A copy region (PruneCopies): the family is the volume's copies there, `generations` is the
   * copy generation and `newSnapshot` this run's copy. Absent: the deployment's own region.
   */
  region?: string;
  /**
   * PruneCopies: this run's snapshot was superseded before it could be copied (SupersededCopy):
   * the newer snapshot's run copies and prunes; this item has nothing to do.
   */
  supersededBy?: string;
}

/** This run's completed snapshot of a volume, the source of its copies. */
export interface SourceSnapshot extends NewSnapshot {
  /** The deployment's region. */
  region: string;
  /** Copies of an encrypted snapshot are encrypted (with the copy region's configured key). */
  encrypted: boolean;
}

/**
 * An item of CopyVolumes: one volume and one copy region, written by AwaitSnapshots for each
 * volume with copies whose snapshot of this run completed.
 */
export interface CopyWorkItem extends VolumeWorkItem {
  /** The destination region. */
  region: string;
  copyGenerations: number;
  source: SourceSnapshot;
}

/**
 * How a create or copy Task was entered (SPEC §2.3): what tells it whether an earlier attempt
 * may have made the snapshot. CreateSnapshot (CopySnapshot) gets `redriveCount` and
 * `absenceConfirmed`; ConfirmSnapshot (ConfirmCopy) gets `confirmSince`.
 */
export interface Reentry {
  /**
   * `$$.Execution.RedriveCount` of the child execution itself: > 0 when the child was redriven,
   * e.g. after its parent was stopped while this step's Lambda invocation was still running.
   */
  redriveCount?: number;
  /**
   * True once ConfirmSnapshot (ConfirmCopy) found that an attempt of unknown outcome made
   * nothing: the step creates without looking again. The Map's ItemSelector starts it false.
   */
  absenceConfirmed?: boolean;
  /**
   * ConfirmSnapshot (ConfirmCopy) only: when that state was entered (`$$.State.EnteredTime`),
   * after the attempt of unknown outcome. The step looks for the run's snapshot and never makes one.
   */
  confirmSince?: string;
}

/** What a CopyVolumes child receives (its ItemSelector plus the Task's own context fields). */
export interface CopyTask extends Reentry {
  copy: CopyWorkItem;
  executionName: string;
  runId: string;
}

/** What a fan-out child receives (the Map's ItemSelector, plus the Task's own context fields). */
export interface VolumeTask extends Reentry {
  volume: PruneWorkItem;
  executionName: string;
  /** The run's unique key (SnapshotTag.runId): idempotency and finding this run's snapshots. */
  runId: string;
  dryRun: boolean;
  /**
   * The prune fan-outs: when the execution started (`$$.Execution.StartTime`). Without this
   * run's snapshot by ID (the wait failed, or it was never made), a newer completed generation
   * made since then tells that an overlapping run superseded this one.
   */
  runStartedAt?: string;
}

/** An instance or volume whose tag value is not valid (SPEC §1.2): reported, never processed. */
export interface InvalidTarget {
  resource: 'instance' | 'volume';
  /**
   * The tag whose value is invalid, when it is not the generation tag: the copy tag (SPEC §10.2:
   * the volume is still backed up in its own region, and its copies are left alone) or the
   * consistency tag (SPEC §12.1: the instance's volumes are backed up in `volume` mode). Absent:
   * the generation tag.
   */
  tagKey?: string;
  id: string;
  /** For volume-level tags: the attached instance whose ID sorts first; absent when not attached. */
  instanceId?: string;
  /** The offending tag value; absent for a requested instance that is not targeted at all. */
  value?: string;
  reason: string;
}

/** An instance or volume excluded by a generation of 0, or a requested instance not targeted. */
export interface SkippedTarget {
  resource: 'instance' | 'volume';
  id: string;
  reason: string;
}
