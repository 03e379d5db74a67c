import { randomUUID } from 'node:crypto';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  type ListedVolume,
  listInstancesById,
  listTaggedInstances,
  listTaggedVolumes,
  listVolumesById,
  type TargetTagKeys,
} from '../aws/instance-queries';
import { getJsonIfPresent, putJson } from '../aws/json-store';
import { listManagedSnapshots } from '../aws/snapshot-queries';
import { type BackoffClock, realSleep, withThrottleRetries } from '../aws/throttle-backoff';
import { LISTING_THROTTLE_BUDGET_MS } from '../commons/function-limits';
import { type CopyRegion, DEFAULT_COPY_TAG_KEY } from '../contracts/deployment';
import type {
  CopyRegionsRecord,
  DiscoverEvent,
  DiscoverOutput,
  DiscoveryReport,
  RetiredCopyRegion,
} from '../contracts/run-documents';
import {
  type ConsistencyMode,
  DEFAULT_CONSISTENCY_TAG_KEY,
  DEFAULT_PRE_SCRIPT_FAILURE,
  type PreScriptFailureAction,
  type SetWorkItem,
} from '../contracts/sets';
import { COPY_REGIONS_RECORD_KEY, type RunDocument, runKey } from '../contracts/work-bucket';
import type { InvalidTarget, PruneWorkItem, VolumeWorkItem } from '../contracts/work-items';
import { groupConsistentSets } from '../core/consistent-sets';
import { parseExecutionInput } from '../core/execution-input';
import { type CopyVolumeTags, carriedVolumeTags, SnapshotTag } from '../core/snapshot-tags';
import { resolveTargets, restrictToVolumes, type TargetInstance } from '../core/volume-targets';

export interface DiscoverDeps {
  ec2: EC2Client;
  s3: S3Client;
  tagKey: string;
  bucket: string;
  /** The marker (`Backup-Managed-By`): counts this deployment's copies in retired regions. */
  managedBy: string;
  /** The tag key that asks for copies (SPEC §10.2). */
  copyTagKey: string;
  /** The regions copies are kept in (SPEC §10.1); none: copy tags are ignored. */
  copyRegions: readonly CopyRegion[];
  /** Which volume tags its snapshots and copies carry (SPEC §10.7). */
  copyVolumeTags: CopyVolumeTags;
  /** The instance tag key naming its consistency mode (SPEC §12.1). */
  consistencyTagKey: string;
  /** What a set does when its pre-script fails (SPEC §12.4): written on every set. */
  preScriptFailure: PreScriptFailureAction;
  /** EC2 in another region: where retired copy regions' copies are counted. */
  ec2In: (region: string) => EC2Client;
  /** The deployment's own region: the source region of its copies. */
  region: string;
  /** The run's key; default a random UUID (see SnapshotTag.runId). */
  newRunId?: () => string;
  /** Timers for retrying a throttled page; default the process's. */
  clock?: BackoffClock;
}

/** How many invalid targets the state output shows; it must stay far below 256 KiB. */
export const INVALID_SHOWN = 20;

/** What discovery found, before anything is written: the report, and how much carries the tag. */
export interface FoundTargets {
  /** With `sets` when some instance is taken as a set, and `modes`. */
  report: DiscoveryReport & { modes: Record<string, ConsistencyMode> };
  /** SnapshotVolumes' list: the report's items in no set (all of them when there is no set). */
  volumeItems: VolumeWorkItem[];
  /** The live instances seen: tagged ones, and those tagged volumes are attached to. */
  instances: TargetInstance[];
  /** Live instances carrying the tag key (not those only a tagged volume is on). */
  taggedInstances: number;
  /** Volumes carrying the tag key themselves, attached or not, in scope or not. */
  taggedVolumes: number;
}

/** The copy settings discovery decides with (SPEC §10); each default: no copies, no tags carried. */
export interface CopyTargeting {
  /** Default DEFAULT_COPY_TAG_KEY; kept out of the carried tags even without copy regions. */
  copyTagKey?: string;
  /** None: copy tags are neither listed nor read. */
  copyRegions?: readonly CopyRegion[];
  copyVolumeTags?: CopyVolumeTags;
}

/** The consistency settings discovery decides sets with (SPEC §12); each has its default. */
export interface ConsistencyTargeting {
  /** Default DEFAULT_CONSISTENCY_TAG_KEY. */
  consistencyTagKey?: string;
  /** Default DEFAULT_PRE_SCRIPT_FAILURE. */
  preScriptFailure?: PreScriptFailureAction;
}

