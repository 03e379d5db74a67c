/**
 * The documents a run passes between its steps: each step's input and output as the definition
 * wires them, and what Discover and Summarise write to the work bucket. They are read by the
 * steps, the local runner, the operator CLI and the tests, so they are declared here only.
 */
import type { MapRunOutput } from './map-run';
import type { ConsistencyMode, SetWorkItem } from './sets';
import type { S3Location } from './work-bucket';
import type { InvalidTarget, SkippedTarget, VolumeTask, VolumeWorkItem } from './work-items';

export interface DiscoverEvent {
  executionName: string;
  /** The execution input, as given. */
  input: unknown;
}

/** Everything discovery found; written to S3 for the summary and the operator. */
export interface DiscoveryReport {
  items: VolumeWorkItem[];
  invalid: InvalidTarget[];
  skipped: SkippedTarget[];
  /** Regions copies were kept in that are no longer configured (SPEC §10.6); absent: none. */
  retiredCopyRegions?: RetiredCopyRegion[];
  /**
   * The instances taken as sets (SPEC §12), each with its volumes (also in `items`, for pruning);
   * absent: none.
   */
  sets?: SetWorkItem[];
  /** Each targeted instance's consistency mode as decided (SPEC §12.1); absent in reports before it. */
  modes?: Record<string, ConsistencyMode>;
}

/**
 * A region removed from `copyRegions` (SPEC §10.6): its copies are left untouched, neither
 * copied to nor pruned, and every run reports them until they are gone.
 */
export interface RetiredCopyRegion {
  region: string;
  /** This deployment's copies still there (marker tag), when they could be counted. */
  copies?: number;
  message: string;
}

/** The regions a deployment ever kept copies in, as Discover records them (WorkPrefix.state). */
export interface CopyRegionsRecord {
  regions: string[];
}

export interface DiscoverOutput {
  executionName: string;
  /**
   * This run's key, unique across every execution ever run: tagged on its snapshots for
   * idempotency. Made here, once: a redrive resumes from the recorded state and keeps it.
   */
  runId: string;
  dryRun: boolean;
  /** A full live run (no `instanceIds`, not a dry run): only its success resets the no-success alarm. */
  fullRun: boolean;
  /**
   * The work list SnapshotVolumes reads (a JSON array of VolumeWorkItem), and the one the pruning
   * loop batches from.
   */
  items: S3Location;
  /**
   * SnapshotVolumes' work list: the volumes snapshotted on their own (`volume` mode). The same
   * object as `items` when no instance is taken as a set.
   */
  volumeItems: S3Location;
  /** SnapshotSets' work list (SetWorkItem[], SPEC §12); absent when no instance is taken as a set. */
  setItems?: S3Location & { count: number };
  /**
   * Where RecordSetRun writes the set branch's end (SnapshotRunRecord with `setRun`): present when
   * this live run takes sets, and then the pruning loop's last batch waits for it too.
   */
  setRecord?: S3Location;
  /**
   * Where RecordSnapshotRun writes the snapshot branch's end (SnapshotRunRecord), once
   * SnapshotVolumes has ended (at once in a dry run): the pruning loop's last batch waits for it.
   */
  snapshotRecord: S3Location;
  /** The full DiscoveryReport. */
  discovery: S3Location;
  /**
   * PruneCopies' work list as discovery knows it: each volume with copies, once per copy region
   * (PruneWorkItem with `region`, the copy generation, no `newSnapshot`). A dry run plans the
   * copies' retention from it; AwaitCopies replaces it with one carrying each copy. Absent when
   * no volume has copies.
   */
  copyPruneItems?: S3Location;
  /**
   * `instances`: the live instances carrying the tag (not those only a tagged volume is on).
   * `copies`: copy work items, one per volume with copies and copy region.
   */
  counts: {
    instances: number;
    volumes: number;
    invalid: number;
    skipped: number;
    copies: number;
    /** Instances taken as sets (SPEC §12), and the volumes in them (also in `volumes`). */
    sets?: number;
    setVolumes?: number;
  };
  /** The first invalid targets, for the console; the report has them all. */
  invalid: InvalidTarget[];
}

/** CreateSnapshot's output: what the ResultWriter records and AwaitSnapshots joins. */
export interface CreatedSnapshot {
  volumeId: string;
  snapshotId: string;
  state: string;
  /** Epoch milliseconds. */
  startTime: number;
  /** True when an earlier attempt of this run had already created it. */
  reused: boolean;
}

