import type { ManagedSnapshot } from '../../lambdas/aws/snapshot-queries';
import type { ConsistencyMode } from '../../lambdas/contracts/sets';
import type { VolumeWorkItem } from '../../lambdas/contracts/work-items';
import { newestFirst } from '../../lambdas/core/retention';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { instanceLabel } from '../instance-label';
import { type SetView, setView } from '../set-view';
import type { FleetTargets } from './fleet-targets';
import { nextDeletions } from './next-deletions';

/**
 * The `generations` report (its `--json` document is documented in the README, "generations"):
 * per instance and volume, the volume's family of managed snapshots (SPEC §3.1: marker and
 * `Backup-Volume-Id`), numbered as retention counts them, against the N in force tonight; and
 * its copies in each copy region (SPEC §10.4: the family there whose source region is the
 * deployment's), against the copy N, or left untouched in a region no longer configured; and
 * per instance, its consistency mode tonight and the set it is taken as (SPEC §12).
 */
export interface GenerationsReport {
  instances: InstanceGenerations[];
}

export interface InstanceGenerations {
  /** Null for volumes backed up without an instance (not attached) or whose instance is unknown. */
  instanceId: string | null;
  /** Its Name tag (live instance), else the Name its newest snapshot was tagged with; null when none. */
  instanceName: string | null;
  /** Its consistency mode tonight (SPEC §12.1); null when no volume of it is backed up tonight. */
  mode: ConsistencyMode | null;
  /** In `instance` or `application` mode: the set tonight's run takes (SPEC §12.2); else null. */
  set: SetView | null;
  /**
   * Why its consistency tag is not honoured (an invalid value, a set EC2 cannot take): it is
   * backed up volume by volume and the run ends FAILED; else null.
   */
  modeInvalid: string | null;
  volumes: VolumeGenerations[];
}

export type GenerationStatus = 'at-n' | 'over-n' | 'under-n' | 'not-backed-up';
/** A copy region's status: `not-copied`, the volume gets no copies; `not-managed`, the region was removed. */
export type CopyStatus = 'at-n' | 'over-n' | 'under-n' | 'not-copied' | 'not-managed';

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
  /**
   * The snapshots the volume's next successful backup deletes (see `nextDeletions`): completed
   * ones beyond N once the new one counts, then those in error; empty when it is not backed up.
   */
  deletesNext: string[];
  /** Newest first (StartTime, then ID). */
  snapshots: SnapshotGeneration[];
  /** The copy N in force tonight (SPEC §10.2): copies kept in each copy region; null when none. */
  copyGenerations: number | null;
  /**
   * Its copies in each copy region (configured, then removed ones, each sorted): a configured
   * region when the volume gets copies or has some there, a removed one when it has some there.
   */
  copies: RegionCopies[];
}

/** One volume's copies in one region: its family there (SPEC §10.4) against the copy N. */
export interface RegionCopies {
  region: string;
  /** False when the region was removed from copyRegions: its copies are left untouched (SPEC §10.6). */
  managed: boolean;
  /** The copy N in force there; null when the volume gets no copies there. */
  generations: number | null;
  completed: number;
  status: CopyStatus;
  remark: string;
  /** The copies there the next successful copy deletes; empty when `not-copied` or `not-managed`. */
  deletesNext: string[];
  /** Newest first (StartTime, then ID), numbered like the volume's snapshots. */
  snapshots: CopyGeneration[];
}

export interface CopyGeneration extends SnapshotGeneration {
  encrypted: boolean;
  /** The KMS key it is encrypted with (needed to restore it); null when not encrypted. */
  kmsKeyId: string | null;
  /** The snapshot in the deployment's region it was copied from. */
  sourceSnapshotId: string | null;
}

/** The copies of the deployment's snapshots listed in one region (their source region is its own). */
export interface RegionListing {
  region: string;
  /** In the deployment's copyRegions; else a region it kept copies in before. */
  managed: boolean;
  snapshots: readonly ManagedSnapshot[];
}