/**
 * Finds and resolves the targets of a run (SPEC §1, §10.2, §10.7, §12), read-only: the Discover
 * step and the operator's `plan` both decide with it.
 *
 * The tagged instances and the tagged volumes are listed by tag key (volumes also by the copy
 * tag key when the deployment has copy regions, for the copy tag's volume override); then the
 * instances that tagged volumes are attached to but that the first listing did not return
 * (untagged ones; in an `instanceIds` run, only requested ones) are fetched by ID, for their
 * Name, state and copy tag. A requested instance that is neither is reported invalid. With
 * `copyVolumeTags`, and only then, the backed-up volumes the listing did not return (those
 * carrying neither key) are fetched by ID for their tags. Last, the volumes backed up are grouped
 * into sets by their instances' consistency tag (`groupConsistentSets`), read from the same
 * listings.
 */
export async function findTargets(
  ec2: EC2Client,
  tagKey: string,
  scope: { instanceIds?: readonly string[]; volumeIds?: readonly string[] } = {},
  copies: CopyTargeting = {},
  consistency: ConsistencyTargeting = {},
): Promise<FoundTargets> {
  const { instanceIds, volumeIds } = scope;
  const copyTagKey = copies.copyTagKey ?? DEFAULT_COPY_TAG_KEY;
  const consistencyTagKey = consistency.consistencyTagKey ?? DEFAULT_CONSISTENCY_TAG_KEY;
  const keepsCopies = (copies.copyRegions ?? []).length > 0;
  const keys: TargetTagKeys = { tagKey, consistencyTagKey, ...(keepsCopies && { copyTagKey }) };
  const [tagged, volumes] = await Promise.all([
    listTaggedInstances(ec2, keys, instanceIds),
    listTaggedVolumes(ec2, keys),
  ]);
  const targeting = volumes.filter((v) => v.tagValue !== undefined);
  const listed = new Set(tagged.map((i) => i.instanceId));
  const requested = instanceIds && new Set(instanceIds);
  const unlisted = [...new Set(targeting.flatMap((v) => v.instanceIds))]
    .filter((id) => !listed.has(id) && (!requested || requested.has(id)))
    .sort();
  const instances = [...tagged, ...(unlisted.length > 0 ? await listInstancesById(ec2, keys, unlisted) : [])];
  const account = resolveTargets(
    instances,
    volumes,
    { instanceIds },
    keepsCopies ? { tagKey: copyTagKey } : undefined,
  );
  const resolved = volumeIds ? restrictToVolumes(account, instances, volumeIds, tagKey) : account;
  const items = await withCarriedTags(ec2, keys, resolved.items, volumes, {
    selection: copies.copyVolumeTags,
    ownKeys: [tagKey, copyTagKey, consistencyTagKey],
  });
  const grouped = groupConsistentSets(items, instances, {
    tagKey: consistencyTagKey,
    onPreScriptFailure: consistency.preScriptFailure ?? DEFAULT_PRE_SCRIPT_FAILURE,
  });
  const found = new Set(instances.map((i) => i.instanceId));
  const notTargeted: InvalidTarget[] = (instanceIds ?? [])
    .filter((id) => !found.has(id))
    .map((id) => ({
      resource: 'instance',
      id,
      reason: `was requested in instanceIds but is not an existing, non-terminated instance tagged ${tagKey} or with a volume tagged ${tagKey}`,
    }));
  // Instances first, by ID (an instance's consistency value after its other tags'), then volumes.
  const invalidInstances = [...resolved.invalid, ...grouped.invalid]
    .filter((t) => t.resource === 'instance')
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const invalidVolumes = resolved.invalid.filter((t) => t.resource === 'volume');
  return {
    report: {
      ...resolved,
      items,
      invalid: [...invalidInstances, ...invalidVolumes, ...notTargeted],
      ...(grouped.sets.length > 0 && { sets: grouped.sets }),
      modes: grouped.modes,
    },
    volumeItems: grouped.volumeItems,
    instances,
    taggedInstances: instances.filter((i) => i.tagValue !== undefined).length,
    taggedVolumes: targeting.length,
  };
}

/**
 * The items with the volume tags their snapshots carry (SPEC §10.7, `carriedVolumeTags`; an
 * item carrying none has no `carriedTags`). The tags of volumes the listing returned are known;
 * the others are fetched by ID, only when some tag is to be carried.
 */
