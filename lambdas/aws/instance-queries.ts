import {
  type EC2Client,
  type Filter,
  type Instance,
  paginateDescribeInstances,
  paginateDescribeVolumes,
} from '@aws-sdk/client-ec2';
import type { TaggedVolume, TargetInstance } from '../core/volume-targets';
import { ec2Call } from './ec2-errors';

/** EC2 accepts at most 200 values in one filter. */
export const MAX_FILTER_VALUES = 200;

/** The tag keys discovery reads. */
export interface TargetTagKeys {
  /** The generation tag key (SPEC §1.1): what targets an instance or a volume. */
  tagKey: string;
  /** The copy tag key (SPEC §10.2), when the deployment keeps copies; absent: not read. */
  copyTagKey?: string;
  /** The consistency tag key (SPEC §12.1), read on instances only (a volume cannot set it); absent: not read. */
  consistencyTagKey?: string;
}

/** A volume as listed, with every tag it carries (for copyVolumeTags, SPEC §10.7). */
export interface ListedVolume extends TaggedVolume {
  tags: Record<string, string>;
}

/** States whose volumes are backed up: everything but `terminated` and `shutting-down` (SPEC §1.1). */
export const BACKED_UP_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/**
 * The live instances carrying the tag key, filtered server-side by tag and state and fully
 * paginated; restricted to `instanceIds` when given (by filter, in chunks of 200, so an ID
 * that does not exist is simply absent rather than failing the whole call).
 */
export function listTaggedInstances(
  ec2: EC2Client,
  keys: TargetTagKeys,
  instanceIds?: readonly string[],
): Promise<TargetInstance[]> {
  const tagged: Filter = { Name: 'tag-key', Values: [keys.tagKey] };
  return instanceIds
    ? listInstancesById(ec2, keys, instanceIds, [tagged])
    : listInstances(ec2, keys, [[tagged]]);
}

/**
 * The live instances among `instanceIds`, tagged or not (those that tagged volumes are attached
 * to): filtered server-side by ID in chunks of 200 and by state, fully paginated. An ID that no
 * longer exists, or a terminated or shutting-down instance, is simply absent.
 */
export function listInstancesById(
  ec2: EC2Client,
  keys: TargetTagKeys,
  instanceIds: readonly string[],
  filters: readonly Filter[] = [],
): Promise<TargetInstance[]> {
  const filterSets = chunk(instanceIds, MAX_FILTER_VALUES).map((ids) => [
    ...filters,
    { Name: 'instance-id', Values: ids },
  ]);
  return listInstances(ec2, keys, filterSets);
}

/**
 * One paginated, live-state-filtered DescribeInstances walk per filter set. Each instance's tags,
 * root volume and platform come with it: reading the consistency tag costs no call.
 */
async function listInstances(
  ec2: EC2Client,
  { tagKey, copyTagKey, consistencyTagKey }: TargetTagKeys,
  filterSets: readonly Filter[][],
): Promise<TargetInstance[]> {
  const live: Filter = { Name: 'instance-state-name', Values: BACKED_UP_INSTANCE_STATES };
  const instances: TargetInstance[] = [];
  await ec2Call(async () => {
    for (const filters of filterSets) {
      for await (const page of paginateDescribeInstances(
        { client: ec2, pageSize: 1000 },
        { Filters: [...filters, live] },
      )) {
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            const tags = new Map((instance.Tags ?? []).map((t) => [t.Key, t.Value ?? '']));
            const name = tags.get('Name');
            const tagValue = tags.get(tagKey);
            const copyTagValue = copyTagKey === undefined ? undefined : tags.get(copyTagKey);
            const consistencyTagValue =
              consistencyTagKey === undefined ? undefined : tags.get(consistencyTagKey);
            const rootVolumeId = rootVolumeOf(instance);
            instances.push({
              instanceId: instance.InstanceId ?? '',
              ...(name !== undefined && { name }),
              ...(tagValue !== undefined && { tagValue }),
              ...(copyTagValue !== undefined && { copyTagValue }),
              ...(consistencyTagValue !== undefined && { consistencyTagValue }),
              volumeIds: (instance.BlockDeviceMappings ?? []).flatMap((m) =>
                m.Ebs?.VolumeId ? [m.Ebs.VolumeId] : [],
              ),
              ...(rootVolumeId !== undefined && { rootVolumeId }),
              // EC2 answers `windows` for Windows and leaves Platform out otherwise (the SDK's
              // enum spells it `Windows`): compared without case.
              ...(instance.Platform?.toLowerCase() === 'windows' && { platform: 'windows' as const }),
            });
          }
        }
      }
    }
  });
  return instances;
}

