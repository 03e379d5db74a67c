import type {
  DescribeInstancesRequest,
  DescribeInstancesResult,
  DescribeSnapshotsRequest,
  DescribeSnapshotsResult,
  DescribeVolumesRequest,
  DescribeVolumesResult,
  Filter,
  Tag,
} from '@aws-sdk/client-ec2';
import { ec2Error } from './ec2-errors';
import { compileFilters, type FilterDialect, type FilterFields, hasWildcard } from './ec2-filters';
import { paginate } from './ec2-pagination';
import {
  type InstanceRecord,
  SIMULATED_ACCOUNT_ID,
  type SnapshotRecord,
  type VolumeRecord,
} from './ec2-records';
import { toReservation, toSnapshot, toVolume } from './ec2-shapes';
import type { Ec2State } from './ec2-state';
import { snapshotState } from './snapshot-lifecycle';

// The three Describe actions: ids → filters → page, each with EC2's own paging bounds.

/** How the simulator's options shape every Describe answer. */
export interface DescribeSettings {
  /** Caps every page whatever MaxResults says. */
  readonly maxPageSize: number | undefined;
  readonly filters: FilterDialect;
}

const tagsOf = (resource: { tags: readonly Tag[] }) => resource.tags;

export function describeInstances(
  state: Ec2State,
  input: DescribeInstancesRequest,
  { maxPageSize, filters: dialect }: DescribeSettings,
): DescribeInstancesResult {
  const fields: FilterFields<InstanceRecord> = {
    'instance-id': (instance) => [instance.instanceId],
    'instance-state-name': (instance) => [instance.state],
    'block-device-mapping.volume-id': (instance) =>
      state.volumesAttachedTo(instance.instanceId).map((volume) => volume.volumeId),
  };
  const matches = compileFilters(input.Filters, fields, tagsOf, dialect);
  const candidates = byIds(state.instances, input.InstanceIds, (missing) =>
    missing.length === 1
      ? ec2Error('InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`)
      : ec2Error('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`),
  );
  const page = paginate({
    action: 'DescribeInstances',
    candidates,
    matches,
    keyOf: (instance) => instance.instanceId,
    request: input,
    idsGiven: isGiven(input.InstanceIds),
    rule: { min: 5, max: 1000, idsMember: 'instancesSet' },
    maxPageSize,
  });
  return {
    Reservations: page.items.map((instance) =>
      toReservation(instance, state.volumesAttachedTo(instance.instanceId)),
    ),
    NextToken: page.nextToken,
  };
}

export function describeVolumes(
  state: Ec2State,
  input: DescribeVolumesRequest,
  { maxPageSize, filters: dialect }: DescribeSettings,
): DescribeVolumesResult {
  const fields: FilterFields<VolumeRecord> = {
    'volume-id': (volume) => [volume.volumeId],
    status: (volume) => [volume.attachments.length > 0 ? 'in-use' : 'available'],
    size: (volume) => [String(volume.sizeGiB)],
    'attachment.instance-id': (volume) => volume.attachments.map((attachment) => attachment.instanceId),
    'attachment.status': (volume) => volume.attachments.map(() => 'attached'),
    'multi-attach-enabled': (volume) => [String(volume.multiAttachEnabled)],
  };
  const matches = compileFilters(input.Filters, fields, tagsOf, dialect);
  const candidates = byIds(state.volumes, input.VolumeIds, (missing) =>
    ec2Error('InvalidVolume.NotFound', `The volume '${missing[0]}' does not exist.`),
  );
  const page = paginate({
    action: 'DescribeVolumes',
    candidates,
    matches,
    keyOf: (volume) => volume.volumeId,
    request: input,
    idsGiven: isGiven(input.VolumeIds),
    rule: { min: 5, max: 500, idsMember: 'volumeIds' },
    maxPageSize,
  });
  return { Volumes: page.items.map(toVolume), NextToken: page.nextToken };
}

/**
 * Without `OwnerIds`, EC2 lists every snapshot the caller may use, including other accounts'
 * shared and public ones; the simulator treats every snapshot seeded with a foreign owner as
 * shared with this account, so product code that forgets `OwnerIds: ['self']` is caught.
 * A snapshot still inside its visibility lag (Ec2State.isVisible) is left out of listings and
 * unknown when named, as EC2's eventual consistency allows.
 */
export function describeSnapshots(
  state: Ec2State,
  input: DescribeSnapshotsRequest,
  { maxPageSize, filters: dialect }: DescribeSettings,
): DescribeSnapshotsResult {
  const now = state.now();
  const fields: FilterFields<SnapshotRecord> = {
    'snapshot-id': (snapshot) => [snapshot.snapshotId],
    'volume-id': (snapshot) => [snapshot.volumeId],
    'volume-size': (snapshot) => [String(snapshot.volumeSize)],
    status: (snapshot) => [snapshotState(snapshot, now)],
    'owner-id': (snapshot) => [snapshot.ownerId],
    description: (snapshot) => [snapshot.description],
  };
  const matches = compileFilters(input.Filters, fields, tagsOf, dialect);
  const owners = isGiven(input.OwnerIds)
    ? input.OwnerIds.map((owner) => (owner === 'self' ? SIMULATED_ACCOUNT_ID : owner))
    : undefined;
  const ownedAsAsked = (snapshot: SnapshotRecord) =>
    owners === undefined || owners.includes(snapshot.ownerId);
  const visible = (snapshot: SnapshotRecord) => state.isVisible(snapshot, now);
  const { candidates, inKeyOrder } = isGiven(input.SnapshotIds)
    ? {
        candidates: byIds(
          state.snapshots,
          input.SnapshotIds,
          (missing) => ec2Error('InvalidSnapshot.NotFound', `The snapshot '${missing[0]}' does not exist.`),
          visible,
        ),
        inKeyOrder: false,
      }
    : indexedSnapshots(state, input.Filters ?? [], dialect);
  const page = paginate({
    action: 'DescribeSnapshots',
    candidates,
    inKeyOrder,
    matches: (snapshot) => visible(snapshot) && ownedAsAsked(snapshot) && matches(snapshot),
    keyOf: (snapshot) => snapshot.snapshotId,
    request: input,
    idsGiven: isGiven(input.SnapshotIds),
    rule: { min: 5, max: 1000, idsMember: 'snapshotSet' },
    maxPageSize,
  });
  return { Snapshots: page.items.map((snapshot) => toSnapshot(snapshot, now)), NextToken: page.nextToken };
}

/**
 * The snapshots a request's exact `volume-id` or `tag:<key>` filter can match, looked up in the
 * index instead of scanning the account (the filters are still applied afterwards). Values with
 * wildcards, and requests without such a filter, fall back to every snapshot. A dialect that
 * ignores tag filters must not narrow by them either, or the index would apply them after all.
 * A single tag value comes from the index in snapshot ID order (`inKeyOrder`), so that a listing
 * of a run's snapshots pages through them without sorting them at every page.
 */
function indexedSnapshots(
  state: Ec2State,
  filters: readonly Filter[],
  dialect: FilterDialect,
): { candidates: readonly SnapshotRecord[]; inKeyOrder: boolean } {
  const index = state.snapshotIndex;
  type Lookup = { sets: ReadonlySet<string>[]; inOrder?: () => readonly SnapshotRecord[] };
  const lookups = filters.flatMap(({ Name: name, Values: values }): Lookup[] => {
    if (!name || !values?.length || values.some(hasWildcard)) return [];
    if (name === 'volume-id') return [{ sets: values.map((value) => index.ofVolume(value)) }];
    if (!name.startsWith('tag:') || dialect.ignoreTagFilters) return [];
    const key = name.slice('tag:'.length);
    return [
      {
        sets: values.map((value) => index.withTag(key, value)),
        inOrder: values.length === 1 ? () => index.sortedWithTag(key, values[0]) : undefined,
      },
    ];
  });
  const size = (sets: ReadonlySet<string>[]) => sets.reduce((total, ids) => total + ids.size, 0);
  const narrowest = lookups.reduce<Lookup | undefined>(
    (best, lookup) => (best === undefined || size(lookup.sets) < size(best.sets) ? lookup : best),
    undefined,
  );
  if (narrowest === undefined) return { candidates: [...state.snapshots.values()], inKeyOrder: false };
  // A single tag value's list is kept in ID order by the index: paging through it reads on from
  // the cursor, however much of the account it holds (a run's snapshots may be most of it).
  if (narrowest.inOrder) return { candidates: narrowest.inOrder(), inKeyOrder: true };
  // Any other lookup is materialised, and only when it does narrow: a lookup by several values
  // may hold nearly every snapshot.
  if (size(narrowest.sets) > state.snapshots.size / 2) {
    return { candidates: [...state.snapshots.values()], inKeyOrder: false };
  }
  const ids = new Set(narrowest.sets.flatMap((set) => [...set]));
  return { candidates: [...ids].map((id) => state.snapshots.get(id) as SnapshotRecord), inKeyOrder: false };
}

/**
 * The EC2 query protocol sends nothing for an empty list, so EC2 cannot tell `InstanceIds: []`
 * from no `InstanceIds` at all and answers with everything. Product code that passes an empty
 * restriction gets the whole account here too.
 */
function isGiven(list: readonly string[] | undefined): list is readonly string[] {
  return list !== undefined && list.length > 0;
}

/**
 * All records, or the ones named (each once); EC2 refuses the whole call if any id is unknown.
 * A record not yet `visible` counts as unknown.
 */
function byIds<T>(
  records: ReadonlyMap<string, T>,
  ids: readonly string[] | undefined,
  notFound: (missing: string[]) => Error,
  visible: (record: T) => boolean = () => true,
): T[] {
  if (!isGiven(ids)) return [...records.values()];
  const unique = [...new Set(ids)];
  const missing = unique.filter((id) => {
    const record = records.get(id);
    return record === undefined || !visible(record);
  });
  if (missing.length > 0) throw notFound(missing);
  return unique.map((id) => records.get(id) as T);
}
