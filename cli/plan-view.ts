import { invalidLine } from '../lambdas/core/failure-cause';
import { SnapshotTag } from '../lambdas/core/snapshot-tags';
import type { BackupPlan, PlannedVolume } from './backup-plan';
import { instanceLabel } from './instance-label';
import { table } from './table';

/** What a plan was made for: shown above it and in its JSON document. */
export interface PlanTarget {
  /** The stack the marker and tag key came from; absent when both were given as options. */
  stack?: string;
  region: string;
  tagKey: string;
  managedBy: string;
  instanceIds?: readonly string[];
}

/** Snapshot IDs shown per volume in the text; `--json` lists them all. */
const IDS_SHOWN = 3;

/** The `--json` document of `plan` (README, "plan"). */
export function planJson(plan: BackupPlan, target: PlanTarget) {
  return {
    ...(target.stack !== undefined && { stack: target.stack }),
    region: target.region,
    tagKey: target.tagKey,
    managedBy: target.managedBy,
    ...(target.instanceIds !== undefined && { instanceIds: [...target.instanceIds] }),
    tonight: wouldFail(plan) ? 'FAILED' : 'SUCCEEDED',
    nothingTagged: nothingTagged(plan),
    counts: {
      volumes: plan.volumes.length,
      create: plan.volumes.length,
      delete: plan.volumes.reduce((n, v) => n + v.deleteCount, 0),
      keep: plan.volumes.reduce((n, v) => n + v.keep.length, 0),
      invalid: plan.invalid.length,
      skipped: plan.skipped.length,
      taggedInstances: plan.taggedInstances,
      taggedVolumes: plan.taggedVolumes,
    },
    volumes: plan.volumes,
    invalid: plan.invalid,
    skipped: plan.skipped,
  };
}

/** The text of `plan`: a row per volume, the invalid and excluded targets, one line of totals. */
export function planText(plan: BackupPlan, target: PlanTarget): string[] {
  const where = target.stack ? `stack ${target.stack} in ${target.region}` : target.region;
  const lines = [
    `Plan for ${where}: what tonight's run would do (nothing is changed)`,
    `Instances and volumes tagged ${target.tagKey}; snapshots marked ${SnapshotTag.managedBy}=${target.managedBy}`,
  ];
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
      String(v.keep.length),
      String(v.deleteCount),
      details(v),
    ]);
    lines.push('', ...table([header, ...rows]));
  }
  if (plan.invalid.length > 0) {
    lines.push('', "Invalid tag values (not backed up; tonight's run would end FAILED):");
    lines.push(...plan.invalid.map((t) => `  ${invalidLine(t)}`));
  }
  if (plan.skipped.length > 0) {
    lines.push('', 'Excluded (generation 0: no snapshot, existing ones left alone):');
    lines.push(...plan.skipped.map((t) => `  ${t.resource} ${t.id}: ${t.reason}`));
  }
  const counts = planJson(plan, target).counts;
  lines.push(
    '',
    `Tonight: ${counts.create} snapshot(s) to create, ${counts.delete} to delete, ${counts.keep} kept, ` +
      `on ${counts.volumes} volume(s); ${counts.invalid} invalid, ${counts.skipped} excluded. ` +
      `The run would end ${wouldFail(plan) ? 'FAILED' : 'SUCCEEDED'}.`,
  );
  return lines;
}

/** Invalid tag values fail the run (SPEC §1.2), even though every other volume is backed up. */
export function wouldFail(plan: BackupPlan): boolean {
  return plan.invalid.length > 0;
}

function nothingTagged(plan: BackupPlan): boolean {
  return plan.taggedInstances === 0 && plan.taggedVolumes === 0;
}

function details(v: PlannedVolume): string {
  const notes: string[] = [];
  if (v.deleteCount > 0) {
    const more = v.deleteCount - Math.min(v.delete.length, IDS_SHOWN);
    notes.push(`delete ${v.delete.slice(0, IDS_SHOWN).join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  if (v.pending > 0) notes.push(`${v.pending} pending of another run left alone`);
  return notes.join('; ') || '-';
}
