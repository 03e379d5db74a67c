import { parseJsonField } from '../lambdas/aws/map-run-results';
import { failureLine, invalidLine } from '../lambdas/core/failure-cause';
import { SHOWN_IN_OUTPUT } from '../lambdas/steps/summarise';
import { StateName } from '../statemachine/names';
import { regionOf } from './arns';
import type { ExecutionSummary, RunCounts } from './executions';
import type { MapRunProgress } from './map-runs';
import { count } from './plural';

/** `42s`, `4m12s`, `2h05m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** `2025-01-01 02:00:00Z`: UTC, to the second. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

/** What kind of run: `full`, `dry run`, `2 instances`, `dry run, 1 instance`, `3 volumes` (a re-run). */
export function runKind(run: { dryRun?: boolean; instanceIds?: string[]; volumeIds?: string[] }): string {
  const scope =
    (run.instanceIds && count(run.instanceIds.length, 'instance')) ??
    (run.volumeIds && count(run.volumeIds.length, 'volume'));
  if (run.dryRun) return scope ? `dry run, ${scope}` : 'dry run';
  return scope ?? 'full';
}

/** `10 volumes, 2 failed, 3 snapshots deleted, 1 invalid tag value`: zero counts beyond the volumes left out. */
export function countsText(counts: RunCounts, dryRun: boolean): string {
  const parts = [
    count(counts.volumes, 'volume'),
    counts.volumesFailed > 0 && `${counts.volumesFailed} failed`,
    counts.volumesSuperseded > 0 && `${counts.volumesSuperseded} superseded`,
    !dryRun && counts.snapshotsDeleted > 0 && `${count(counts.snapshotsDeleted, 'snapshot')} deleted`,
    counts.deletionsSkipped > 0 && `${count(counts.deletionsSkipped, 'deletion')} skipped (in use)`,
    counts.invalid > 0 && count(counts.invalid, 'invalid tag value'),
    (counts.skippedTargets ?? 0) > 0 && `${counts.skippedTargets} skipped (generation 0 or not targeted)`,
  ];
  return parts.filter(Boolean).join(', ');
}

/**
 * Said plainly when a run found nothing to back up: a wrong Region or endpoint looks exactly
 * like an account without tagged instances.
 */
export function nothingTargetedText(counts: RunCounts, tagKey: string, region: string): string | undefined {
  if (counts.volumes > 0 || counts.invalid > 0) return undefined;
  if ((counts.skippedTargets ?? 0) > 0) {
    return `no volume to back up in ${region}: every target carrying the tag ${tagKey} is skipped (generation 0 or not targeted)`;
  }
  return `no instance or volume carries the tag ${tagKey} in ${region}`;
}

/** The copy phase's fan-outs, one after the other after SnapshotAndPrune, and the state after each. */
const NEXT_AFTER_COPY_MAP: Record<string, string> = {
  [StateName.copyVolumes]: StateName.awaitCopies,
  [StateName.pruneCopies]: StateName.summarise,
};

/**
 * Where a running execution is: the fan-outs running now, or the step after the last ones. In
 * SnapshotAndPrune, SnapshotVolumes, SnapshotSets (one child per instance taken as a set) and the
 * pruning loop's PruneVolumes run side by side, and PruneVolumes once per batch: all are shown,
 * each Map state's runs counted together. Until every volume has been in a batch (SnapshotVolumes'
 * items), the loop goes on: AwaitSnapshots is next. A set's volumes are batched too, but its Map
 * Run counts instances, not volumes: once SnapshotVolumes' are batched, a run with sets may still
 * be in the loop or past it, and only SnapshotAndPrune, the state around both, is certain.
 */
export function phaseText(progress: readonly MapRunProgress[]): string {
  const fanOuts = byMap(progress);
  const last = fanOuts.at(-1);
  if (!last) return StateName.discover;
  if (last.map in NEXT_AFTER_COPY_MAP) {
    const counts = mapRunText(last);
    return last.status === 'RUNNING' ? counts : `${NEXT_AFTER_COPY_MAP[last.map]} (${counts})`;
  }
  const counts = fanOuts.map(mapRunText).join('; ');
  if (fanOuts.some((fanOut) => fanOut.status === 'RUNNING')) return counts;
  const snapshots = fanOuts.find((fanOut) => fanOut.map === StateName.snapshotVolumes);
  const batched = fanOuts.find((fanOut) => fanOut.map === StateName.pruneVolumes)?.total ?? 0;
  const sets = fanOuts.some((fanOut) => fanOut.map === StateName.snapshotSets);
  const next =
    snapshots && batched < snapshots.total
      ? StateName.awaitSnapshots
      : sets
        ? StateName.snapshotAndPrune
        : StateName.anyCopies;
  return `${next} (${counts})`;
}