/**
 * The EBS volume mapped on the instance's root device (RootDeviceName); undefined when none is
 * (an instance-store root, a root volume detached from a stopped instance). Device names are
 * compared without a leading `/dev/`: EC2 writes both forms (`/dev/sda1`, `xvda`) across AMIs.
 */
export function rootVolumeOf(instance: Pick<Instance, 'RootDeviceName' | 'BlockDeviceMappings'>) {
  const bare = (device: string | undefined) => device?.replace(/^\/dev\//, '');
  const root = bare(instance.RootDeviceName);
  if (root === undefined) return undefined;
  return (instance.BlockDeviceMappings ?? []).find((m) => bare(m.DeviceName) === root)?.Ebs?.VolumeId;
}

/**
 * The volumes carrying the tag key themselves (SPEC §1.3), or only the copy tag key (which
 * overrides their instance's, SPEC §10.2), with their values, every tag and the instances they
 * are attached to: filtered server-side by tag key and fully paginated. One `tag-key` filter
 * with both keys: EC2 joins the values of one filter with OR
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Filter.html).
 */
export async function listTaggedVolumes(ec2: EC2Client, keys: TargetTagKeys): Promise<ListedVolume[]> {
  const tagKeys = keys.copyTagKey === undefined ? [keys.tagKey] : [keys.tagKey, keys.copyTagKey];
  const volumes = await listVolumes(ec2, keys, [[{ Name: 'tag-key', Values: tagKeys }]]);
  // Defence in depth: an endpoint that ignored the filter returns volumes carrying neither.
  return volumes.filter((v) => v.tagValue !== undefined || v.copyTagValue !== undefined);
}

/**
 * The volumes among `volumeIds` with their tags, whatever they carry: filtered server-side by
 * ID in chunks of 200 (a filter, not `VolumeIds`, so a volume deleted meanwhile is simply
 * absent instead of failing the call), fully paginated.
 */
export function listVolumesById(
  ec2: EC2Client,
  keys: TargetTagKeys,
  volumeIds: readonly string[],
): Promise<ListedVolume[]> {
  const filterSets = chunk(volumeIds, MAX_FILTER_VALUES).map((ids) => [{ Name: 'volume-id', Values: ids }]);
  return listVolumes(ec2, keys, filterSets);
}

/** One paginated DescribeVolumes walk per filter set. */
async function listVolumes(
  ec2: EC2Client,
  { tagKey, copyTagKey }: TargetTagKeys,
  filterSets: readonly Filter[][],
): Promise<ListedVolume[]> {
  const volumes: ListedVolume[] = [];
  await ec2Call(async () => {
    for (const filters of filterSets) {
      for await (const page of paginateDescribeVolumes(
        { client: ec2, pageSize: 500 },
        { Filters: filters },
      )) {
        for (const volume of page.Volumes ?? []) {
          if (!volume.VolumeId) continue;
          const tags = new Map((volume.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
          const tagValue = tags.get(tagKey);
          const copyTagValue = copyTagKey === undefined ? undefined : tags.get(copyTagKey);
          volumes.push({
            volumeId: volume.VolumeId,
            ...(tagValue !== undefined && { tagValue }),
            ...(copyTagValue !== undefined && { copyTagValue }),
            instanceIds: (volume.Attachments ?? []).flatMap((a) => (a.InstanceId ? [a.InstanceId] : [])),
            tags: Object.fromEntries(tags),
          });
        }
      }
    }
  });
  return volumes;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
