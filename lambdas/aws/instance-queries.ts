import {
  type EC2Client,
  type Filter,
  paginateDescribeInstances,
  paginateDescribeVolumes,
} from '@aws-sdk/client-ec2';
import type { TaggedVolume, TargetInstance } from '../core/volume-targets';
import { ec2Call } from './ec2-errors';

/** EC2 accepts at most 200 values in one filter. */
export const MAX_FILTER_VALUES = 200;

/** States whose volumes are backed up: everything but `terminated` and `shutting-down` (SPEC §1.1). */
export const BACKED_UP_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/**
 * The live instances carrying the tag key, filtered server-side by tag and state and fully
 * paginated; restricted to `instanceIds` when given (by filter, in chunks of 200, so an ID
 * that does not exist is simply absent rather than failing the whole call).
 */
export function listTaggedInstances(
  ec2: EC2Client,
  tagKey: string,
  instanceIds?: readonly string[],
): Promise<TargetInstance[]> {
  const tagged: Filter = { Name: 'tag-key', Values: [tagKey] };
  return instanceIds
    ? listInstancesById(ec2, tagKey, instanceIds, [tagged])
    : listInstances(ec2, tagKey, [[tagged]]);
}

/**
 * The live instances among `instanceIds`, tagged or not (those that tagged volumes are attached
 * to): filtered server-side by ID in chunks of 200 and by state, fully paginated. An ID that no
 * longer exists, or a terminated or shutting-down instance, is simply absent.
 */
export function listInstancesById(
  ec2: EC2Client,
  tagKey: string,
  instanceIds: readonly string[],
  filters: readonly Filter[] = [],
): Promise<TargetInstance[]> {
  const filterSets = chunk(instanceIds, MAX_FILTER_VALUES).map((ids) => [
    ...filters,
    { Name: 'instance-id', Values: ids },
  ]);
  return listInstances(ec2, tagKey, filterSets);
}

/** One paginated, live-state-filtered DescribeInstances walk per filter set. */
async function listInstances(
  ec2: EC2Client,
  tagKey: string,
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
            instances.push({
              instanceId: instance.InstanceId ?? '',
              ...(name !== undefined && { name }),
              ...(tagValue !== undefined && { tagValue }),
              volumeIds: (instance.BlockDeviceMappings ?? []).flatMap((m) =>
                m.Ebs?.VolumeId ? [m.Ebs.VolumeId] : [],
              ),
            });
          }
        }
      }
    }
  });
  return instances;
}

/**
 * The volumes carrying the tag key themselves (SPEC §1.3), with their value and the instances
 * they are attached to: filtered server-side by tag key and fully paginated.
 */
export async function listTaggedVolumes(ec2: EC2Client, tagKey: string): Promise<TaggedVolume[]> {
  const volumes: TaggedVolume[] = [];
  await ec2Call(async () => {
    const pages = paginateDescribeVolumes(
      { client: ec2, pageSize: 500 },
      { Filters: [{ Name: 'tag-key', Values: [tagKey] }] },
    );
    for await (const page of pages) {
      for (const volume of page.Volumes ?? []) {
        const tag = volume.Tags?.find((t) => t.Key === tagKey);
        if (!volume.VolumeId || !tag) continue;
        volumes.push({
          volumeId: volume.VolumeId,
          tagValue: tag.Value ?? '',
          instanceIds: (volume.Attachments ?? []).flatMap((a) => (a.InstanceId ? [a.InstanceId] : [])),
        });
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
