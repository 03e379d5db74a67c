import { type EC2Client, type Filter, paginateDescribeSnapshots } from '@aws-sdk/client-ec2';
import { chunk, MAX_FILTER_VALUES } from '../../lambdas/aws/instance-queries';
import { type ManagedSnapshot, toManagedSnapshot } from '../../lambdas/aws/snapshot-queries';
import { DESCRIPTION_PREFIX } from '../../lambdas/core/description';
import { awsCall } from '../errors';

/**
 * The `description` filter values that find the original recipe's snapshots: every volume's
 * (`Auto Snapshot vol-*`), or just these volumes', named or not (two values each, so at most
 * 100 volumes per request under EC2's 200-value limit). Volume IDs hold no wildcard characters.
 */
export function descriptionFilters(volumeIds?: readonly string[]): string[][] {
  if (volumeIds === undefined) return [[`${DESCRIPTION_PREFIX}vol-*`]];
  const values = volumeIds.flatMap((id) => [`${DESCRIPTION_PREFIX}${id}`, `${DESCRIPTION_PREFIX}${id}(*)`]);
  return chunk(values, MAX_FILTER_VALUES);
}

/**
 * This account's snapshots whose description looks like the recipe's, filtered server-side by
 * owner and description and fully paginated. Whether each one really is the recipe's, and not
 * already managed, is for the adoption plan to decide on what comes back.
 */
export async function listRecipeSnapshots(
  ec2: EC2Client,
  volumeIds?: readonly string[],
): Promise<ManagedSnapshot[]> {
  const snapshots = new Map<string, ManagedSnapshot>();
  await awsCall('ec2:DescribeSnapshots', async () => {
    for (const values of descriptionFilters(volumeIds)) {
      const filters: Filter[] = [{ Name: 'description', Values: values }];
      const pages = paginateDescribeSnapshots(
        { client: ec2, pageSize: 1000 },
        { OwnerIds: ['self'], Filters: filters },
      );
      for await (const page of pages) {
        for (const snapshot of page.Snapshots ?? []) {
          const found = toManagedSnapshot(snapshot);
          snapshots.set(found.snapshotId, found);
        }
      }
    }
  });
  return [...snapshots.values()];
}