/**
 * What RecordSnapshotRun writes once the snapshot branch has ended: that branch's state (Discover's
 * output, and SnapshotVolumes' result in a live run). Only these fields are read.
 */
export interface SnapshotRunRecord {
  /** The run it belongs to: a record of another execution of the same name is not this run's. */
  runId: string;
  /** Where SnapshotVolumes' ResultWriter put the children's results; absent in a dry run. */
  snapshotRun?: MapRunOutput;
  /** In the set branch's record: where SnapshotSets' ResultWriter put the sets' results (CreatedSet). */
  setRun?: MapRunOutput;
}

/**
 * The pruning loop's state (the second branch of SnapshotAndPrune), as AwaitSnapshots and
 * ListUnprunedVolumes receive it: Discover's output and what the loop added.
 */
export interface AwaitSnapshotsEvent {
  executionName: string;
  runId: string;
  dryRun: boolean;
  /** Discovery's work list: every volume of the run, each pruned in exactly one batch. */
  items: S3Location;
  /** Where the snapshot branch records its end (SnapshotRunRecord). */
  snapshotRecord: S3Location;
  /** Where the set branch records its end, when the run takes sets (DiscoverOutput.setRecord). */
  setRecord?: S3Location;
  /** The loop's last batch; absent before the first. */
  pruneBatch?: PruneBatch;
  /** PruneVolumes' result of that batch (when it had volumes). */
  pruneRun?: MapRunOutput;
  /** Why AwaitSnapshots failed, when ListUnprunedVolumes runs instead. */
  waitError?: CaughtError;
}

/**
 * One turn of the pruning loop: the volumes PruneVolumes prunes next, each with this run's
 * snapshot of it once that snapshot settled (completed, in error, gone, or pending past the wait
 * limit), and where the loop stands. What AwaitSnapshots and ListUnprunedVolumes return.
 */
export interface PruneBatch {
  /** Turns of the loop so far, this one included: 1, 2, … (keys its documents). */
  number: number;
  /** Volumes in this batch. 0: nothing is left to prune, the loop ends. */
  count: number;
  /** No volume is left for a later batch: the loop ends after this one. */
  final: boolean;
  /** PruneVolumes' work list (PruneWorkItem[]); absent when `count` is 0. */
  items?: S3Location;
  /** The run's PruneLedger after this turn. */
  ledger: S3Location;
  /**
   * Where this run's snapshots stood at the poll that made the batch; absent when the turn did not
   * poll (a dry run, after a failed wait, after the final batch).
   */
  progress?: SnapshotProgress;
  /**
   * CopyVolumes' work list (CopyWorkItem[]), written by the poll that made the final batch: each
   * volume with copies whose snapshot completed, once per copy region. Absent when no volume has
   * copies, or when the wait failed.
   */
  copyItems?: S3Location & { count: number };
}

/**
 * What the pruning loop has done so far, rewritten at each turn under a key of its own (so that a
 * retried turn never reads what its failed attempt wrote): the volumes of every batch, never
 * batched again, and PruneVolumes' result of every batch that ran, for Summarise.
 */
export interface PruneLedger {
  batched: string[];
  runs: MapRunOutput[];
}

/** CopySnapshot's output: what the ResultWriter records and AwaitCopies joins. */
export interface CreatedCopy {
  volumeId: string;
  /** The destination region. */
  region: string;
  snapshotId: string;
  sourceSnapshotId: string;
  state: string;
  /** Epoch milliseconds. */
  startTime: number;
  /** True when an earlier attempt of this run had already made it. */
  reused: boolean;
}

/**
 * CopySnapshot's output when this run's snapshot was deleted before it could be copied, by the
 * retention of an overlapping run that made a newer completed one (SPEC §6.3): nothing to copy,
 * and not a failure. That run copies its own.
 */
export interface SupersededCopy {
  volumeId: string;
  region: string;
  sourceSnapshotId: string;
  /** The newer completed snapshot of the volume, in the deployment's region. */
  supersededBy: string;
}

/** What a CopyVolumes child returns. */
export type CopyOutcome = CreatedCopy | SupersededCopy;

