import type { ConsistencyMode, PreScriptFailureAction, SetMode, SetWorkItem } from '../contracts/sets';
import type { InvalidTarget, VolumeWorkItem } from '../contracts/work-items';
import { parseConsistencyTag } from './consistency-tag';
import type { TargetInstance } from './volume-targets';

/**
 * EC2 `CreateSnapshots` takes at most 40 volumes in one set ("Multi-volume snapshots support up
 * to 40 EBS volumes per instance", EBS user guide) and leaves out at most 40 data volumes
 * (InstanceSpecification.ExcludeDataVolumeIds: "up to 40 volume IDs per request"); the
 * simulated account refuses either, as EC2 does (local/simulated-account/ec2-create-snapshots.ts).
 */
export const MAX_VOLUMES_PER_SET = 40;
export const MAX_EXCLUDED_DATA_VOLUMES = 40;

/** How sets are decided: the deployment's consistency tag key and pre-script setting. */
export interface SetScope {
  /** The consistency tag key (SPEC §12.1): an invalid value is reported with it. */
  tagKey: string;
  /** SPEC §12.4: copied onto every set. */
  onPreScriptFailure: PreScriptFailureAction;
}

export interface ConsistentSets {
  /** SnapshotSets' work list: one item per instance taken as a set, by instance ID. */
  sets: SetWorkItem[];
  /** SnapshotVolumes' work list: the items in no set, in their order. */
  volumeItems: VolumeWorkItem[];
  /** The mode decided for each instance a volume of the run is backed up under. */
  modes: Record<string, ConsistencyMode>;
  /** Instances whose consistency tag is invalid or asks for a set EC2 cannot take, by ID. */
  invalid: InvalidTarget[];
}

/**
 * Groups the run's volumes into sets (SPEC §12.1–§12.2), after `resolveTargets` decided which
 * volumes are backed up and under which instance; it changes none of those decisions, nor any
 * item. Only the consistency tag of an instance a volume is backed up under is read, so an
 * instance with nothing backed up (tagged `0`, every volume excluded, blocked) has no mode and its
 * tag is never reported, as for the copy tag.
 *
 * - `instance` or `application`: the volumes backed up under the instance form its set, sorted by
 *   ID, each item as it is (its own N, description and carried tags: a volume tagged with its own
 *   N keeps it). Every other volume attached to it is left out: the root volume by
 *   `excludeBootVolume`, the others by `excludeDataVolumeIds`. That covers a volume excluded by its
 *   own `0`, one with an invalid own tag, one backed up under another instance (multi-attach: the
 *   instance whose ID sorts first), and, in a `volumeIds` run, one not asked for. A volume backed
 *   up under the instance that its own listing does not show attached (the attachment is seen
 *   only from the volume's side, e.g. while it attaches) is snapshotted on its own: CreateSnapshots
 *   takes only what the instance has attached. With no volume left, the instance has no set.
 * - `volume` (and no tag): each volume on its own, as before §12. `modes` says `volume` too for an
 *   instance left without a set or refused one (below): what the run does.
 * - An invalid value: reported (resource `instance`, `tagKey` the consistency tag key), the
 *   instance's volumes are backed up in `volume` mode, and the run ends failed as for any invalid
 *   target.
 * - A set EC2 cannot take, more than MAX_VOLUMES_PER_SET volumes in it or more than
 *   MAX_EXCLUDED_DATA_VOLUMES to leave out: reported like an invalid value (the operator asked for
 *   a consistency the run cannot give; silently taking the volumes one by one would hide that),
 *   and backed up in `volume` mode, every volume still snapshotted.
 *
 * The items of set volumes stay where the caller has them (the pruning loop prunes per volume);
 * `volumeItems` are the others.
 */
export function groupConsistentSets(
  items: readonly VolumeWorkItem[],
  instances: readonly TargetInstance[],
  scope: SetScope,
): ConsistentSets {
  const byId = new Map(instances.map((i) => [i.instanceId, i]));
  const under = new Map<string, VolumeWorkItem[]>();
  for (const item of items) {
    if (item.instanceId === undefined) continue;
    under.set(item.instanceId, [...(under.get(item.instanceId) ?? []), item]);
  }
  const sets: SetWorkItem[] = [];
  const modes: Record<string, ConsistencyMode> = {};
  const invalid: InvalidTarget[] = [];
  for (const instanceId of [...under.keys()].sort(compare)) {
    const instance = byId.get(instanceId);
    modes[instanceId] = 'volume';
    if (instance === undefined) continue;
    const tag = parseConsistencyTag(instance.consistencyTagValue);
    const report = (value: string, reason: string) =>
      invalid.push({ resource: 'instance', id: instanceId, tagKey: scope.tagKey, value, reason });
    if (tag.kind === 'invalid') {
      report(tag.value, `${scope.tagKey} ${tag.reason}`);
      continue;
    }
    if (tag.mode === 'volume') continue;
    const set = setOf(instance, tag.mode, under.get(instanceId) ?? [], scope.onPreScriptFailure);
    if (set.volumes.length === 0) continue;
    const refusal = setRefusal(set);
    if (refusal !== undefined) {
      report(
        instance.consistencyTagValue ?? tag.mode,
        `${scope.tagKey} cannot be honoured: ${refusal}; its volumes are backed up one by one (volume)`,
      );
      continue;
    }
    modes[instanceId] = tag.mode;
    sets.push(set);
  }
  const inSets = new Set(sets.flatMap((s) => s.volumes.map((v) => v.volumeId)));
  return { sets, volumeItems: items.filter((i) => !inSets.has(i.volumeId)), modes, invalid };
}

function setOf(
  instance: TargetInstance,
  mode: SetMode,
  members: readonly VolumeWorkItem[],
  onPreScriptFailure: PreScriptFailureAction,
): SetWorkItem {
  const attached = new Set(instance.volumeIds);
  const volumes = members
    .filter((v) => attached.has(v.volumeId))
    .sort((a, b) => compare(a.volumeId, b.volumeId));
  const inSet = new Set(volumes.map((v) => v.volumeId));
  const { rootVolumeId } = instance;
  const left = [...attached].filter((id) => id !== rootVolumeId && !inSet.has(id));
  return {
    instanceId: instance.instanceId,
    ...(instance.name !== undefined && { instanceName: instance.name }),
    mode,
    volumes,
    excludeBootVolume: rootVolumeId !== undefined && !inSet.has(rootVolumeId),
    excludeDataVolumeIds: left.sort(compare),
    ...(instance.platform === 'windows' && { platform: 'windows' as const }),
    onPreScriptFailure,
  };
}

/** Why EC2 would refuse the set (see MAX_VOLUMES_PER_SET); undefined when it takes it. */
function setRefusal(set: SetWorkItem): string | undefined {
  if (set.volumes.length > MAX_VOLUMES_PER_SET) {
    return `CreateSnapshots takes at most ${MAX_VOLUMES_PER_SET} volumes in a set and it would have ${set.volumes.length}`;
  }
  if (set.excludeDataVolumeIds.length > MAX_EXCLUDED_DATA_VOLUMES) {
    return `CreateSnapshots leaves out at most ${MAX_EXCLUDED_DATA_VOLUMES} data volumes and ${set.excludeDataVolumeIds.length} attached ones are not in the set`;
  }
  return undefined;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
