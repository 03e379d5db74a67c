import type { InvalidTarget, SkippedTarget, VolumeWorkItem } from '../contracts/work-items';
import { snapshotDescription } from './description';
import { type GenerationTag, parseGenerationTag } from './generation-tag';

/**
 * A live instance (any state but `terminated` and `shutting-down`) as discovery knows it,
 * independent of the EC2 API's shapes: a tagged one, or an untagged one that a tagged volume
 * is attached to.
 */
export interface TargetInstance {
  instanceId: string;
  name?: string;
  /** The raw value of the generation tag on the instance; absent when it carries no such tag. */
  tagValue?: string;
  /** The raw value of the copy tag (SPEC §10.2); absent when it carries none or none was read. */
  copyTagValue?: string;
  /** The raw value of the consistency tag (SPEC §12.1); absent when it carries none or none was read. */
  consistencyTagValue?: string;
  /** The volumes attached to it. */
  volumeIds: string[];
  /**
   * The EBS volume on its root device, one of `volumeIds`; absent when none is attached there (an
   * instance-store root, a root volume detached from a stopped instance) or it was not read.
   */
  rootVolumeId?: string;
  /** `windows` when EC2 says so (its `Platform`); absent for every other platform. */
  platform?: 'windows';
}

/** A volume carrying the tag key itself (SPEC §1.3), or only the copy tag key (SPEC §10.2). */
export interface TaggedVolume {
  volumeId: string;
  /** The raw value of its generation tag; absent for a volume carrying only the copy tag. */
  tagValue?: string;
  /** The raw value of its copy tag; absent when it carries none or none was read. */
  copyTagValue?: string;
  /** The instances it is attached to, in any state; empty when it is not attached. */
  instanceIds: string[];
}

/** What a run covers. */
export interface TargetScope {
  /**
   * An `instanceIds` run: only attachments to these instances count, and a volume attached to
   * none of them (an unattached one too) is out of scope. Absent: the whole account.
   */
  instanceIds?: readonly string[];
}

/**
 * How copy tags are read (SPEC §10.2). Given only when the deployment keeps copies (it has copy
 * regions): without it, copy tags are ignored entirely.
 */
export interface CopyTagScope {
  /** The copy tag key, named in the reason of an invalid value. */
  tagKey: string;
}

export interface ResolvedTargets {
  items: VolumeWorkItem[];
  invalid: InvalidTarget[];
  skipped: SkippedTarget[];
}

/**
 * Applies SPEC §1.2–§1.4 to the live instances and the tagged volumes. An attachment counts
 * only when its instance is among `instances` (so one to a terminated or shutting-down
 * instance does not) and in `scope`.
 *
 * - An instance with an invalid value is reported, and blocks every volume attached to it:
 *   those are neither backed up nor reported again, whatever the volume's own tag or the
 *   instance's other attachments say.
 * - A volume's own tag overrides its instances' values for that volume: `0` excludes it
 *   (reported as skipped, also on an untagged instance), an invalid value is reported with the
 *   attachment whose instance ID sorts first.
 * - A volume without its own tag is backed up under the attached instance whose ID sorts first
 *   among those tagged with a non-zero value, with that instance's Name and generation.
 * - A volume with its own valid, non-zero tag is backed up whether or not its instances are
 *   tagged: under its attachment whose instance ID sorts first (tagged or not, `0` included),
 *   with that instance's Name; when it has no attachment that counts (a full run only), with
 *   no instance at all.
 * - An instance tagged `0` is reported as skipped unless one of its volumes is backed up by the
 *   volume's own tag.
 *
 * Copy tags (SPEC §10.2, only with `copies`) never change which volumes are backed up, nor their
 * generations; they only add `copyGenerations` to the volumes that are:
 * - A backed-up volume's copy tag is its own when it carries one, else that of the instance it
 *   is backed up under (the `instanceId` of its item, whatever that instance's generation tag:
 *   also an untagged one or one tagged `0`); an unattached volume without its own has none.
 * - A valid non-zero value sets `copyGenerations`; `0` or no value: no copies, not reported.
 * - An invalid value is reported with `tagKey` set to the copy tag key and a reason naming it;
 *   the volume is still backed up, without `copyGenerations`. A volume's own value is reported
 *   once per volume (with the attachment whose instance ID sorts first); an instance's once per
 *   instance, and only when it decides the copies of at least one backed-up volume. So the copy
 *   tag of a volume or instance that is not backed up (generation tag invalid or `0`, or every
 *   volume overriding it) is never reported.
 *
 * Each list is sorted (instances before volumes, by ID; an instance or volume appears in
 * `invalid` at most once) so that runs are repeatable whatever order EC2 listed things in.
 */
