import { type EC2Client, type Filter, paginateDescribeSnapshots, type Snapshot } from '@aws-sdk/client-ec2';
import type { SnapshotRecord } from '../core/retention';
import { SnapshotTag } from '../core/snapshot-tags';
import { ec2Call } from './ec2-errors';

/** A snapshot this deployment manages, with the tags that matter to it. */
export interface ManagedSnapshot extends SnapshotRecord {
  volumeId?: string;
  description?: string;
  tags: Record<string, string>;
}

export interface ManagedSnapshotQuery {
  managedBy: string;
  volumeId?: string;
  executionName?: string;
}

/**
 * Lists this deployment's snapshots, filtered server-side by owner and tags and fully
 * paginated: the marker tag always, and the volume and/or execution when given (SPEC §1.5,
 * §3.1). Snapshots without the marker are never returned, whatever their description.
 */
export async function listManagedSnapshots(
  ec2: EC2Client,
  query: ManagedSnapshotQuery,
): Promise<ManagedSnapshot[]> {
  const filters: Filter[] = [{ Name: `tag:${SnapshotTag.managedBy}`, Values: [query.managedBy] }];
  if (query.volumeId) filters.push({ Name: `tag:${SnapshotTag.volumeId}`, Values: [query.volumeId] });
  if (query.executionName)
    filters.push({ Name: `tag:${SnapshotTag.execution}`, Values: [query.executionName] });
  const snapshots: ManagedSnapshot[] = [];
  await ec2Call(async () => {
    const pages = paginateDescribeSnapshots(
      { client: ec2, pageSize: 1000 },
      { OwnerIds: ['self'], Filters: filters },
    );
    for await (const page of pages) {
      for (const snapshot of page.Snapshots ?? []) {
        const managed = toManagedSnapshot(snapshot);
        // Defence in depth: never trust a filter alone with deletions.
        if (managed.tags[SnapshotTag.managedBy] === query.managedBy) snapshots.push(managed);
      }
    }
  }, query);
  return snapshots;
}

export function toManagedSnapshot(snapshot: Snapshot): ManagedSnapshot {
  return {
    snapshotId: snapshot.SnapshotId ?? '',
    state: snapshot.State ?? 'unknown',
    startTime: snapshot.StartTime ? new Date(snapshot.StartTime).getTime() : 0,
    volumeId: snapshot.VolumeId,
    description: snapshot.Description,
    tags: Object.fromEntries((snapshot.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}
