import type { S3Client } from '@aws-sdk/client-s3';
import { StateName } from '../../statemachine/names';
import { getJson, putJson } from '../aws/json-store';
import { parseJsonField, readMapRunResults } from '../aws/map-run-results';
import type { ChildExecutionResult } from '../contracts/map-run';
import type {
  DiscoveryReport,
  PruneResult,
  RunReport,
  SummariseEvent,
  SummariseOutput,
  VolumeFailure,
} from '../contracts/run-documents';
import { runKey } from '../contracts/work-bucket';
import type { VolumeTask } from '../contracts/work-items';
import { failureCause } from '../core/failure-cause';

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

/**
 * The failure of one fan-out child, from its input (the volume) and its error. A Lambda error's
 * Cause is `{"errorType", "errorMessage", …}` as a JSON string. The operator CLI reads failed
 * children from Step Functions with it when a run left no report.
 */
export function toVolumeFailure(child: ChildExecutionResult, step: string): VolumeFailure {
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
