import type { ManagedSnapshot } from '../../lambdas/aws/snapshot-queries';
import type { VolumeWorkItem } from '../../lambdas/contracts/work-items';
import { newestFirst } from '../../lambdas/core/retention';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { instanceLabel } from '../instance-label';
import type { FleetTargets } from './fleet-targets';

/**
 * The `generations` report (its `--json` document is documented in the README, "generations"):
 * per instance and volume, the volume's family of managed snapshots (SPEC §3.1: marker and
 * `Backup-Volume-Id`), numbered as retention counts them, against the N in force tonight.
 */
export interface GenerationsReport {
  instances: InstanceGenerations[];
}

export interface InstanceGenerations {
  /** Null for volumes backed up without an instance (not attached) or whose instance is unknown. */
  instanceId: string | null;
  /** Its Name tag (live instance), else the Name its newest snapshot was tagged with; null when none. */
  instanceName: string | null;
  volumes: VolumeGenerations[];
}

export type GenerationStatus = 'at-n' | 'over-n' | 'under-n' | 'not-backed-up';

export interface VolumeGenerations {
  volumeId: string;
  /** N in force: the completed generations tonight's run keeps; null when it is not backed up. */
  generations: number | null;
  /** Why the volume is not backed up; null when it is. */
  notBackedUp: string | null;
  /** Completed snapshots: the ones that count toward N (SPEC §3.2). */
  completed: number;
  status: GenerationStatus;
  /** The status in words, and what explains it (pending or error snapshots). */
  remark: string;
  /** Newest first (StartTime, then ID). */
  snapshots: SnapshotGeneration[];
}

export interface SnapshotGeneration {
  snapshotId: string;
  state: string;
  /** ISO 8601. */
  startTime: string;
  /** Size of the volume it was taken from (EC2's VolumeSize), in GiB. */
  sizeGiB: number | null;
  /** 1 = the newest completed one; null for a snapshot that is not completed (not counted). */
  generation: number | null;
}

export interface GenerationsFilter {
  instanceIds?: readonly string[];
  volumeIds?: readonly string[];
}

/**
 * Builds the report. A volume is listed when tonight's run backs it up, when it has a family
 * (even if it is no longer targeted: tag removed, volume or instance gone), or when the filter
 * names it or an instance it is attached to. Both filters narrow: a volume must match each one given.
 */
export function volumeGenerations(
  targets: FleetTargets,
  snapshots: readonly ManagedSnapshot[],
  options: { tagKey: string; filter?: GenerationsFilter },
): GenerationsReport {
  const { tagKey, filter = {} } = options;
  const families = familiesOf(snapshots);
  const items = new Map(targets.resolved.items.map((item) => [item.volumeId, item]));
  const attachments = liveAttachments(targets);

  const candidates = new Set([...items.keys(), ...families.keys(), ...(filter.volumeIds ?? [])]);
  for (const id of filter.instanceIds ?? []) {
    for (const volumeId of targets.instances.get(id)?.volumeIds ?? []) candidates.add(volumeId);
  }

  const blocks = new Map<string | null, InstanceGenerations>();
  for (const volumeId of [...candidates].sort()) {
    if (filter.volumeIds && !filter.volumeIds.includes(volumeId)) continue;
    const family = (families.get(volumeId) ?? []).sort(newestFirst);
    const item = items.get(volumeId);
    const attached = attachments.get(volumeId) ?? [];
    // The instance it is backed up under; else where it is attached; else where its newest snapshot was taken.
    const owner = item ? item.instanceId : (attached[0] ?? family[0]?.tags[SnapshotTag.instanceId]);
    if (filter.instanceIds && ![owner, ...attached].some((id) => id && filter.instanceIds?.includes(id))) {
      continue;
    }
    const key = owner ?? null;
    const block = blocks.get(key) ?? {
      instanceId: key,
      instanceName: ownerName(targets, owner, item, family),
      volumes: [],
    };
    block.volumes.push(
      volumeEntry(volumeId, family, item, whyNotBackedUp(volumeId, attached, targets, tagKey)),
    );
    blocks.set(key, block);
  }
  for (const id of filter.instanceIds ?? []) {
    if (!blocks.has(id)) {
      blocks.set(id, { instanceId: id, instanceName: targets.instances.get(id)?.name ?? null, volumes: [] });
    }
  }
  return { instances: [...blocks.values()].sort(byLabel) };
}

function volumeEntry(
  volumeId: string,
  family: readonly ManagedSnapshot[],
  item: VolumeWorkItem | undefined,
  notBackedUp: string,
): VolumeGenerations {
  let generation = 0;
  const snapshots = family.map((s) => ({
    snapshotId: s.snapshotId,
    state: s.state,
    startTime: new Date(s.startTime).toISOString(),
    sizeGiB: s.volumeSize ?? null,
    generation: s.state === 'completed' ? ++generation : null,
  }));
  const generations = item?.generations ?? null;
  const { status, remark } = statusOf(generations, generation, family, notBackedUp);
  return {
    volumeId,
    generations,
    notBackedUp: item ? null : notBackedUp,
    completed: generation,
    status,
    remark,
    snapshots,
  };
}