async function withCarriedTags(
  ec2: EC2Client,
  keys: TargetTagKeys,
  items: VolumeWorkItem[],
  listed: readonly ListedVolume[],
  carried: { selection: CopyVolumeTags | undefined; ownKeys: string[] },
): Promise<VolumeWorkItem[]> {
  const { selection, ownKeys } = carried;
  if (selection === undefined || (selection !== '*' && selection.length === 0)) return items;
  const tags = new Map(listed.map((v) => [v.volumeId, v.tags]));
  const unlisted = items.map((i) => i.volumeId).filter((id) => !tags.has(id));
  if (unlisted.length > 0) {
    for (const volume of await listVolumesById(ec2, keys, unlisted)) tags.set(volume.volumeId, volume.tags);
  }
  return items.map((item) => {
    const carriedTags = carriedVolumeTags(tags.get(item.volumeId) ?? {}, selection, ownKeys);
    return Object.keys(carriedTags).length > 0 ? { ...item, carriedTags } : item;
  });
}

/**
 * PruneCopies' work list as discovery knows it: each volume with copies, once per copy region
 * (in the items' order, then the configured regions'), with the copy generation as its N (no
 * `newSnapshot`: see DiscoverOutput.copyPruneItems). The operator's `plan` dry-runs the same items.
 */
export function copyPlan(
  items: readonly VolumeWorkItem[],
  copyRegions: readonly CopyRegion[],
): PruneWorkItem[] {
  return items.flatMap((item) => {
    const { copyGenerations } = item;
    if (copyGenerations === undefined) return [];
    return copyRegions.map(({ region }) => ({ ...item, region, generations: copyGenerations }));
  });
}

/** The recorded copy regions that are no longer configured (SPEC §10.6), sorted. */
export function retiredRegionNames(
  copyRegions: readonly CopyRegion[],
  recorded: readonly string[],
): string[] {
  const configured = new Set(copyRegions.map((r) => r.region));
  return [...new Set(recorded)].filter((region) => !configured.has(region)).sort();
}

/** What counting the copies in retired regions needs (Discover's deps, or the operator's `plan`). */
export type RetiredRegionDeps = Pick<DiscoverDeps, 'managedBy' | 'copyRegions' | 'ec2In' | 'region'>;

/**
 * The regions copies were kept in that are no longer configured (SPEC §10.6), from the record
 * (absent: none), each with the count of this deployment's copies from `deps.region` still
 * there. A count that fails (throttled past the retries, access denied, region not enabled) is
 * reported without a count: the report must never fail discovery. The operator's `plan` reports
 * them with the same code.
 */
export async function retiredCopyRegions(
  deps: RetiredRegionDeps,
  recorded: readonly string[],
  clock: BackoffClock,
): Promise<RetiredCopyRegion[]> {
  return Promise.all(
    retiredRegionNames(deps.copyRegions, recorded).map(async (region): Promise<RetiredCopyRegion> => {
      const untouched = 'left untouched, not pruned';
      try {
        const ec2 = withThrottleRetries(deps.ec2In(region), clock, LISTING_THROTTLE_BUDGET_MS);
        const copies = await countCopiesFrom(ec2, deps.managedBy, deps.region);
        if (copies === 0) {
          return {
            region,
            copies,
            message: 'no longer in copyRegions: no copies left there; no longer watched',
          };
        }
        return {
          region,
          copies,
          message: `no longer in copyRegions: ${copies} ${copies === 1 ? 'copy' : 'copies'} ${untouched}`,
        };
      } catch (error) {
        const { name, message } = error as Error;
        return {
          region,
          message: `no longer in copyRegions: its copies are ${untouched}; they could not be counted (${name}: ${message})`,
        };
      }
    }),
  );
}

/**
 * This deployment's copies in the region `ec2` reaches whose source is `sourceRegion`: its
 * managed snapshots there (marker, filtered server-side) whose `Backup-Source-Region` tag names
 * the source, checked here too (SPEC §2.4). The query asks for copies from `sourceRegion`
 * (ManagedSnapshotQuery.sourceRegion, filtered server-side where the query supports it); the
 * check here holds whatever the query did.
 */
async function countCopiesFrom(ec2: EC2Client, managedBy: string, sourceRegion: string): Promise<number> {
  const query = { managedBy, sourceRegion };
  const snapshots = await listManagedSnapshots(ec2, query);
  return snapshots.filter((s) => s.tags[SnapshotTag.sourceRegion] === sourceRegion).length;
}

