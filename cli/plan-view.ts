import type { InvalidTarget } from '../lambdas/contracts/work-items';
import { invalidLine } from '../lambdas/core/failure-cause';
import { SnapshotTag } from '../lambdas/core/snapshot-tags';
import type { BackupPlan, PlannedVolume } from './backup-plan';
import { instanceLabel } from './instance-label';
import { count } from './plural';
import { setLine } from './set-view';
import { table } from './table';

/** What a plan was made for: shown above it and in its JSON document. */
export interface PlanTarget {
  /** The stack the marker and tag key came from; absent when the options gave all the plan needs. */
  stack?: string;
  region: string;
  tagKey: string;
  managedBy: string;
  /** The instance tag key naming its consistency mode (SPEC §12.1). */
  consistencyTagKey: string;
  instanceIds?: readonly string[];
  /** The deployment's copy settings (its stack's outputs, or the options); absent when unknown: copies not planned. */
  copies?: { tagKey: string; regions: readonly string[] };
  /** Why the regions no longer configured are unknown (the work bucket's record could not be read). */
  retiredUnknown?: string;
}

/** Snapshot IDs shown per volume in the text; `--json` lists them all. */
const IDS_SHOWN = 3;

/** The `--json` document of `plan` (README, "plan"). */
export function planJson(plan: BackupPlan, target: PlanTarget) {
  const copies = plan.volumes.flatMap((v) => v.copies ?? []);
  return {
    ...(target.stack !== undefined && { stack: target.stack }),
    region: target.region,
    tagKey: target.tagKey,
    managedBy: target.managedBy,
    consistencyTagKey: target.consistencyTagKey,
    ...(target.instanceIds !== undefined && { instanceIds: [...target.instanceIds] }),
    ...(target.copies !== undefined && {
      copyTagKey: target.copies.tagKey,
      copyRegions: [...target.copies.regions],
    }),
    tonight: wouldFail(plan) ? 'FAILED' : 'SUCCEEDED',
    nothingTagged: nothingTagged(plan),
    counts: {
      volumes: plan.volumes.length,
      create: plan.volumes.length,
      delete: plan.volumes.reduce((n, v) => n + v.deleteCount, 0),
      keep: plan.volumes.reduce((n, v) => n + v.keepCount, 0),
      invalid: plan.invalid.length,
      skipped: plan.skipped.length,
      taggedInstances: plan.taggedInstances,
      taggedVolumes: plan.taggedVolumes,
      copyCreate: copies.length,
      copyDelete: copies.reduce((n, c) => n + c.deleteCount, 0),
      copyKeep: copies.reduce((n, c) => n + c.keepCount, 0),
      sets: plan.sets.length,
    },
    volumes: plan.volumes,
    modes: plan.modes,
    sets: plan.sets,
    invalid: plan.invalid,
    skipped: plan.skipped,
    retiredCopyRegions: plan.retiredCopyRegions,
    ...(target.retiredUnknown !== undefined && { retiredCopyRegionsUnknown: target.retiredUnknown }),
  };
}