/** AwaitCopies' input: the copy work list and CopyVolumes' result. */
export interface AwaitCopiesEvent {
  executionName: string;
  runId: string;
  /** CopyVolumes' work list (`$.pruneBatch.copyItems`). */
  copyItems: S3Location;
  /** Where CopyVolumes' ResultWriter put the children's results. */
  copyRun: MapRunOutput;
}

/** PruneCopies' work list (PruneWorkItem[] with `region`), and how the wait ended per region. */
export interface CopyPruneWorkList extends S3Location {
  progress: Record<string, SnapshotProgress>;
}

export interface SnapshotProgress {
  /** Snapshots SnapshotVolumes created. */
  created: number;
  completed: number;
  error: number;
  /** Not yet listed by EC2 (its API is eventually consistent), within LISTING_LAG_TOLERANCE_MS of its making. */
  notVisible: number;
  /**
   * Listed no more, LISTING_LAG_TOLERANCE_MS after it was made: deleted since (an overlapping
   * run's retention, or a person). Settled, never waited for: the prune step tells superseded
   * from failed. Absent in the progress of versions before it.
   */
  gone?: number;
  pending: number;
  /** Pending or not visible past the wait limit: their volumes fail in PruneVolumes. */
  timedOut: number;
}

/** An error as a Catch passes it on (`ResultPath`): its name, and Lambda's error document as JSON. */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

/**
 * What the prune function receives: the fan-out's item and, on every slice of a backlog after
 * the first, the `MoreToPrune` the child's Catch caught from the slice before. That error only
 * says "go on": what the slices did so far is the PruneProgress document in the work bucket.
 */
export interface PruneEvent extends VolumeTask {
  continued?: CaughtError;
}

/**
 * A backlog's work so far (the slices before this one), as the prune function keeps it in the
 * work bucket between slices (`pruneProgressKey`): the counts and lists a slice adds its own to.
 */
export interface PruneProgress {
  /** Slices done. */
  slices: number;
  deletedCount: number;
  /** The first MAX_LISTED deleted. */
  deleted: string[];
  /**
   * Every deletion refused so far, none tried again by a later slice: at most the volume's
   * family (MAX_FAMILY_PAGES pages), in S3 where no payload limit applies.
   */
  skipped: SkippedDeletion[];
}

/** A prune invocation's input as the step reads it: the item, and what earlier slices did. */
export interface PruneTask extends VolumeTask {
  /** The work so far, when this invocation continues a backlog (see `more`). */
  progress?: PruneProgress;
}

export interface SkippedDeletion {
  snapshotId: string;
  reason: string;
}

export interface PruneResult {
  volumeId: string;
  /** The copy region whose copies this is the retention of; absent: the deployment's region. */
  region?: string;
  generations: number;
  dryRun: boolean;
  /**
   * `pruned`: retention applied. `superseded`: this run's snapshot was already deleted by an
   * overlapping run's retention because newer completed generations exist (SPEC §6.3); that run
   * pruned the volume, so nothing is deleted here.
   */
  outcome: 'pruned' | 'superseded';
  /** The newer completed snapshot that superseded this run's. */
  supersededBy?: string;
  /**
   * Snapshots kept: the newest N completed, the newest MAX_LISTED_KEPT of them listed. Every list
   * of a result is bounded, so a result stays far inside Step Functions' 256 KiB per payload.
   */
  kept: string[];
  /** How many are kept (N, or fewer). Absent in results of versions before it: `kept` was complete. */
  keptCount?: number;
  /** Deleted (or, in a dry run, to be deleted): the first MAX_LISTED of `deletedCount`. */
  deleted: string[];
  deletedCount: number;
  /**
   * Deletions EC2 refused for a reason that is not a failure (in use by an AMI): the first
   * MAX_LISTED_SKIPS of `skippedCount`.
   */
  skipped: SkippedDeletion[];
  /** How many were refused. Absent in results of versions before it: `skipped` was complete. */
  skippedCount?: number;
  /** Pending snapshots of other runs, left alone. */
  pending: number;
  /** Deletions remain: the function ends the slice with MoreToPrune and PruneSnapshots runs again. */
  more: boolean;
}

/** Placeholder ID for the snapshot a dry run would create. */
export const PLANNED_SNAPSHOT_ID = '(new snapshot)';