/**
 * Step 1 of the workflow (SPEC §1, §4.1, §10, §12): validate the input, find the targeted volumes
 * with server-side filters and pagination (`findTargets`), and write the work lists where the
 * fan-outs read them: the volumes (every one, for the pruning loop), and when some instances are
 * taken as sets, SnapshotSets' list and SnapshotVolumes' own (the volumes in no set); PruneCopies'
 * list when some volume has copies. The
 * regions no longer configured are reported (SPEC §10.6); a live run records the configured
 * ones, so that a region removed later is known.
 */
export async function discover(deps: DiscoverDeps, event: DiscoverEvent): Promise<DiscoverOutput> {
  const input = parseExecutionInput(event.input);
  // A throttled page is tried again in the invocation, not the whole discovery.
  const clock = deps.clock ?? { now: Date.now, sleep: realSleep };
  const ec2 = withThrottleRetries(deps.ec2, clock, LISTING_THROTTLE_BUDGET_MS);
  const recordAt = { bucket: deps.bucket, key: COPY_REGIONS_RECORD_KEY };
  const [found, { recorded, retired }] = await Promise.all([
    findTargets(
      ec2,
      deps.tagKey,
      { instanceIds: input.instanceIds, volumeIds: input.volumeIds },
      { copyTagKey: deps.copyTagKey, copyRegions: deps.copyRegions, copyVolumeTags: deps.copyVolumeTags },
      { consistencyTagKey: deps.consistencyTagKey, preScriptFailure: deps.preScriptFailure },
    ),
    getJsonIfPresent<CopyRegionsRecord>(deps.s3, recordAt).then(async (record) => {
      const recorded = record?.regions ?? [];
      return { recorded, retired: await retiredCopyRegions(deps, recorded, clock) };
    }),
  ]);
  const report: DiscoveryReport = {
    ...found.report,
    ...(retired.length > 0 && { retiredCopyRegions: retired }),
  };
  const copies = copyPlan(report.items, deps.copyRegions);
  // Written only when a configured region is new to it, or a retired one has no copies left
  // (reported this once, then forgotten): most runs read it and leave it.
  const added = deps.copyRegions.map((r) => r.region).filter((region) => !recorded.includes(region));
  const emptied = new Set(retired.filter((r) => r.copies === 0).map((r) => r.region));
  const record: CopyRegionsRecord = {
    regions: [...new Set([...recorded.filter((region) => !emptied.has(region)), ...added])].sort(),
  };

  const location = (document: RunDocument) => ({
    bucket: deps.bucket,
    key: runKey(event.executionName, document),
  });
  // Without sets, SnapshotVolumes reads the whole list: no second copy of it is written.
  const sets: SetWorkItem[] = report.sets ?? [];
  const [items, discovery, copyPruneItems, volumeItems, setItems] = await Promise.all([
    putJson(deps.s3, location('volumes'), report.items),
    putJson(deps.s3, location('discovery'), report),
    copies.length > 0 ? putJson(deps.s3, location('copy-plan'), copies) : undefined,
    sets.length > 0 ? putJson(deps.s3, location('volume-items'), found.volumeItems) : undefined,
    sets.length > 0 ? putJson(deps.s3, location('sets'), sets) : undefined,
    !input.dryRun && (added.length > 0 || emptied.size > 0) ? putJson(deps.s3, recordAt, record) : undefined,
  ]);
  return {
    executionName: event.executionName,
    runId: (deps.newRunId ?? randomUUID)(),
    dryRun: input.dryRun,
    fullRun: input.instanceIds === undefined && input.volumeIds === undefined && !input.dryRun,
    items,
    volumeItems: volumeItems ?? items,
    ...(setItems && { setItems: { ...setItems, count: sets.length } }),
    snapshotRecord: location('snapshot-run'),
    // A dry run takes no set: the set branch ends at once and records nothing.
    ...(setItems && !input.dryRun && { setRecord: location('set-run') }),
    discovery,
    ...(copyPruneItems && { copyPruneItems }),
    counts: {
      instances: found.taggedInstances,
      volumes: report.items.length,
      invalid: report.invalid.length,
      skipped: report.skipped.length,
      copies: copies.length,
      sets: sets.length,
      setVolumes: sets.reduce((n, set) => n + set.volumes.length, 0),
    },
    invalid: report.invalid.slice(0, INVALID_SHOWN),
  };
}