/** The text of `plan`: a row per volume, the invalid and excluded targets, one line of totals. */
export function planText(plan: BackupPlan, target: PlanTarget): string[] {
  const where = target.stack ? `stack ${target.stack} in ${target.region}` : target.region;
  const lines = [
    `Plan for ${where}: what tonight's run would do (nothing is changed)`,
    `Instances and volumes tagged ${target.tagKey}; snapshots marked ${SnapshotTag.managedBy}=${target.managedBy}`,
  ];
  if (target.copies && target.copies.regions.length > 0) {
    lines.push(`Copies in ${target.copies.regions.join(', ')} for volumes tagged ${target.copies.tagKey}`);
  }
  if (!target.copies) {
    lines.push("Copies are not planned: the copy regions are the stack's outputs (or pass --copy-regions)");
  }
  if (target.instanceIds) lines.push(`Only instances ${target.instanceIds.join(', ')} (an instanceIds run)`);
  if (nothingTagged(plan)) {
    lines.push(
      '',
      `No instance or volume carries the tag ${target.tagKey} in ${target.region}: nothing would be backed up.`,
      'A wrong region, profile or endpoint looks exactly like this.',
    );
    if (plan.invalid.length === 0) return lines;
  }
  if (plan.volumes.length > 0) {
    const header = ['VOLUME', 'INSTANCE', 'N', 'CREATE', 'KEEP', 'DELETE', 'DETAILS'];
    const rows = plan.volumes.map((v) => [
      v.volumeId,
      v.instanceId === undefined ? '(not attached)' : instanceLabel(v.instanceId, v.instanceName),
      String(v.generations),
      '1',
      String(v.keepCount),
      String(v.deleteCount),
      details(v),
    ]);
    lines.push('', ...table([header, ...rows]));
  }
  lines.push(...copyLines(plan));
  lines.push(...consistencyLines(plan, target));
  const consistency = (t: InvalidTarget) => t.tagKey === target.consistencyTagKey;
  const [generationTag, copyTag, consistencyTag] = [
    plan.invalid.filter((t) => t.tagKey === undefined),
    plan.invalid.filter((t) => t.tagKey !== undefined && !consistency(t)),
    plan.invalid.filter(consistency),
  ];
  if (generationTag.length > 0) {
    lines.push('', "Invalid tag values (not backed up; tonight's run would end FAILED):");
    lines.push(...generationTag.map((t) => `  ${invalidLine(t)}`));
  }
  if (copyTag.length > 0) {
    lines.push(
      '',
      "Invalid copy tag values (backed up but not copied, their copies left alone; tonight's run would end FAILED):",
    );
    lines.push(...copyTag.map((t) => `  ${invalidLine(t)}`));
  }
  if (consistencyTag.length > 0) {
    lines.push(
      '',
      "Invalid consistency tag values (backed up volume by volume; tonight's run would end FAILED):",
    );
    lines.push(...consistencyTag.map((t) => `  ${invalidLine(t)}`));
  }
  if (plan.skipped.length > 0) {
    lines.push('', 'Excluded (generation 0: no snapshot, existing ones left alone):');
    lines.push(...plan.skipped.map((t) => `  ${t.resource} ${t.id}: ${t.reason}`));
  }
  lines.push(...retiredLines(plan, target));
  const counts = planJson(plan, target).counts;
  const regions = target.copies?.regions.length ?? 0;
  const copies =
    regions > 0
      ? `${count(counts.copyCreate, 'copy', 'copies')} to create, ${counts.copyDelete} to delete, ` +
        `${counts.copyKeep} kept, in ${count(regions, 'region')}; `
      : '';
  const inSets = plan.sets.reduce((n, s) => n + s.volumeIds.length, 0);
  const sets = plan.sets.length > 0 ? `, ${inSets} of them in ${count(plan.sets.length, 'set')}` : '';
  lines.push(
    '',
    `Tonight: ${count(counts.create, 'snapshot')} to create, ${counts.delete} to delete, ${counts.keep} kept, ` +
      `on ${count(counts.volumes, 'volume')}${sets}; ${copies}${counts.invalid} invalid, ${counts.skipped} excluded. ` +
      `The run would end ${wouldFail(plan) ? 'FAILED' : 'SUCCEEDED'}.`,
  );
  return lines;
}

/** A row per volume and copy region: tonight's copy there, and that region's retention. */
function copyLines(plan: BackupPlan): string[] {
  const rows = plan.volumes.flatMap((v) =>
    (v.copies ?? []).map((c) => [
      v.volumeId,
      c.region,
      String(v.copyGenerations),
      '1',
      String(c.keepCount),
      String(c.deleteCount),
      details(c),
    ]),
  );
  if (rows.length === 0) return [];
  const header = ['VOLUME', 'REGION', 'N', 'CREATE', 'KEEP', 'DELETE', 'DETAILS'];
  return ['', "Copies (made from tonight's snapshot once it completes):", ...table([header, ...rows])];
}

/**
 * Each instance's mode (SPEC §12.1): how many are backed up volume by volume, and a line per set
 * with its volumes and those it leaves out. Nothing when no volume is backed up under an instance.
 */
function consistencyLines(plan: BackupPlan, target: PlanTarget): string[] {
  const modes = Object.values(plan.modes);
  if (modes.length === 0) return [];
  const single = modes.filter((m) => m === 'volume').length;
  const heading = `Consistency (tag ${target.consistencyTagKey}): ${count(single, 'instance')} volume by volume`;
  if (plan.sets.length === 0) return ['', `${heading}, none taken as a set`];
  const rows = plan.sets.map((s) => [
    instanceLabel(s.instanceId, s.instanceName),
    s.instanceId,
    s.mode,
    setLine(s),
  ]);
  return ['', `${heading}, ${count(plan.sets.length, 'instance')} taken as a set:`, ...table(rows, '  ')];
}

/** The regions no longer configured, with their copies left untouched (SPEC §10.6). */
function retiredLines(plan: BackupPlan, target: PlanTarget): string[] {
  if (target.retiredUnknown !== undefined) {
    return [
      '',
      `Copy regions no longer configured: unknown, the work bucket's record could not be read (${target.retiredUnknown})`,
    ];
  }
  if (plan.retiredCopyRegions.length === 0) return [];
  return [
    '',
    'Copy regions no longer configured (not copied to, not pruned):',
    ...plan.retiredCopyRegions.map((r) => `  ${r.region}: ${r.message}`),
  ];
}

/** Invalid tag values fail the run (SPEC §1.2), even though every other volume is backed up. */
export function wouldFail(plan: BackupPlan): boolean {
  return plan.invalid.length > 0;
}

function nothingTagged(plan: BackupPlan): boolean {
  return plan.taggedInstances === 0 && plan.taggedVolumes === 0;
}

function details(v: Pick<PlannedVolume, 'delete' | 'deleteCount' | 'pending'>): string {
  const notes: string[] = [];
  if (v.deleteCount > 0) {
    const more = v.deleteCount - Math.min(v.delete.length, IDS_SHOWN);
    notes.push(`delete ${v.delete.slice(0, IDS_SHOWN).join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  if (v.pending > 0) notes.push(`${v.pending} pending of another run left alone`);
  return notes.join('; ') || '-';
}
