import { instanceLabel } from '../../cli/instance-label';
import { table } from '../../cli/table';
import { parseJsonField } from '../../lambdas/aws/map-run-results';
import {
  type CreatedCopy,
  type CreatedSnapshot,
  type DiscoveryReport,
  PLANNED_SNAPSHOT_ID,
  type PruneResult,
  type RunReport,
  type SkippedDeletion,
} from '../../lambdas/contracts/run-documents';
import type { ExecutionStatus } from '../runner/engine-run';

/**
 * What the local runner prints: one finished execution turned into a row per volume (from the
 * documents the workflow itself wrote: the discovery report and the run report), as a text table
 * or as JSON records; and the generations each volume ends up with.
 */

/** One finished execution, as the runner collected it. */
export interface RunRecord {
  executionName: string;
  /** 1-based simulated day; absent for a run against an account. */
  day?: number;
  /** ISO time the execution started. */
  startedAt: string;
  dryRun: boolean;
  status: ExecutionStatus;
  error?: string;
  cause?: string;
  /** Absent when Discover did not finish. */
  discovery?: DiscoveryReport;
  /** Absent when Summarise was not reached. */
  report?: RunReport;
  /** This run's snapshots, by volume ID (SnapshotVolumes' children). */
  created: Record<string, CreatedSnapshot>;
  /** This run's copies, by `<volume ID> <region>` (CopyVolumes' children). */
  copiesCreated?: Record<string, CreatedCopy>;
  /** How often AwaitSnapshots polled. */
  polls: number;
  /** EC2 calls the run made, by what the caller saw (known in the simulated account). */
  ec2Calls?: Ec2CallTotals;
}

export interface Ec2CallTotals {
  succeeded: number;
  /** Answered RequestLimitExceeded (token bucket or injected throttling). */
  throttled: number;
  failed: number;
}

/** Names for IDs, when the runner knows the fleet (the simulated account). */
export type Inventory = readonly {
  instanceId: string;
  name?: string;
  volumes: readonly { volumeId: string; name?: string }[];
}[];

export type VolumeOutcome = 'backed-up' | 'planned' | 'failed' | 'invalid' | 'excluded' | 'not-reached';

export interface VolumeRow {
  /** Absent for an instance whose volumes the runner does not know. */
  volumeId?: string;
  volumeName?: string;
  instanceId?: string;
  instanceName?: string;
  /** N in force for the volume. */
  generations?: number;
  outcome: VolumeOutcome;
  /** This run's snapshot, or `(new snapshot)` in a dry run. */
  created?: string;
  kept?: number;
  /** Deleted (a dry run: to be deleted): the first ones listed, of `deletedCount`. */
  deleted: string[];
  deletedCount?: number;
  /** The newer completed snapshot that replaced this run's (an overlapping run pruned it). */
  supersededBy?: string;
  /** Refused deletions: the first ones listed, of `skippedCount`. */
  skipped: SkippedDeletion[];
  skippedCount?: number;
  /** Why a volume failed, is invalid, excluded or not reached. */
  reason?: string;
  /** Other instances a multi-attached volume is attached to. */
  alsoAttachedTo?: string[];
}