/** Each Map state's runs counted together, in the order the states started; RUNNING while any run is. */
function byMap(progress: readonly MapRunProgress[]): (MapRunProgress & { runs: number })[] {
  const maps = new Map<string, MapRunProgress & { runs: number }>();
  for (const run of progress) {
    const seen = maps.get(run.map);
    if (!seen) {
      maps.set(run.map, { ...run, runs: 1 });
      continue;
    }
    seen.runs += 1;
    seen.succeeded += run.succeeded;
    seen.failed += run.failed;
    seen.running += run.running;
    seen.total += run.total;
    if (run.status === 'RUNNING') seen.status = 'RUNNING';
    else if (seen.status !== 'RUNNING') seen.status = run.status;
  }
  return [...maps.values()];
}

/** `SnapshotVolumes: 7 succeeded, 1 failed, 2 running of 10`, and `(3 Map Runs)` for a state's runs together. */
export function mapRunText(run: MapRunProgress & { runs?: number }): string {
  const running = run.status === 'RUNNING' ? `, ${run.running} running` : '';
  const runs = (run.runs ?? 1) > 1 ? ` (${run.runs} Map Runs)` : '';
  return `${run.map}: ${run.succeeded} succeeded, ${run.failed} failed${running} of ${run.total}${runs}`;
}

/**
 * An execution that did not succeed: every failed volume (with its child execution's console
 * link when read from a Map Run) and invalid target; its own error and cause when they name
 * nothing else (e.g. `InvalidInput` from Discover).
 */
export function failureText(summary: ExecutionSummary, indent = '  '): string[] {
  const lines: string[] = [];
  for (const failure of summary.failures ?? []) {
    lines.push(`${indent}${failureLine(failure)}`);
    if (failure.consoleUrl) lines.push(`${indent}  ${failure.consoleUrl}`);
  }
  for (const target of summary.invalid ?? []) lines.push(`${indent}${invalidLine(target)}`);
  if (lines.length === 0 && (summary.error || summary.cause)) {
    lines.push(
      `${indent}${summary.error ?? 'Error'}: ${causeText(summary.cause).replaceAll('\n', `\n${indent}  `)}`,
    );
  }
  if (summary.failuresFrom === 'map-runs' && (summary.failures ?? []).length > 0) {
    lines.push(`${indent}(the run wrote no report: failed volumes read from its Map Runs)`);
  }
  return lines;
}

/** A Lambda error's cause is `{"errorType","errorMessage",…}` as JSON: its message is what matters. */
function causeText(cause: string | undefined): string {
  const parsed = parseJsonField<{ errorMessage?: string }>(cause);
  return parsed?.errorMessage ?? cause ?? '';
}

/**
 * How an execution ended (or where it is): the status, duration and counts, then what a reader
 * needs next — the failed volumes, a dry run's plan, or that nothing was targeted at all.
 */
export function outcomeText(summary: ExecutionSummary, tagKey: string): string[] {
  const took = formatDuration(summary.durationSeconds);
  if (summary.status === 'RUNNING') {
    return [`RUNNING for ${took}: ${phaseText(summary.progress ?? [])}`];
  }
  const counts = summary.counts ? `: ${countsText(summary.counts, summary.dryRun)}` : '';
  const head = `${summary.status} in ${took}${counts}`;
  if (summary.status !== 'SUCCEEDED') return [head, ...failureText(summary)];
  const nothing =
    summary.counts && nothingTargetedText(summary.counts, tagKey, regionOf(summary.executionArn));
  return [head, ...(nothing ? [`  ${nothing}`] : []), ...planText(summary.plan)];
}

/** A dry run's planned deletions (the output lists the first SHOWN_IN_OUTPUT). */
function planText(plan: ExecutionSummary['plan']): string[] {
  if (!plan || plan.delete.length === 0) return [];
  const more =
    plan.delete.length >= SHOWN_IN_OUTPUT ? ` (the first ${SHOWN_IN_OUTPUT}; \`plan\` lists all)` : '';
  return [`  would delete${more}:`, ...plan.delete.map((id) => `    ${id}`)];
}
