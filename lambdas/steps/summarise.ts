import type { S3Client } from '@aws-sdk/client-s3';
import { StateName } from '../../statemachine/names';
import { getJson, putJson } from '../aws/json-store';
import { type MapRunResults, parseJsonField, readMapRunResults } from '../aws/map-run-results';
import { ledgerSoFar, snapshotRunRecord } from '../aws/prune-ledger-store';
import type { ChildExecutionResult } from '../contracts/map-run';
import type {
  DiscoveryReport,
  PruneResult,
  RunReport,
  SummariseEvent,
  SummariseOutput,
  VolumeFailure,
} from '../contracts/run-documents';
import type { SetWorkItem } from '../contracts/sets';
import { runKey } from '../contracts/work-bucket';
import type { CopyTask, VolumeTask, VolumeWorkItem } from '../contracts/work-items';
import { rerunInput } from '../core/execution-input';
import { failureCause } from '../core/failure-cause';

export const SHOWN_IN_OUTPUT = 20;

/**
 * Last step (SPEC §4.5): reads the map runs' results from S3, names every failed volume and
 * invalid target, writes the full report, and says whether the run failed. A volume that
 * failed in SnapshotVolumes also fails in PruneVolumes (no snapshot to prune after); it is
 * reported once, with its first failure. Copies (SPEC §10.4) fail per volume and copy region:
 * a volume whose copy failed in CopyVolumes also fails in PruneCopies for that region, and is
 * reported once for it; a copy's failure fails the run but is not the volume's own backup
 * failing. Regions no longer configured are reported, not failed (SPEC §10.6).
 */