export function volumeRows(run: RunRecord, inventory: Inventory = []): VolumeRow[] {
  const names = new Names(inventory);
  const rows: VolumeRow[] = [];
  const pruned = new Map<string, PruneResult>((run.report?.volumes ?? []).map((v) => [v.volumeId, v]));
  const failures = new Map((run.report?.failures ?? []).map((f) => [f.volumeId, f]));

  for (const item of run.discovery?.items ?? []) {
    const others = names.attachedTo(item.volumeId).filter((id) => id !== item.instanceId);
    const created = run.created[item.volumeId]?.snapshotId;
    const base = {
      ...names.volume(item.volumeId),
      ...(item.instanceName !== undefined && { instanceName: item.instanceName }),
      ...names.instance(item.instanceId),
      generations: item.generations,
      ...(created && { created }),
      deleted: [],
      skipped: [],
      ...(others.length > 0 && { alsoAttachedTo: others.map((id) => names.label(id)) }),
    };
    const failure = failures.get(item.volumeId);
    const prune = pruned.get(item.volumeId);
    if (failure) {
      rows.push({
        ...base,
        outcome: 'failed',
        reason: `${failure.step} ${failure.error}: ${failure.message}`,
      });
    } else if (prune) {
      rows.push({
        ...base,
        outcome: run.dryRun ? 'planned' : 'backed-up',
        created: created ?? (run.dryRun ? PLANNED_SNAPSHOT_ID : '-'),
        // A result lists the newest kept; its count has them all (absent in older reports: the list).
        kept: prune.keptCount ?? prune.kept.length,
        deleted: prune.deleted,
        deletedCount: prune.deletedCount,
        skipped: prune.skipped,
        skippedCount: prune.skippedCount ?? prune.skipped.length,
        ...(prune.outcome === 'superseded' && { supersededBy: prune.supersededBy }),
      });
    } else {
      const ended = `${run.status}${run.error ? ` (${run.error})` : ''}`;
      rows.push({
        ...base,
        outcome: 'not-reached',
        reason: `the execution ended ${ended} before this volume was pruned`,
      });
    }
  }

  // A volume of an invalid or excluded instance may still be backed up through another instance.
  const backedUp = new Set(rows.map((row) => row.volumeId));
  const notBackedUp = (row: VolumeRow) => !backedUp.has(row.volumeId);
  for (const target of run.discovery?.invalid ?? []) {
    const reason =
      target.value === undefined
        ? target.reason
        : `tag value ${JSON.stringify(target.value)} ${target.reason}`;
    const invalid = { outcome: 'invalid' as const, reason, deleted: [], skipped: [] };
    rows.push(...names.targetRows(target, invalid).filter(notBackedUp));
  }
  for (const target of run.discovery?.skipped ?? []) {
    const reason = `${target.reason}: no snapshot, nothing pruned`;
    const excluded = { outcome: 'excluded' as const, reason, deleted: [], skipped: [] };
    rows.push(...names.targetRows(target, excluded).filter(notBackedUp));
  }
  return names.sorted(rows);
}

/**
 * The text view of one run: its outcome, the cause when it failed, and the table. Rows that
 * `collapse` accepts are counted rather than listed (a generated fleet of hundreds of volumes).
 */
export function runText(
  run: RunRecord,
  rows: readonly VolumeRow[],
  options: { collapse?: (row: VolumeRow) => boolean } = {},
): string {
  const lines = [`  Outcome: ${run.dryRun ? 'dry run, ' : ''}${run.status}`];
  if (run.status === 'FAILED') {
    // A Lambda error's cause is `{"errorType","errorMessage"}`: the message is what a reader needs.
    const cause = parseJsonField<{ errorMessage?: string }>(run.cause)?.errorMessage ?? run.cause ?? '';
    const [headline, ...details] = cause.split('\n');
    lines[0] += ` (${run.error ?? 'failed'}: ${headline})`;
    lines.push(...details.map((detail) => `    ${detail}`));
  }
  const shown = rows.filter((row) => !options.collapse?.(row));
  const header = ['VOLUME', 'INSTANCE', 'N', 'CREATED', 'KEPT', 'DELETED', 'SKIPPED', 'RESULT'];
  const body = shown.map((r) => [
    r.volumeId ?? '(volumes not listed)',
    instanceCell(r),
    r.generations === undefined ? '-' : String(r.generations),
    r.created ?? '-',
    r.kept === undefined ? '-' : String(r.kept),
    r.outcome === 'backed-up' || r.outcome === 'planned' ? String(r.deletedCount ?? r.deleted.length) : '-',
    r.outcome === 'backed-up' ? String(r.skippedCount ?? r.skipped.length) : '-',
    resultText(r),
  ]);
  if (rows.length > 0) lines.push(...table([header, ...body], '  '));
  if (shown.length < rows.length) {
    lines.push(`  … and ${rows.length - shown.length} more volumes without remark (--json lists every one)`);
  }
  return `${lines.join('\n')}\n`;
}