/** What the copies are judged against: the copy tag key, and the regions listed (none: copies not shown). */
export interface CopyListings {
  copyTagKey: string;
  regions: readonly RegionListing[];
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
  options: {
    tagKey: string;
    /** The consistency tag key (SPEC §12.1): its invalid values are told apart from the copy tag's. */
    consistencyTagKey: string;
    /** When the report is made: the next backup's snapshot is taken after it (see `nextDeletions`). */
    now: number;
    filter?: GenerationsFilter;
    copies?: CopyListings;
  },
): GenerationsReport {
  const { tagKey, now, filter = {} } = options;
  const families = familiesOf(snapshots);
  const copyFamilies = (options.copies?.regions ?? []).map((listing) => ({
    ...listing,
    families: familiesOf(listing.snapshots),
  }));
  const items = new Map(targets.resolved.items.map((item) => [item.volumeId, item]));
  const attachments = liveAttachments(targets);

  const candidates = new Set([
    ...items.keys(),
    ...families.keys(),
    ...copyFamilies.flatMap((c) => [...c.families.keys()]),
    ...(filter.volumeIds ?? []),
  ]);
  for (const id of filter.instanceIds ?? []) {
    for (const volumeId of targets.instances.get(id)?.volumeIds ?? []) candidates.add(volumeId);
  }

  const blocks = new Map<string | null, InstanceGenerations>();
  for (const volumeId of [...candidates].sort()) {
    if (filter.volumeIds && !filter.volumeIds.includes(volumeId)) continue;
    const family = (families.get(volumeId) ?? []).sort(newestFirst);
    const copyFamily = copyFamilies.map((c) => ({
      ...c,
      family: (c.families.get(volumeId) ?? []).sort(newestFirst),
    }));
    const item = items.get(volumeId);
    const attached = attachments.get(volumeId) ?? [];
    // The instance it is backed up under; else where it is attached; else where its newest
    // snapshot (or, with none left, its newest copy) was taken.
    const tagged = family[0] ?? copyFamily.map((c) => c.family[0]).find((s) => s !== undefined);
    const owner = item ? item.instanceId : (attached[0] ?? tagged?.tags[SnapshotTag.instanceId]);
    if (filter.instanceIds && ![owner, ...attached].some((id) => id && filter.instanceIds?.includes(id))) {
      continue;
    }
    const key = owner ?? null;
    const block = blocks.get(key) ?? {
      instanceId: key,
      instanceName: ownerName(targets, owner, item, [...family, ...copyFamily.flatMap((c) => c.family)]),
      ...consistencyOf(targets, key, options.consistencyTagKey),
      volumes: [],
    };
    const entry = volumeEntry(
      volumeId,
      family,
      item,
      whyNotBackedUp(volumeId, attached, targets, tagKey),
      now,
    );
    const copies = copyFamily.flatMap((c) => {
      const listed = c.family.length > 0 || (c.managed && item?.copyGenerations !== undefined);
      if (!listed) return [];
      const notCopied = () => whyNotCopied(item, targets, options.copies?.copyTagKey ?? '');
      return [regionCopies(c.region, c.managed, c.family, item?.copyGenerations, notCopied, now)];
    });
    block.volumes.push({ ...entry, copyGenerations: item?.copyGenerations ?? null, copies });
    blocks.set(key, block);
  }
  for (const id of filter.instanceIds ?? []) {
    if (!blocks.has(id)) {
      blocks.set(id, {
        instanceId: id,
        instanceName: targets.instances.get(id)?.name ?? null,
        ...consistencyOf(targets, id, options.consistencyTagKey),
        volumes: [],
      });
    }
  }
  return { instances: [...blocks.values()].sort(byLabel) };
}

function volumeEntry(
  volumeId: string,
  family: readonly ManagedSnapshot[],
  item: VolumeWorkItem | undefined,
  notBackedUp: string,
  now: number,
): Omit<VolumeGenerations, 'copyGenerations' | 'copies'> {
  const snapshots = numbered(family);
  const generation = snapshots.filter((s) => s.generation !== null).length;
  const generations = item?.generations ?? null;
  const { status, remark, deletesNext } = statusOf(generations, generation, family, notBackedUp, now);
  return {
    volumeId,
    generations,
    notBackedUp: item ? null : notBackedUp,
    completed: generation,
    status,
    remark,
    deletesNext,
    snapshots,
  };
}

/** A family, newest first, numbered as retention counts it: completed ones only, 1 the newest. */
function numbered(family: readonly ManagedSnapshot[]): SnapshotGeneration[] {
  let generation = 0;
  return family.map((s) => ({
    snapshotId: s.snapshotId,
    state: s.state,
    startTime: new Date(s.startTime).toISOString(),
    sizeGiB: s.volumeSize ?? null,
    generation: s.state === 'completed' ? ++generation : null,
  }));
}

function statusOf(
  n: number | null,
  completed: number,
  family: readonly ManagedSnapshot[],
  notBackedUp: string,
  now: number,
): { status: GenerationStatus; remark: string; deletesNext: string[] } {
  if (n === null) {
    const left = family.length > 0 ? '; its snapshots are left alone' : '';
    return {
      status: 'not-backed-up',
      remark: [`not backed up: ${notBackedUp}${left}`, ...plainStateNotes(family)].join('; '),
      deletesNext: [],
    };
  }
  return againstN(n, completed, family, 'backup', now);
}

/**
 * How a family with an N in force compares with it, in the words of what makes the next one;
 * what that next one deletes is retention's own answer (`nextDeletions`), not arithmetic here.
 */
function againstN(
  n: number,
  completed: number,
  family: readonly ManagedSnapshot[],
  next: 'backup' | 'copy',
  now: number,
): { status: GenerationStatus & CopyStatus; remark: string; deletesNext: string[] } {
  const notes = [
    ...stateNote(idsIn(family, 'pending'), 'pending: not counted until completed'),
    ...stateNote(idsIn(family, 'error'), `in error: not counted; the next successful ${next} deletes it`),
  ];
  const deletes = nextDeletions(family, n, now);
  const oldest = deletes.filter((s) => s.state === 'completed').length;
  const deleting =
    oldest === 0
      ? ''
      : `: the next successful ${next} deletes the oldest${oldest === 1 ? '' : ` ${oldest}`}, unless EC2 refuses because it is in use (e.g. by an AMI)`;
  const k = Math.abs(completed - n);
  const [status, headline]: [GenerationStatus & CopyStatus, string] =
    completed === n
      ? ['at-n', `= N${deleting}`]
      : completed > n
        ? ['over-n', `over N by ${k}${deleting}`]
        : ['under-n', `under N by ${k}: one more with each successful ${next}`];
  return { status, remark: [headline, ...notes].join('; '), deletesNext: deletes.map((s) => s.snapshotId) };
}