function statusOf(
  n: number | null,
  completed: number,
  family: readonly ManagedSnapshot[],
  notBackedUp: string,
): { status: GenerationStatus; remark: string } {
  const ids = (state: string) => family.filter((s) => s.state === state).map((s) => s.snapshotId);
  const pending = ids('pending');
  const errors = ids('error');
  if (n === null) {
    const left = family.length > 0 ? '; its snapshots are left alone' : '';
    const notes = [...stateNote(pending, 'pending'), ...stateNote(errors, 'in error')];
    return { status: 'not-backed-up', remark: [`not backed up: ${notBackedUp}${left}`, ...notes].join('; ') };
  }
  const notes = [
    ...stateNote(pending, 'pending: not counted until completed'),
    ...stateNote(errors, 'in error: not counted; the next successful backup deletes it'),
  ];
  const k = Math.abs(completed - n);
  const [status, headline]: [GenerationStatus, string] =
    completed === n
      ? ['at-n', '= N']
      : completed > n
        ? [
            'over-n',
            `over N by ${k}: the next successful backup deletes the oldest ${k}, unless EC2 refuses because it is in use (e.g. by an AMI)`,
          ]
        : ['under-n', `under N by ${k}: one more with each successful backup`];
  return { status, remark: [headline, ...notes].join('; ') };
}

function stateNote(ids: readonly string[], what: string): string[] {
  return ids.length > 0 ? [`${ids.join(', ')} ${what}`] : [];
}

/** Why discovery does not back this volume up, from the same resolution the workflow makes. */
function whyNotBackedUp(
  volumeId: string,
  attached: readonly string[],
  targets: FleetTargets,
  tagKey: string,
): string {
  const { invalid, skipped } = targets.resolved;
  const onVolume = (t: { resource: string; id: string }) => t.resource === 'volume' && t.id === volumeId;
  const onInstance = (t: { resource: string; id: string }) =>
    t.resource === 'instance' && attached.includes(t.id);
  const bad = invalid.find(onVolume) ?? invalid.find(onInstance);
  if (bad) {
    const where = bad.resource === 'volume' ? 'the volume' : `instance ${bad.id}`;
    return `${tagKey} ${JSON.stringify(bad.value ?? '')} on ${where} ${bad.reason}`;
  }
  const zero = skipped.find(onVolume) ?? skipped.find(onInstance);
  if (zero) return `${tagKey} is 0 on ${zero.resource === 'volume' ? 'the volume' : `instance ${zero.id}`}`;
  return `no ${tagKey} tag on it or on a live instance it is attached to (removed, or the volume or instance is gone)`;
}

/** Marker-checked snapshots (listManagedSnapshots) grouped by their `Backup-Volume-Id` tag. */
function familiesOf(snapshots: readonly ManagedSnapshot[]): Map<string, ManagedSnapshot[]> {
  const families = new Map<string, ManagedSnapshot[]>();
  for (const snapshot of snapshots) {
    const volumeId = snapshot.tags[SnapshotTag.volumeId];
    if (!volumeId) continue;
    families.set(volumeId, [...(families.get(volumeId) ?? []), snapshot]);
  }
  return families;
}

/** Volume ID → the live instances it is attached to, by ID. */
function liveAttachments(targets: FleetTargets): Map<string, string[]> {
  const attachments = new Map<string, string[]>();
  for (const instance of [...targets.instances.values()].sort((a, b) =>
    compare(a.instanceId, b.instanceId),
  )) {
    for (const volumeId of instance.volumeIds) {
      attachments.set(volumeId, [...(attachments.get(volumeId) ?? []), instance.instanceId]);
    }
  }
  return attachments;
}

/** A live instance's Name; for one that is gone, the Name its newest snapshot was tagged with. */
function ownerName(
  targets: FleetTargets,
  owner: string | undefined,
  item: VolumeWorkItem | undefined,
  family: readonly ManagedSnapshot[],
): string | null {
  if (owner === undefined) return null;
  const live = targets.instances.get(owner);
  if (live) return live.name ?? null;
  if (item?.instanceName !== undefined) return item.instanceName;
  const tagged = family.find((s) => s.tags[SnapshotTag.instanceId] === owner);
  const name = tagged?.tags.Name;
  return name !== undefined && name !== tagged?.tags[SnapshotTag.volumeId] ? name : null;
}

/** By label (Name or ID), then ID; volumes without an instance last. */
function byLabel(a: InstanceGenerations, b: InstanceGenerations): number {
  if (a.instanceId === null || b.instanceId === null) return a.instanceId === null ? 1 : -1;
  const label = (i: InstanceGenerations) => instanceLabel(i.instanceId ?? '', i.instanceName ?? undefined);
  return compare(label(a), label(b)) || compare(a.instanceId, b.instanceId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