/** One run as a JSON record, with its per-volume rows. */
export function runJson(run: RunRecord, rows: readonly VolumeRow[], copies: readonly CopyRow[] = []) {
  const {
    discovery: _discovery,
    report: _report,
    created: _created,
    copiesCreated: _copiesCreated,
    ...summary
  } = run;
  return {
    ...summary,
    volumes: rows,
    ...(copies.length > 0 && { copies }),
    ...(run.report?.retiredCopyRegions?.length && { retiredCopyRegions: run.report.retiredCopyRegions }),
  };
}

function resultText(row: VolumeRow): string {
  const notes: string[] = [];
  if (row.alsoAttachedTo)
    notes.push(`multi-attach: also on ${row.alsoAttachedTo.join(', ')}, backed up once`);
  for (const s of row.skipped) notes.push(`kept ${s.snapshotId}: ${s.reason}`);
  if (row.supersededBy) notes.push(`superseded by ${row.supersededBy} of a newer run, which pruned it`);
  switch (row.outcome) {
    case 'backed-up':
      return ['ok', ...notes].join('; ');
    case 'planned': {
      const deletions = row.deleted.length ? `, delete ${row.deleted.join(', ')}` : ', delete none';
      return [`would create 1${deletions}`, ...notes].join('; ');
    }
    case 'failed':
      return [`FAILED ${row.reason}`, ...notes].join('; ');
    default:
      return `${row.outcome}: ${row.reason}`;
  }
}

/** Where a volume stands after the last run, for the closing table. */
export interface FinalGeneration {
  volumeId: string;
  volumeName?: string;
  instanceName?: string;
  instanceId?: string;
  /** N from the last run; absent when the volume is not backed up. */
  generations?: number;
  /** This deployment's completed snapshots of the volume. */
  managed: number;
  /** Managed snapshots in state error or pending. */
  notCompleted: number;
  status: string;
}

export interface UnmanagedSnapshot {
  snapshotId: string;
  volumeId: string;
  description: string;
}

export function finalText(
  volumes: readonly FinalGeneration[],
  unmanaged: readonly UnmanagedSnapshot[],
  options: { collapse?: (volume: FinalGeneration) => boolean } = {},
): string {
  const lines = ['Generations after the last run (managed = completed snapshots marked by this deployment)'];
  const shown = volumes.filter((v) => !options.collapse?.(v));
  const rows = shown.map((v) => [
    v.volumeId,
    v.volumeName ?? '-',
    instanceCell(v),
    v.generations === undefined ? '-' : String(v.generations),
    String(v.managed),
    v.status,
  ]);
  lines.push(...table([['VOLUME', 'NAME', 'INSTANCE', 'N', 'MANAGED', 'STATUS'], ...rows], '  '));
  if (shown.length < volumes.length) lines.push(`  … and ${volumes.length - shown.length} more volumes at N`);
  lines.push('', `Snapshots without this deployment's marker (never deleted): ${unmanaged.length}`);
  for (const s of unmanaged) lines.push(`  ${s.snapshotId}  ${s.volumeId}  "${s.description}"  untouched`);
  return `${lines.join('\n')}\n`;
}

/** An instance's Name, or its ID when the Name is missing or blank; `-` for a volume without one. */
function instanceCell(row: { instanceId?: string; instanceName?: string }): string {
  return row.instanceId === undefined ? '-' : instanceLabel(row.instanceId, row.instanceName);
}

/** Labels from the inventory, and the ordering of rows in it (the fleet's order). */
class Names {
  private readonly instances = new Map<string, Inventory[number]>();
  private readonly volumeNames = new Map<string, string | undefined>();
  private readonly attachments = new Map<string, string[]>();
  private readonly order = new Map<string, number>();

  constructor(inventory: Inventory) {
    for (const instance of inventory) {
      this.instances.set(instance.instanceId, instance);
      for (const volume of instance.volumes) {
        this.volumeNames.set(volume.volumeId, volume.name);
        this.attachments.set(volume.volumeId, [
          ...(this.attachments.get(volume.volumeId) ?? []),
          instance.instanceId,
        ]);
        if (!this.order.has(volume.volumeId)) this.order.set(volume.volumeId, this.order.size);
      }
    }
  }

  instance(instanceId: string | undefined) {
    if (instanceId === undefined) return {};
    const name = this.instances.get(instanceId)?.name;
    return { instanceId, ...(name !== undefined && { instanceName: name }) };
  }

