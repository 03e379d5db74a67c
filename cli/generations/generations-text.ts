import { instanceLabel } from '../instance-label';
import { setLine } from '../set-view';
import { fitWidth, table } from '../table';
import type {
  GenerationsReport,
  InstanceGenerations,
  RegionCopies,
  SnapshotGeneration,
  VolumeGenerations,
} from './volume-generations';

/** The widest an instance's Name is shown in a block's heading. */
const HEADING_NAME_WIDTH = 60;

/** One block per instance (Name and ID), a table per volume with its N and remark. */
export function generationsText(report: GenerationsReport, now: number): string[] {
  if (report.instances.length === 0) return ['No managed snapshots and no targeted volumes.'];
  const lines: string[] = [];
  for (const instance of report.instances) {
    if (lines.length > 0) lines.push('');
    lines.push(heading(instance), ...modeLines(instance));
    if (instance.volumes.length === 0) {
      lines.push('  no volume of it is backed up and no managed snapshot names it');
    }
    for (const volume of instance.volumes) lines.push(...volumeLines(volume, now));
  }
  return lines;
}

/** `Instance <Name> (<ID>)`, with its consistency mode tonight when a volume of it is backed up. */
function heading(instance: InstanceGenerations): string {
  if (instance.instanceId === null)
    return 'Volumes without an instance (not attached, or the instance is unknown)';
  const label = instanceLabel(instance.instanceId, instance.instanceName ?? undefined);
  const mode = instance.mode === null ? '' : `, mode ${instance.mode}`;
  return label === instance.instanceId
    ? `Instance ${instance.instanceId}${mode}`
    : `Instance ${fitWidth(label, HEADING_NAME_WIDTH)} (${instance.instanceId})${mode}`;
}

/** What its mode in the heading leaves unsaid (SPEC §12): the set, or why it is not one. */
function modeLines(instance: InstanceGenerations): string[] {
  if (instance.set) return [`  set: ${setLine(instance.set)}`];
  if (instance.modeInvalid !== null) return [`  ${instance.modeInvalid}; tonight's run would end FAILED`];
  return [];
}

const COLUMNS = ['GEN', 'SNAPSHOT', 'STATE', 'STARTED (UTC)', 'AGE', 'SIZE'];

function volumeLines(volume: VolumeGenerations, now: number): string[] {
  const n = volume.generations === null ? '' : `  N=${volume.generations}, ${volume.completed} completed`;
  const lines = [`  ${volume.volumeId}${n}: ${volume.remark}`];
  if (volume.snapshots.length === 0) lines.push('    no managed snapshots');
  else lines.push(...table([COLUMNS, ...volume.snapshots.map((s) => row(s, now))], '    '));
  for (const copies of volume.copies) lines.push(...copyLines(copies, now));
  return lines;
}

/** A volume's copies in one region, under its snapshots, with whether and how they are encrypted. */
function copyLines(copies: RegionCopies, now: number): string[] {
  const n = copies.generations === null ? '' : `  N=${copies.generations}, ${copies.completed} completed`;
  const lines = [`    copies in ${copies.region}${n}: ${copies.remark}`];
  if (copies.snapshots.length === 0) return [...lines, '      no copies'];
  const rows = copies.snapshots.map((s) => [
    ...row(s, now),
    s.encrypted ? `yes${s.kmsKeyId ? `, ${shortKey(s.kmsKeyId)}` : ''}` : 'no',
  ]);
  return [...lines, ...table([[...COLUMNS, 'ENCRYPTED'], ...rows], '      ')];
}

function row(s: SnapshotGeneration, now: number): string[] {
  return [
    s.generation === null ? '-' : String(s.generation),
    s.snapshotId,
    s.state,
    s.startTime.slice(0, 16).replace('T', ' '),
    age(now - Date.parse(s.startTime)),
    s.sizeGiB === null ? '-' : `${s.sizeGiB} GiB`,
  ];
}

/** A KMS key ARN as its resource part (`key/…`); `--json` has the whole ARN. */
function shortKey(kmsKeyId: string): string {
  return kmsKeyId.replace(/^arn:[^:]+:kms:[^:]*:[^:]*:/, '');
}

/** A duration as an operator reads it: 45s, 12m, 5h 03m, 3d 04h. */
export function age(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (minutes < 1) return `${Math.floor(Math.max(0, ms) / 1000)}s`;
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}