export function resolveTargets(
  instances: readonly TargetInstance[],
  volumes: readonly TaggedVolume[],
  scope: TargetScope = {},
  copies?: CopyTagScope,
): ResolvedTargets {
  const only = scope.instanceIds && new Set(scope.instanceIds);
  const live = new Map(
    instances.filter((i) => !only || only.has(i.instanceId)).map((i) => [i.instanceId, i]),
  );
  const instanceTags = new Map<string, GenerationTag>();
  for (const instance of live.values()) {
    if (instance.tagValue !== undefined)
      instanceTags.set(instance.instanceId, parseGenerationTag(instance.tagValue));
  }
  const volumeTags = new Map(
    volumes.flatMap((v) => (v.tagValue === undefined ? [] : [[v.volumeId, v.tagValue]])),
  );
  const attachments = attachmentsOf(live, volumes, only === undefined);
  const copyTags = copies && copyTagResolver(copies, live, volumes);

  const items: VolumeWorkItem[] = [];
  const invalidVolumes: InvalidTarget[] = [];
  const backUp = (
    volumeId: string,
    instanceId: string | undefined,
    generations: number,
    firstAttached: string | undefined,
  ) =>
    items.push({
      ...workItem(volumeId, instanceId === undefined ? undefined : live.get(instanceId), generations),
      ...copyTags?.of(volumeId, instanceId, firstAttached),
    });
  const excludedVolumes: SkippedTarget[] = [];
  const backedUpByVolumeTag = new Set<string>();
  for (const volumeId of [...attachments.keys()].sort(compare)) {
    const instanceIds = [...(attachments.get(volumeId) ?? [])].sort(compare);
    // Blocked: the invalid instance is reported on its own.
    if (instanceIds.some((id) => instanceTags.get(id)?.kind === 'invalid')) continue;
    const own = volumeTags.get(volumeId);
    if (own === undefined) {
      for (const id of instanceIds) {
        const tag = instanceTags.get(id);
        if (tag?.kind !== 'generation') continue;
        backUp(volumeId, id, tag.generations, instanceIds[0]);
        break;
      }
      continue;
    }
    const tag = parseGenerationTag(own);
    const [first] = instanceIds;
    if (tag.kind === 'invalid') {
      invalidVolumes.push({
        resource: 'volume',
        id: volumeId,
        ...(first !== undefined && { instanceId: first }),
        value: tag.value,
        reason: tag.reason,
      });
    } else if (tag.kind === 'skip') {
      excludedVolumes.push({ resource: 'volume', id: volumeId, reason: 'volume tag is 0' });
    } else {
      backUp(volumeId, first, tag.generations, first);
      for (const id of instanceIds) backedUpByVolumeTag.add(id);
    }
  }

  const invalid: InvalidTarget[] = [];
  const skipped: SkippedTarget[] = [];
  for (const [instanceId, tag] of [...instanceTags].sort(([a], [b]) => compare(a, b))) {
    if (tag.kind === 'invalid') {
      invalid.push({ resource: 'instance', id: instanceId, value: tag.value, reason: tag.reason });
    } else if (tag.kind === 'skip' && !backedUpByVolumeTag.has(instanceId)) {
      skipped.push({ resource: 'instance', id: instanceId, reason: 'instance tag is 0' });
    }
  }
  const copyInvalid = copyTags?.invalid() ?? { instances: [], volumes: [] };
  return {
    items,
    invalid: [
      ...byId([...invalid, ...copyInvalid.instances]),
      ...byId([...invalidVolumes, ...copyInvalid.volumes]),
    ],
    skipped: [...skipped, ...excludedVolumes],
  };
}

/**
 * Decides each backed-up volume's copies (see `resolveTargets`): `of` gives one volume's
 * `copyGenerations` and records the invalid value it met; `invalid` lists them, an instance's
 * once however many volumes it decides (a volume is backed up once, so met once).
 */