/** The pending and error snapshots of a family that is left alone. */
function plainStateNotes(family: readonly ManagedSnapshot[]): string[] {
  return [
    ...stateNote(idsIn(family, 'pending'), 'pending'),
    ...stateNote(idsIn(family, 'error'), 'in error'),
  ];
}

function idsIn(family: readonly ManagedSnapshot[], state: string): string[] {
  return family.filter((s) => s.state === state).map((s) => s.snapshotId);
}

/**
 * One volume's copies in one region against the copy N (SPEC §10.4): numbered like its
 * snapshots; in a region removed from copyRegions, or without a copy N, left untouched.
 */
function regionCopies(
  region: string,
  managed: boolean,
  family: readonly ManagedSnapshot[],
  copyGenerations: number | undefined,
  notCopied: () => string,
  now: number,
): RegionCopies {
  const snapshots = numbered(family).map((s, i) => ({
    ...s,
    encrypted: family[i].encrypted,
    kmsKeyId: family[i].kmsKeyId ?? null,
    sourceSnapshotId: family[i].tags[SnapshotTag.sourceSnapshotId] ?? null,
  }));
  const completed = snapshots.filter((s) => s.generation !== null).length;
  const entry = (
    generations: number | null,
    judged: { status: CopyStatus; remark: string; deletesNext: string[] },
  ) => ({
    region,
    managed,
    generations,
    completed,
    ...judged,
    snapshots,
  });
  const leftAlone = (status: CopyStatus, headline: string) => ({
    status,
    remark: [headline, ...plainStateNotes(family)].join('; '),
    deletesNext: [],
  });
  if (!managed) {
    return entry(
      null,
      leftAlone('not-managed', 'not managed any more (region removed from copyRegions): left untouched'),
    );
  }
  if (copyGenerations === undefined) {
    return entry(null, leftAlone('not-copied', `not copied: ${notCopied()}; its copies here are left alone`));
  }
  return entry(copyGenerations, againstN(copyGenerations, completed, family, 'copy', now));
}

/** Why a volume gets no copies tonight: not backed up, an invalid copy tag, or none (or 0). */
function whyNotCopied(item: VolumeWorkItem | undefined, targets: FleetTargets, copyTagKey: string): string {
  if (!item) return 'the volume is not backed up';
  const copyTag = targets.resolved.invalid.filter((t) => t.tagKey === copyTagKey);
  const bad =
    copyTag.find((t) => t.resource === 'volume' && t.id === item.volumeId) ??
    copyTag.find((t) => t.resource === 'instance' && t.id === item.instanceId);
  if (bad) {
    const where = bad.resource === 'volume' ? 'the volume' : `instance ${bad.id}`;
    return `invalid value ${JSON.stringify(bad.value ?? '')} on ${where}: ${bad.reason}`;
  }
  return `no ${copyTagKey} tag on the volume or its instance, or it is 0`;
}

function stateNote(ids: readonly string[], what: string): string[] {
  return ids.length > 0 ? [`${ids.join(', ')} ${what}`] : [];
}

/** An instance's mode, set and invalid consistency value tonight, as discovery decided them. */
function consistencyOf(
  targets: FleetTargets,
  instanceId: string | null,
  consistencyTagKey: string,
): Pick<InstanceGenerations, 'mode' | 'set' | 'modeInvalid'> {
  const mode = instanceId === null ? undefined : targets.resolved.modes[instanceId];
  if (mode === undefined) return { mode: null, set: null, modeInvalid: null };
  const set = targets.resolved.sets?.find((s) => s.instanceId === instanceId);
  const bad = targets.resolved.invalid.find(
    (t) => t.resource === 'instance' && t.id === instanceId && t.tagKey === consistencyTagKey,
  );
  const own = bad?.reason.startsWith(`${consistencyTagKey} `)
    ? bad.reason.slice(consistencyTagKey.length + 1)
    : bad?.reason;
  return {
    mode,
    set: set ? setView(set, targets.instances.get(set.instanceId)?.rootVolumeId) : null,
    modeInvalid: bad ? `${consistencyTagKey} ${JSON.stringify(bad.value ?? '')} ${own}` : null,
  };
}

/** Why discovery does not back this volume up, from the same resolution the workflow makes. */
function whyNotBackedUp(
  volumeId: string,
  attached: readonly string[],
  targets: FleetTargets,
  tagKey: string,
): string {
  const { skipped } = targets.resolved;
  // An invalid copy tag does not stop a backup (SPEC §10.2): only the generation tag's count here.
  const invalid = targets.resolved.invalid.filter((t) => t.tagKey === undefined);
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
