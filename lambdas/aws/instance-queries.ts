import {
  type EC2Client,
  type Filter,
  paginateDescribeInstances,
  paginateDescribeVolumes,
} from '@aws-sdk/client-ec2';
import type { TargetInstance } from '../core/volume-targets';
import { ec2Call } from './ec2-errors';

/** EC2 accepts at most 200 values in one filter. */
export const MAX_FILTER_VALUES = 200;

/** States whose volumes are backed up: everything but `terminated` and `shutting-down` (SPEC §1.1). */
export const BACKED_UP_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/**
 * The instances carrying the tag key, filtered server-side by tag and state and fully
 * paginated; restricted to `instanceIds` when given (by filter, in chunks of 200, so an ID
 * that does not exist is simply absent rather than failing the whole call).
 */
export async function listTaggedInstances(
  ec2: EC2Client,
  tagKey: string,
  instanceIds?: readonly string[],
): Promise<TargetInstance[]> {
  const base: Filter[] = [
    { Name: 'tag-key', Values: [tagKey] },
    { Name: 'instance-state-name', Values: BACKED_UP_INSTANCE_STATES },
  ];
  const filterSets = instanceIds
    ? chunk(instanceIds, MAX_FILTER_VALUES).map((ids) => [...base, { Name: 'instance-id', Values: ids }])
    : [base];
  const instances: TargetInstance[] = [];
  await ec2Call(async () => {
    for (const filters of filterSets) {
      for await (const page of paginateDescribeInstances(
        { client: ec2, pageSize: 1000 },
        { Filters: filters },
      )) {
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            const tags = new Map((instance.Tags ?? []).map((t) => [t.Key, t.Value ?? '']));
            const name = tags.get('Name');
            instances.push({
              instanceId: instance.InstanceId ?? '',
              ...(name !== undefined && { name }),
              tagValue: tags.get(tagKey) ?? '',
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
 * Volume-level values of the tag key (the per-volume override of SPEC §1.3): only volumes
 * that carry the key, filtered server-side and fully paginated.
 */
export async function listVolumeTagValues(ec2: EC2Client, tagKey: string): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  await ec2Call(async () => {
    const pages = paginateDescribeVolumes(
      { client: ec2, pageSize: 500 },
      { Filters: [{ Name: 'tag-key', Values: [tagKey] }] },
    );
    for await (const page of pages) {
      for (const volume of page.Volumes ?? []) {
        const tag = volume.Tags?.find((t) => t.Key === tagKey);
        if (volume.VolumeId && tag) values.set(volume.VolumeId, tag.Value ?? '');
      }
    }
  });
  return values;
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