function copyTagResolver(
  copies: CopyTagScope,
  live: ReadonlyMap<string, TargetInstance>,
  volumes: readonly TaggedVolume[],
) {
  const own = new Map(
    volumes.flatMap((v) => (v.copyTagValue === undefined ? [] : [[v.volumeId, v.copyTagValue]])),
  );
  const invalidInstances = new Map<string, InvalidTarget>();
  const invalidVolumes: InvalidTarget[] = [];
  return {
    of(
      volumeId: string,
      instanceId: string | undefined,
      firstAttached: string | undefined,
    ): { copyGenerations?: number } {
      const volumeValue = own.get(volumeId);
      const raw = volumeValue ?? (instanceId === undefined ? undefined : live.get(instanceId)?.copyTagValue);
      if (raw === undefined) return {};
      const tag = parseGenerationTag(raw);
      if (tag.kind === 'generation') return { copyGenerations: tag.generations };
      if (tag.kind === 'skip') return {};
      const reported = { tagKey: copies.tagKey, value: tag.value, reason: `${copies.tagKey} ${tag.reason}` };
      if (volumeValue !== undefined) {
        invalidVolumes.push({
          resource: 'volume',
          id: volumeId,
          ...(firstAttached !== undefined && { instanceId: firstAttached }),
          ...reported,
        });
      } else if (instanceId !== undefined) {
        invalidInstances.set(instanceId, { resource: 'instance', id: instanceId, ...reported });
      }
      return {};
    },
    invalid: () => ({ instances: [...invalidInstances.values()], volumes: invalidVolumes }),
  };
}

function byId<T extends { id: string }>(targets: T[]): T[] {
  return targets.sort((a, b) => compare(a.id, b.id));
}

/**
 * Volume ID → the IDs of the live instances it is attached to, from both sides (an instance's
 * block devices and a tagged volume's attachments, which EC2 lists separately). With
 * `unattached`, a volume with its own generation tag and no live attachment is present with none.
 */
function attachmentsOf(
  live: ReadonlyMap<string, TargetInstance>,
  volumes: readonly TaggedVolume[],
  unattached: boolean,
): Map<string, Set<string>> {
  const attachments = new Map<string, Set<string>>();
  const attach = (volumeId: string, instanceId: string) => {
    if (!live.has(instanceId)) return;
    const set = attachments.get(volumeId) ?? new Set<string>();
    set.add(instanceId);
    attachments.set(volumeId, set);
  };
  for (const instance of live.values()) {
    for (const volumeId of instance.volumeIds) attach(volumeId, instance.instanceId);
  }
  for (const volume of volumes) {
    // A volume carrying only the copy tag is no target: its attachments are its instances'.
    if (volume.tagValue === undefined) continue;
    for (const instanceId of volume.instanceIds) attach(volume.volumeId, instanceId);
    if (unattached && !attachments.has(volume.volumeId)) attachments.set(volume.volumeId, new Set());
  }
  return attachments;
}

function workItem(
  volumeId: string,
  instance: TargetInstance | undefined,
  generations: number,
): VolumeWorkItem {
  return {
    volumeId,
    ...(instance !== undefined && { instanceId: instance.instanceId }),
    ...(instance?.name !== undefined && { instanceName: instance.name }),
    description: snapshotDescription(volumeId, instance?.name),
    generations,
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A `volumeIds` run (SPEC §6.2; the input a failed run gives to re-run its failed volumes): what
 * `resolveTargets` decided for the whole account, for those volumes only. Invalid and skipped
 * targets are kept when they concern a requested volume (an invalid instance it is attached to
 * still blocks it); a requested volume that nothing targets is reported invalid.
 */
export function restrictToVolumes(
  resolved: ResolvedTargets,
  instances: readonly TargetInstance[],
  volumeIds: readonly string[],
  tagKey: string,
): ResolvedTargets {
  const wanted = new Set(volumeIds);
  const volumesOf = new Map(instances.map((i) => [i.instanceId, i.volumeIds]));
  const volumesOfTarget = (t: { resource: string; id: string }) =>
    t.resource === 'volume' ? [t.id] : (volumesOf.get(t.id) ?? []);
  const concerns = (t: { resource: string; id: string }) => volumesOfTarget(t).some((id) => wanted.has(id));
  const items = resolved.items.filter((item) => wanted.has(item.volumeId));
  const invalid = resolved.invalid.filter(concerns);
  const skipped = resolved.skipped.filter(concerns);
  const accounted = new Set([
    ...items.map((item) => item.volumeId),
    ...[...invalid, ...skipped].flatMap(volumesOfTarget),
  ]);
  const notTargeted: InvalidTarget[] = volumeIds
    .filter((id) => !accounted.has(id))
    .map((id) => ({
      resource: 'volume',
      id,
      reason: `was requested in volumeIds but is not a volume this deployment backs up (tagged ${tagKey}, or attached to a live instance tagged ${tagKey})`,
    }));
  return { items, invalid: [...invalid, ...notTargeted], skipped };
}