export async function summarise(
  deps: { s3: S3Client; bucket: string },
  event: SummariseEvent,
): Promise<SummariseOutput> {
  const [discovery, { snapshotRun, setRun }, pruning, copyRun, copyPruneRun] = await Promise.all([
    getJson<DiscoveryReport>(deps.s3, event.discovery),
    snapshotResults(deps.s3, event),
    pruneResults(deps.s3, event),
    event.copyRun ? readMapRunResults(deps.s3, event.copyRun) : undefined,
    event.copyPruneRun ? readMapRunResults(deps.s3, event.copyPruneRun) : undefined,
  ]);
  const pruneRun = pruning.results;

  const failures = new Map<string, VolumeFailure>();
  const failedChildren = [
    // A set's failure first: it says what its volumes' own results cannot (SPEC §12.4).
    ...(setRun?.failed ?? []).flatMap(toSetFailures),
    ...(snapshotRun?.failed ?? []).map((child) => toVolumeFailure(child, StateName.createSnapshot)),
    ...pruneRun.failed.map((child) => toVolumeFailure(child, StateName.pruneSnapshots)),
    ...notPruned(discovery.items, pruning.batched, event),
    ...(copyRun?.failed ?? []).map((child) => toVolumeFailure(child, StateName.copySnapshot)),
    ...(copyPruneRun?.failed ?? []).map((child) => toVolumeFailure(child, StateName.pruneCopySnapshots)),
  ];
  for (const failure of failedChildren) {
    const key = `${failure.volumeId}@${failure.region ?? ''}`;
    if (!failures.has(key)) failures.set(key, failure);
  }
  const volumes = resultsOf(pruneRun);
  // By volume, then region: a map run's results come in no particular order.
  const copies = copyPruneRun && resultsOf(copyPruneRun).sort(byVolumeThenRegion);
  const failed = [...failures.values()].sort(byVolumeThenRegion);
  const copiesFailed = failed.filter((f) => f.region !== undefined).length;
  const outcome = failed.length > 0 || discovery.invalid.length > 0 ? 'FAILED' : 'SUCCEEDED';
  // A volume (or copy) that failed is reported as failed, even if a newer generation also exists.
  const superseded = [...volumes, ...(copies ?? [])]
    .filter((v) => v.outcome === 'superseded' && !failures.has(`${v.volumeId}@${v.region ?? ''}`))
    .map(({ volumeId, region, supersededBy }) => ({ volumeId, ...(region && { region }), supersededBy }));
  const waitError = caughtError(event.waitError);
  const copyWaitError = caughtError(event.copyWaitError);
  const retiredCopyRegions = discovery.retiredCopyRegions?.length ? discovery.retiredCopyRegions : undefined;
  const rerun = rerunInput(failed.map((f) => f.volumeId));

  const report: RunReport = {
    executionName: event.executionName,
    dryRun: event.dryRun,
    outcome,
    failures: failed,
    invalid: discovery.invalid,
    superseded,
    ...(waitError && { waitError }),
    volumes,
    ...(copies && { copies }),
    ...(copyWaitError && { copyWaitError }),
    ...(retiredCopyRegions && { retiredCopyRegions }),
    ...(rerun && { rerunInput: rerun }),
  };
  const reportLocation = await putJson(
    deps.s3,
    { bucket: deps.bucket, key: runKey(event.executionName, 'report') },
    report,
  );
  const retention = [...volumes, ...(copies ?? [])];
  const skippedDeletions = retention.flatMap((v) => v.skipped);
  // A result lists the first refusals; its count has them all (absent in older results: the list).
  const deletionsSkipped = retention.reduce((n, v) => n + (v.skippedCount ?? v.skipped.length), 0);
  const deletedIn = (results: PruneResult[]) =>
    event.dryRun ? 0 : results.reduce((n, v) => n + v.deletedCount, 0);
  const hadCopies = event.copyRun !== undefined || event.copyPruneRun !== undefined;
  return {
    outcome,
    ...(outcome === 'FAILED' && {
      cause: failureCause(failed, discovery.invalid, `s3://${reportLocation.bucket}/${reportLocation.key}`),
    }),
    ...(rerun && { rerunInput: rerun }),
    dryRun: event.dryRun,
    counts: {
      volumes: discovery.items.length,
      volumesFailed: failed.length - copiesFailed,
      volumesSuperseded: superseded.filter((s) => s.region === undefined).length,
      invalid: discovery.invalid.length,
      skippedTargets: discovery.skipped.length,
      snapshotsDeleted: deletedIn(volumes),
      deletionsSkipped,
      ...(hadCopies && { copiesFailed, copiesDeleted: deletedIn(copies ?? []) }),
    },
    ...(retiredCopyRegions && { retiredCopyRegions }),
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

/**
 * SnapshotVolumes' and SnapshotSets' results: from the snapshot branch's record, or the state of a
 * run from before it.
 */
async function snapshotResults(
  s3: S3Client,
  event: SummariseEvent,
): Promise<{ snapshotRun?: MapRunResults; setRun?: MapRunResults }> {
  const [record, setRecord] = await Promise.all([
    event.snapshotRecord && snapshotRunRecord(s3, event.snapshotRecord, event.runId),
    event.setRecord && snapshotRunRecord(s3, event.setRecord, event.runId),
  ]);
  const run = event.snapshotRun ?? record?.snapshotRun;
  const [snapshotRun, setRun] = await Promise.all([
    run && readMapRunResults(s3, run),
    setRecord?.setRun && readMapRunResults(s3, setRecord.setRun),
  ]);
  return { ...(snapshotRun && { snapshotRun }), ...(setRun && { setRun }) };
}

/** The state a set's error names (SetFailedError), or the fan-out's when it is some other failure. */
const SET_ERROR_STEP: Record<string, string> = {
  PreScriptFailed: StateName.preScript,
  SnapshotSetFailed: StateName.createSnapshotSet,
  PostScriptFailed: StateName.postScript,
};

/**
 * A failed SnapshotSets child, one failure per volume of its set (SPEC §12.3), each naming the
 * instance: its cause names the instance, every volume, what failed and what was taken.
 */
export function toSetFailures(child: ChildExecutionResult): VolumeFailure[] {
  const task = parseJsonField<{ set?: SetWorkItem }>(child.Input);
  const cause = parseJsonField<{ errorMessage?: string }>(child.Cause);
  const error = child.Error ?? 'Unknown';
  const step = SET_ERROR_STEP[error] ?? StateName.snapshotSets;
  const set = task?.set;
  const message = cause?.errorMessage ?? child.Cause ?? '';
  if (!set) return [{ volumeId: child.ExecutionArn ?? 'unknown volume', step, error, message }];
  return set.volumes.map((volume) => ({
    volumeId: volume.volumeId,
    instanceId: set.instanceId,
    ...(set.instanceName && { instanceName: set.instanceName }),
    step,
    error,
    message,
  }));
}

/**
 * The results of every PruneVolumes run of the pruning loop (its ledger, and its last run) and the
 * volumes it batched; a run from before the loop had one PruneVolumes run, in its state.
 */
async function pruneResults(
  s3: S3Client,
  event: SummariseEvent,
): Promise<{ results: MapRunResults; batched?: ReadonlySet<string> }> {
  if (event.snapshotRecord === undefined) {
    const run = event.pruneRun && (await readMapRunResults(s3, event.pruneRun));
    return { results: run ?? { succeeded: [], failed: [] } };
  }
  const ledger = await ledgerSoFar(s3, event.pruneBatch, event.pruneRun);
  const runs = await Promise.all(ledger.runs.map((run) => readMapRunResults(s3, run)));
  return {
    results: { succeeded: runs.flatMap((r) => r.succeeded), failed: runs.flatMap((r) => r.failed) },
    batched: new Set(ledger.batched),
  };
}

/**
 * Volumes the pruning loop never handed to PruneVolumes: only when it ended on a failure it could
 * not go on from (AwaitSnapshots failed, then ListUnprunedVolumes too). None of their snapshots
 * was touched (SPEC §3.3): each is a failed volume, with the error that stopped the loop.
 */
function notPruned(
  items: readonly VolumeWorkItem[],
  batched: ReadonlySet<string> | undefined,
  event: SummariseEvent,
): VolumeFailure[] {
  if (batched === undefined) return [];
  const stopped = caughtError(event.unprunedError ?? event.waitError);
  return items
    .filter((item) => !batched.has(item.volumeId))
    .map((item) => ({
      volumeId: item.volumeId,
      ...(item.instanceId && { instanceId: item.instanceId }),
      ...(item.instanceName && { instanceName: item.instanceName }),
      step: event.unprunedError ? StateName.listUnprunedVolumes : StateName.awaitSnapshots,
      error: stopped?.error ?? 'NotPruned',
      message: `not pruned: the wait for this run's snapshots failed (${stopped?.message ?? 'no error recorded'}); older generations kept`,
    }));
}

function resultsOf(run: MapRunResults): PruneResult[] {
  return run.succeeded.flatMap((child) => {
    const result = parseJsonField<PruneResult>(child.Output);
    return result ? [result] : [];
  });
}

/** A wait's error as the definition's Catch passed it on, with Lambda's message when it is one. */
function caughtError(caught: { Error?: string; Cause?: string } | undefined) {
  return (
    caught && {
      error: caught.Error ?? 'Unknown',
      message: parseJsonField<{ errorMessage?: string }>(caught.Cause)?.errorMessage ?? caught.Cause ?? '',
    }
  );
}

/** A volume's own (no region) first, then its copy regions'. */
function byVolumeThenRegion(
  a: { volumeId: string; region?: string },
  b: { volumeId: string; region?: string },
): number {
  if (a.volumeId !== b.volumeId) return a.volumeId < b.volumeId ? -1 : 1;
  const [ra, rb] = [a.region ?? '', b.region ?? ''];
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** Whether this run resets the no-success alarm (SPEC §5.3): a full live run that succeeded. */
export function succeededFullRun(event: SummariseEvent, output: SummariseOutput): boolean {
  return event.fullRun === true && !event.dryRun && output.outcome === 'SUCCEEDED';
}

/**
 * The failure of one fan-out child, from its input (the volume, or the copy: VolumeTask or
 * CopyTask) and its error; a copy's, and a copy retention's, carry the copy region. A Lambda
 * error's Cause is `{"errorType", "errorMessage", …}` as a JSON string. The operator CLI reads
 * failed children from Step Functions with it when a run left no report.
 */
export function toVolumeFailure(child: ChildExecutionResult, step: string): VolumeFailure {
  const task = parseJsonField<Partial<VolumeTask & CopyTask>>(child.Input);
  const cause = parseJsonField<{ errorMessage?: string }>(child.Cause);
  const volume = task?.volume ?? task?.copy;
  const region = task?.copy?.region ?? task?.volume?.region;
  return {
    volumeId: volume?.volumeId ?? child.ExecutionArn ?? 'unknown volume',
    ...(volume?.instanceId && { instanceId: volume.instanceId }),
    ...(volume?.instanceName && { instanceName: volume.instanceName }),
    ...(region && { region }),
    step,
    error: child.Error ?? 'Unknown',
    message: cause?.errorMessage ?? child.Cause ?? '',
  };
}
