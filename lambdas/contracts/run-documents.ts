/**
 * The documents a run passes between its steps: each step's input and output as the definition
 * wires them, and what Discover and Summarise write to the work bucket. They are read by the
 * steps, the local runner, the operator CLI and the tests, so they are declared here only.
 */
import type { MapRunOutput } from './map-run';
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
  /** The work list SnapshotVolumes reads (a JSON array of VolumeWorkItem). */
  items: S3Location;
  /**
   * The work list PruneVolumes reads: the same list for a dry run; AwaitSnapshots replaces it
   * with one that carries each volume's new snapshot. If the wait fails, the prune step finds
   * the run's snapshots by tag instead.
   */
  pruneItems: S3Location;
  /** The full DiscoveryReport. */
  discovery: S3Location;
  /** `instances`: the live instances carrying the tag (not those only a tagged volume is on). */
  counts: { instances: number; volumes: number; invalid: number; skipped: number };
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

/** AwaitSnapshots' input: from Discover's output and SnapshotVolumes' result. */
export interface AwaitSnapshotsEvent {
  executionName: string;
  runId: string;
  /** Discovery's work list. */
  items: S3Location;
  /** Where SnapshotVolumes' ResultWriter put the children's results. */
  snapshotRun: MapRunOutput;
}

/** PruneVolumes' work list, and how the wait ended (shown in the console). */
export interface PruneWorkList extends S3Location {
  progress: SnapshotProgress;
}

export interface SnapshotProgress {
  /** Snapshots SnapshotVolumes created. */
  created: number;
  completed: number;
  error: number;
  /** Not yet listed by EC2 (its API is eventually consistent). */
  notVisible: number;
  pending: number;
  /** Pending or not visible past the wait limit: their volumes fail in PruneVolumes. */
  timedOut: number;
}

/** A prune invocation's input: the work item, and what earlier invocations of it did. */
export interface PruneTask extends VolumeTask {
  /** The result so far, when this invocation continues a backlog (see `more`). */
  progress?: PruneResult;
}

export interface SkippedDeletion {
  snapshotId: string;
  reason: string;
}

export interface PruneResult {
  volumeId: string;
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
  /** Snapshots kept: the newest N completed. */
  kept: string[];
  /** Deleted (or, in a dry run, to be deleted): the first MAX_LISTED of `deletedCount`. */
  deleted: string[];
  deletedCount: number;
  /** Deletions EC2 refused for a reason that is not a failure (in use by an AMI). */
  skipped: SkippedDeletion[];
  /** Pending snapshots of other runs, left alone. */
  pending: number;
  /** Deletions remain: PruneSnapshots runs again with this result as `progress`. */
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
  /** The state that failed: CreateSnapshot or PruneSnapshots. */
  step: string;
  error: string;
  message: string;
}

/** The state when Summarise runs: Discover's output plus what the fan-outs added. */
export interface SummariseEvent {
  executionName: string;
  dryRun: boolean;
  /** From Discover; absent in a redrive of an execution started before it existed (not a full run). */
  fullRun?: boolean;
  items: S3Location;
  discovery: S3Location;
  snapshotRun?: MapRunOutput;
  pruneRun: MapRunOutput;
  /** AwaitSnapshots' error, when the wait itself failed and the run went on to prune. */
  waitError?: { Error?: string; Cause?: string };
}

export interface RunReport {
  executionName: string;
  dryRun: boolean;
  outcome: 'SUCCEEDED' | 'FAILED';
  failures: VolumeFailure[];
  invalid: InvalidTarget[];
  /** Volumes whose new snapshot an overlapping run's newer generation superseded (not failures). */
  superseded: { volumeId: string; supersededBy?: string }[];
  /** Why AwaitSnapshots failed, if it did (each volume was then checked by PruneSnapshots). */
  waitError?: { error: string; message: string };
  volumes: PruneResult[];
}

export interface SummariseOutput {
  outcome: 'SUCCEEDED' | 'FAILED';
  /** Names every failed volume and invalid target, cut to fit (only when FAILED). */
  cause?: string;
  dryRun: boolean;
  counts: {
    volumes: number;
    volumesFailed: number;
    volumesSuperseded: number;
    invalid: number;
    skippedTargets: number;
    snapshotsDeleted: number;
    deletionsSkipped: number;
  };
  /** The full RunReport. */
  report: S3Location;
  /** Dry run: the first planned creations and deletions; the report has them all. */
  plan?: { create: string[]; delete: string[] };
  /** The first deletions refused because the snapshot is in use. */
  skippedDeletions: SkippedDeletion[];
}