  volume(volumeId: string) {
    const name = this.volumeNames.get(volumeId);
    return { volumeId, ...(name !== undefined && { volumeName: name }) };
  }

  label(instanceId: string): string {
    return instanceLabel(instanceId, this.instances.get(instanceId)?.name);
  }

  attachedTo(volumeId: string): string[] {
    return this.attachments.get(volumeId) ?? [];
  }

  /** A row per volume of an invalid or excluded target (one row when its volumes are unknown). */
  targetRows(
    target: { resource: 'instance' | 'volume'; id: string; instanceId?: string },
    row: Omit<VolumeRow, 'volumeId' | 'instanceId'>,
  ): VolumeRow[] {
    if (target.resource === 'volume') {
      const instanceId = target.instanceId ?? this.attachedTo(target.id)[0];
      return [{ ...row, ...this.volume(target.id), ...this.instance(instanceId) }];
    }
    const volumes = this.instances.get(target.id)?.volumes ?? [];
    if (volumes.length === 0) return [{ ...row, ...this.instance(target.id) }];
    return volumes.map((v) => ({ ...row, ...this.volume(v.volumeId), ...this.instance(target.id) }));
  }

  sorted(rows: VolumeRow[]): VolumeRow[] {
    const rank = (row: VolumeRow) => this.order.get(row.volumeId ?? '') ?? Number.MAX_SAFE_INTEGER;
    return rows
      .map((row, index) => ({ row, index }))
      .sort((a, b) => rank(a.row) - rank(b.row) || a.index - b.index)
      .map(({ row }) => row);
  }
}

/** One volume's copies in one copy region after a run (SPEC §10). */
export interface CopyRow {
  volumeId: string;
  volumeName?: string;
  instanceId?: string;
  instanceName?: string;
  region: string;
  /** The copy generation N in force; absent for an invalid copy tag. */
  copyGenerations?: number;
  outcome: VolumeOutcome;
  /** This run's copy there, or `(new snapshot)` in a dry run. */
  copied?: string;
  kept?: number;
  deleted: string[];
  deletedCount?: number;
  reason?: string;
}

/**
 * A row per volume with copies and copy region, from the discovery report (which volumes, which
 * copy N), the run report (retention and failures per region) and CopyVolumes' children (the
 * copies made); and a row per volume whose copy tag is invalid.
 */
export function copyRows(run: RunRecord, regions: readonly string[], inventory: Inventory = []): CopyRow[] {
  const names = new Names(inventory);
  const key = (volumeId: string, region: string) => `${volumeId} ${region}`;
  const pruned = new Map((run.report?.copies ?? []).map((c) => [key(c.volumeId, c.region ?? ''), c]));
  const failures = new Map(
    (run.report?.failures ?? []).map((f) => [
      f.region === undefined ? f.volumeId : key(f.volumeId, f.region),
      f,
    ]),
  );
  const rows: CopyRow[] = [];
  for (const item of run.discovery?.items ?? []) {
    if (item.copyGenerations === undefined) continue;
    for (const region of regions) {
      const base = {
        ...names.volume(item.volumeId),
        ...(item.instanceName !== undefined && { instanceName: item.instanceName }),
        ...names.instance(item.instanceId),
        region,
        copyGenerations: item.copyGenerations,
        deleted: [],
      };
      const copied = run.copiesCreated?.[key(item.volumeId, region)]?.snapshotId;
      const failure = failures.get(key(item.volumeId, region));
      const prune = pruned.get(key(item.volumeId, region));
      const home = failures.get(item.volumeId);
      if (failure) {
        rows.push({
          ...base,
          ...(copied && { copied }),
          outcome: 'failed',
          reason: `${failure.step} ${failure.error}: ${failure.message}`,
        });
      } else if (prune) {
        rows.push({
          ...base,
          outcome: run.dryRun ? 'planned' : 'backed-up',
          copied: copied ?? (run.dryRun ? PLANNED_SNAPSHOT_ID : '-'),
          // A result lists the newest kept; its count has them all (absent in older reports: the list).
          kept: prune.keptCount ?? prune.kept.length,
          deleted: prune.deleted,
          deletedCount: prune.deletedCount,
        });
      } else if (home) {
        rows.push({ ...base, outcome: 'not-reached', reason: 'no copy: the snapshot here failed' });
      } else {
        const ended = `${run.status}${run.error ? ` (${run.error})` : ''}`;
        rows.push({
          ...base,
          outcome: 'not-reached',
          reason: `the execution ended ${ended} before this copy was pruned`,
        });
      }
    }
  }
  for (const target of run.discovery?.invalid ?? []) {
    if (target.tagKey === undefined) continue;
    const why = target.reason.startsWith(`${target.tagKey} `)
      ? target.reason.slice(target.tagKey.length + 1)
      : target.reason;
    const reason = `${target.tagKey} value ${JSON.stringify(target.value)} ${why}: backed up here, no copies, its copies left alone`;
    for (const row of names.targetRows(target, { outcome: 'invalid', reason, deleted: [], skipped: [] })) {
      rows.push({ ...row, volumeId: row.volumeId ?? '-', region: '-', deleted: [] } as CopyRow);
    }
  }
  // The fleet's order, then the configured regions' order, as the volume table.
  const regionRank = (region: string) => {
    const rank = regions.indexOf(region);
    return rank < 0 ? regions.length : rank;
  };
  const sorted = names.sorted(rows as unknown as VolumeRow[]) as unknown as CopyRow[];
  const volumeRank = new Map<string, number>();
  sorted.forEach((row, index) => {
    if (!volumeRank.has(row.volumeId)) volumeRank.set(row.volumeId, index);
  });
  const rank = (row: CopyRow) => volumeRank.get(row.volumeId) ?? 0;
  return sorted.sort((a, b) => rank(a) - rank(b) || regionRank(a.region) - regionRank(b.region));
}

