import type { S3Client } from '@aws-sdk/client-s3';
import { StateName } from '../../statemachine/names';
import { getJson, putJson, runKey, type S3Location } from '../aws/json-store';
import {
  type ChildExecutionResult,
  type MapRunOutput,
  parseJsonField,
  readMapRunResults,
} from '../aws/map-run-results';
import { failureCause, type VolumeFailure } from '../core/failure-cause';
import type { InvalidTarget, VolumeTask } from '../core/work-item';
import type { DiscoveryReport } from './discover';
import type { PruneResult, SkippedDeletion } from './prune-volume';

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

export const SHOWN_IN_OUTPUT = 20;

/**
 * Last step (SPEC §4.5): reads both map runs' results from S3, names every failed volume and
 * invalid target, writes the full report, and says whether the run failed. A volume that
 * failed in SnapshotVolumes also fails in PruneVolumes (no snapshot to prune after); it is
 * reported once, with its first failure.
 */
export async function summarise(
  deps: { s3: S3Client; bucket: string },
  event: SummariseEvent,
): Promise<SummariseOutput> {
  const [discovery, snapshotRun, pruneRun] = await Promise.all([
    getJson<DiscoveryReport>(deps.s3, event.discovery),
    event.snapshotRun ? readMapRunResults(deps.s3, event.snapshotRun) : undefined,
    readMapRunResults(deps.s3, event.pruneRun),
  ]);

  const failures = new Map<string, VolumeFailure>();
  const failedChildren = [
    ...(snapshotRun?.failed ?? []).map((child) => toVolumeFailure(child, StateName.createSnapshot)),
    ...pruneRun.failed.map((child) => toVolumeFailure(child, StateName.pruneSnapshots)),
  ];
  for (const failure of failedChildren) {
    if (!failures.has(failure.volumeId)) failures.set(failure.volumeId, failure);
  }
  const volumes = pruneRun.succeeded.flatMap((child) => {
    const result = parseJsonField<PruneResult>(child.Output);
    return result ? [result] : [];
  });
  const failed = [...failures.values()].sort((a, b) => (a.volumeId < b.volumeId ? -1 : 1));
  const outcome = failed.length > 0 || discovery.invalid.length > 0 ? 'FAILED' : 'SUCCEEDED';
  const superseded = volumes
    .filter((v) => v.outcome === 'superseded')
    .map(({ volumeId, supersededBy }) => ({ volumeId, supersededBy }));
  const waitError = event.waitError && {
    error: event.waitError.Error ?? 'Unknown',
    message:
      parseJsonField<{ errorMessage?: string }>(event.waitError.Cause)?.errorMessage ??
      event.waitError.Cause ??
      '',
  };

  const report: RunReport = {
    executionName: event.executionName,
    dryRun: event.dryRun,
    outcome,
    failures: failed,
    invalid: discovery.invalid,
    superseded,
    ...(waitError && { waitError }),
    volumes,
  };
  const reportLocation = await putJson(
    deps.s3,
    { bucket: deps.bucket, key: runKey(event.executionName, 'report') },
    report,
  );
  const skippedDeletions = volumes.flatMap((v) => v.skipped);
  return {
    outcome,
    ...(outcome === 'FAILED' && {
      cause: failureCause(failed, discovery.invalid, `s3://${reportLocation.bucket}/${reportLocation.key}`),
    }),
    dryRun: event.dryRun,
    counts: {
      volumes: discovery.items.length,
      volumesFailed: failed.length,
      volumesSuperseded: superseded.length,
      invalid: discovery.invalid.length,
      skippedTargets: discovery.skipped.length,
      snapshotsDeleted: event.dryRun ? 0 : volumes.reduce((n, v) => n + v.deletedCount, 0),
      deletionsSkipped: skippedDeletions.length,
    },
    report: reportLocation,
    ...(event.dryRun && {
      plan: {
        create: discovery.items.slice(0, SHOWN_IN_OUTPUT).map((item) => item.description),
        delete: volumes.flatMap((v) => v.deleted).slice(0, SHOWN_IN_OUTPUT),
      },
    }),
    skippedDeletions: skippedDeletions.slice(0, SHOWN_IN_OUTPUT),
  };
}

/** Whether this run resets the no-success alarm (SPEC §5.3): a full live run that succeeded. */
export function succeededFullRun(event: SummariseEvent, output: SummariseOutput): boolean {
  return event.fullRun === true && !event.dryRun && output.outcome === 'SUCCEEDED';
}

/** A Lambda error's Cause is `{"errorType", "errorMessage", …}` as a JSON string. */
function toVolumeFailure(child: ChildExecutionResult, step: string): VolumeFailure {
  const task = parseJsonField<Partial<VolumeTask>>(child.Input);
  const cause = parseJsonField<{ errorMessage?: string }>(child.Cause);
  const volume = task?.volume;
  return {
    volumeId: volume?.volumeId ?? child.ExecutionArn ?? 'unknown volume',
    ...(volume?.instanceId && { instanceId: volume.instanceId }),
    ...(volume?.instanceName && { instanceName: volume.instanceName }),
    step,
    error: child.Error ?? 'Unknown',
    message: cause?.errorMessage ?? child.Cause ?? '',
  };
}