/** A volume whose backup failed in this run, with the step and error that failed it. */
export interface VolumeFailure {
  volumeId: string;
  /** Absent for a volume backed up without an instance (not attached). */
  instanceId?: string;
  instanceName?: string;
  /** The copy region, for a failure of its copy or of the copies' retention there. */
  region?: string;
  /** The state that failed: CreateSnapshot, PruneSnapshots, CopySnapshot or PruneCopySnapshots. */
  step: string;
  error: string;
  message: string;
}

/**
 * The state when Summarise runs: Discover's output plus what the fan-outs added. An execution
 * started before the pruning loop existed (redriven since) has `snapshotRun` and one `pruneRun`
 * in its state instead of the record and the ledger.
 */
export interface SummariseEvent {
  executionName: string;
  runId: string;
  dryRun: boolean;
  /** From Discover; absent in a redrive of an execution started before it existed (not a full run). */
  fullRun?: boolean;
  items: S3Location;
  discovery: S3Location;
  /** The snapshot branch's record (SnapshotRunRecord): where SnapshotVolumes' results are. */
  snapshotRecord?: S3Location;
  /** The set branch's record, when the run took sets: where SnapshotSets' results are. */
  setRecord?: S3Location;
  /** The pruning loop's last turn: its ledger names every PruneVolumes run before it. */
  pruneBatch?: PruneBatch;
  /** PruneVolumes' last result: not in the ledger when the loop ended on a failure. */
  pruneRun?: MapRunOutput;
  /** Before the pruning loop existed: SnapshotVolumes' result, in the state. */
  snapshotRun?: MapRunOutput;
  /** AwaitSnapshots' error, when the wait itself failed and the run went on to prune. */
  waitError?: CaughtError;
  /** ListUnprunedVolumes' error, when that failed too: the volumes in no batch were not pruned. */
  unprunedError?: CaughtError;
  copyRun?: MapRunOutput;
  copyPruneRun?: MapRunOutput;
  /** AwaitCopies' error, when that wait failed and the run went on to PruneCopies. */
  copyWaitError?: { Error?: string; Cause?: string };
}

export interface RunReport {
  executionName: string;
  dryRun: boolean;
  outcome: 'SUCCEEDED' | 'FAILED';
  failures: VolumeFailure[];
  invalid: InvalidTarget[];
  /**
   * Volumes whose new snapshot (or, with `region`, copy) an overlapping run's newer generation
   * superseded (not failures).
   */
  superseded: { volumeId: string; region?: string; supersededBy?: string }[];
  /** Why AwaitSnapshots failed, if it did (each volume not pruned by then was checked by PruneSnapshots). */
  waitError?: { error: string; message: string };
  volumes: PruneResult[];
  /** The copies' retention, per volume and copy region (absent in reports of older versions). */
  copies?: PruneResult[];
  /** Why AwaitCopies failed, if it did. */
  copyWaitError?: { error: string; message: string };
  retiredCopyRegions?: RetiredCopyRegion[];
  /**
   * The execution input that re-runs just the failed volumes (`{"volumeIds": [...]}`, or `{}`
   * when there are more than an input may name); absent when no volume failed.
   */
  rerunInput?: { volumeIds?: string[] };
}

export interface SummariseOutput {
  outcome: 'SUCCEEDED' | 'FAILED';
  /** Names every failed volume and invalid target, cut to fit (only when FAILED). */
  cause?: string;
  /** As in RunReport: the input that re-runs just the failed volumes. */
  rerunInput?: { volumeIds?: string[] };
  dryRun: boolean;
  counts: {
    volumes: number;
    volumesFailed: number;
    volumesSuperseded: number;
    invalid: number;
    skippedTargets: number;
    snapshotsDeleted: number;
    deletionsSkipped: number;
    /**
     * Volume and copy region pairs whose copy or the copies' retention failed; copies deleted.
     * Absent in outputs of versions before copies.
     */
    copiesFailed?: number;
    copiesDeleted?: number;
  };
  /** Regions no longer configured whose copies were left alone (SPEC §10.6). */
  retiredCopyRegions?: RetiredCopyRegion[];
  /** The full RunReport. */
  report: S3Location;
  /** Dry run: the first planned creations and deletions; the report has them all. */
  plan?: { create: string[]; delete: string[] };
  /** The first deletions refused because the snapshot is in use. */
  skippedDeletions: SkippedDeletion[];
}