/** The copies table of one run; empty when no volume has copies. */
export function copiesText(rows: readonly CopyRow[], retired: RunReport['retiredCopyRegions'] = []): string {
  if (rows.length === 0 && retired.length === 0) return '';
  const lines: string[] = [];
  if (rows.length > 0) {
    const header = ['VOLUME', 'INSTANCE', 'REGION', 'N', 'COPY', 'KEPT', 'DELETED', 'RESULT'];
    const body = rows.map((r) => [
      r.volumeId,
      instanceCell(r),
      r.region,
      r.copyGenerations === undefined ? '-' : String(r.copyGenerations),
      r.copied ?? '-',
      r.kept === undefined ? '-' : String(r.kept),
      r.outcome === 'backed-up' || r.outcome === 'planned' ? String(r.deletedCount ?? r.deleted.length) : '-',
      copyResultText(r),
    ]);
    lines.push('  Copies in other regions', ...table([header, ...body], '  '));
  }
  for (const r of retired) lines.push(`  ${r.region}: ${r.message}`);
  return `${lines.join('\n')}\n`;
}

function copyResultText(row: CopyRow): string {
  switch (row.outcome) {
    case 'backed-up':
      return 'ok';
    case 'planned':
      return row.deleted.length
        ? `would copy 1, delete ${row.deleted.join(', ')}`
        : 'would copy 1, delete none';
    case 'failed':
      return `FAILED ${row.reason}`;
    default:
      return `${row.outcome}: ${row.reason}`;
  }
}

/** A volume's copies in one copy region after the last run. */
export interface FinalCopies {
  volumeId: string;
  volumeName?: string;
  region: string;
  copyGenerations?: number;
  /** Completed copies marked by this deployment, from this region's volume. */
  copies: number;
  notCompleted: number;
  status: string;
}

export function finalCopiesText(copies: readonly FinalCopies[]): string {
  if (copies.length === 0) return '';
  const rows = copies.map((c) => [
    c.volumeId,
    c.volumeName ?? '-',
    c.region,
    c.copyGenerations === undefined ? '-' : String(c.copyGenerations),
    String(c.copies),
    c.status,
  ]);
  const lines = [
    'Copies after the last run (completed copies marked by this deployment, per copy region)',
    ...table([['VOLUME', 'NAME', 'REGION', 'N', 'COPIES', 'STATUS'], ...rows], '  '),
  ];
  return `${lines.join('\n')}\n`;
}
