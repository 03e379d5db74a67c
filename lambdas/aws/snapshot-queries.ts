import {
  DescribeSnapshotsCommand,
  type EC2Client,
  type Filter,
  paginateDescribeSnapshots,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import type { SnapshotRecord } from '../core/retention';
import { SnapshotTag } from '../core/snapshot-tags';
import { ec2Call, ec2ErrorCode } from './ec2-errors';

/** A snapshot this deployment manages, with the tags that matter to it. */
export interface ManagedSnapshot extends SnapshotRecord {
  volumeId?: string;
  description?: string;
  /** The size of the volume it was taken from, in GiB (EC2's VolumeSize). */
  volumeSize?: number;
  /** Copies of an encrypted snapshot are encrypted too (SPEC §10.3). */
  encrypted: boolean;
  /** The KMS key it is encrypted with, when it is. */
  kmsKeyId?: string;
  tags: Record<string, string>;
}

/**
 * Which managed snapshots to list: the marker always, narrowed by volume and/or run, and either
 * the snapshots this deployment took or its copies of them (SPEC §10.4). The two never mix: a
 * deployment in another region with the same marker may keep its copies here, and a copy's
 * retention is not its source's.
 */
export interface ManagedSnapshotQuery {
  managedBy: string;
  volumeId?: string;
  /** The run's key (SnapshotTag.runId). */
  runId?: string;
  /**
   * Copies only: those whose source is in this region (SnapshotTag.sourceRegion, the
   * deployment's own region). Absent: only snapshots that are not copies (no such tag).
   */
  sourceRegion?: string;
  /** A set's snapshots only (SnapshotTag.setId, SPEC §12.2). */
  setId?: string;
  /** Snapshots of an instance's volumes only (SnapshotTag.instanceId): the operator's `restore --set latest`. */
  instanceId?: string;
}

/**
 * Lists this deployment's snapshots, filtered server-side by owner and tags and fully
 * paginated (SPEC §1.5, §3.1). Defence in depth (SPEC §2.4): every snapshot returned is checked
 * again here against the marker and, when asked, the volume, the run and the source region,
 * because a filter is only as good as the endpoint that applies it, and what this returns may
 * be deleted. "Not a copy" has no filter (DescribeSnapshots' `tag:<key>` filters match a value,
 * none matches a missing tag:
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html), so it is
 * checked here only.
 */
export async function listManagedSnapshots(
  ec2: EC2Client,
  query: ManagedSnapshotQuery,
): Promise<ManagedSnapshot[]> {
  const filters: Filter[] = [{ Name: `tag:${SnapshotTag.managedBy}`, Values: [query.managedBy] }];
  if (query.volumeId) filters.push({ Name: `tag:${SnapshotTag.volumeId}`, Values: [query.volumeId] });
  if (query.runId) filters.push({ Name: `tag:${SnapshotTag.runId}`, Values: [query.runId] });
  if (query.setId) filters.push({ Name: `tag:${SnapshotTag.setId}`, Values: [query.setId] });
  if (query.instanceId) filters.push({ Name: `tag:${SnapshotTag.instanceId}`, Values: [query.instanceId] });
  if (query.sourceRegion) {
    filters.push({ Name: `tag:${SnapshotTag.sourceRegion}`, Values: [query.sourceRegion] });
  }
  const snapshots: ManagedSnapshot[] = [];
  await ec2Call(
    async () => {
      const pages = paginateDescribeSnapshots(
        { client: ec2, pageSize: 1000 },
        { OwnerIds: ['self'], Filters: filters },
      );
      for await (const page of pages) {
        for (const snapshot of page.Snapshots ?? []) {
          const managed = toManagedSnapshot(snapshot);
          if (matchesQuery(managed, query)) snapshots.push(managed);
        }
      }
    },
    { volumeId: query.volumeId },
  );
  return snapshots;
}

/**
 * One managed snapshot by ID, or undefined when EC2 does not know it (deleted, or not yet
 * visible: EC2's API is eventually consistent, so a snapshot just created may be missing from
 * listings and answer `InvalidSnapshot.NotFound` for a while —
 * https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html). A snapshot that
 * does not match the query (another deployment's, another volume's) counts as not found.
 */
export async function findManagedSnapshot(
  ec2: EC2Client,
  snapshotId: string,
  query: ManagedSnapshotQuery,
): Promise<ManagedSnapshot | undefined> {
  try {
    const { Snapshots = [] } = await ec2Call(() =>
      ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], SnapshotIds: [snapshotId] })),
    );
    return Snapshots.map(toManagedSnapshot).find(
      (s) => s.snapshotId === snapshotId && matchesQuery(s, query),
    );
  } catch (error) {
    if (ec2ErrorCode(error) === 'InvalidSnapshot.NotFound') return undefined;
    throw error;
  }
}

/**
 * The client-side check of a query: marker, volume, run, set and instance when given, and a copy of the given
 * source region or, without one, not a copy at all.
 */
export function matchesQuery(snapshot: ManagedSnapshot, query: ManagedSnapshotQuery): boolean {
  const { tags } = snapshot;
  return (
    tags[SnapshotTag.managedBy] === query.managedBy &&
    (query.volumeId === undefined || tags[SnapshotTag.volumeId] === query.volumeId) &&
    (query.runId === undefined || tags[SnapshotTag.runId] === query.runId) &&
    (query.setId === undefined || tags[SnapshotTag.setId] === query.setId) &&
    (query.instanceId === undefined || tags[SnapshotTag.instanceId] === query.instanceId) &&
    tags[SnapshotTag.sourceRegion] === query.sourceRegion
  );
}

export function toManagedSnapshot(snapshot: Snapshot): ManagedSnapshot {
  return {
    snapshotId: snapshot.SnapshotId ?? '',
    state: snapshot.State ?? 'unknown',
    startTime: snapshot.StartTime ? new Date(snapshot.StartTime).getTime() : 0,
    volumeId: snapshot.VolumeId,
    description: snapshot.Description,
    ...(snapshot.VolumeSize !== undefined && { volumeSize: snapshot.VolumeSize }),
    encrypted: snapshot.Encrypted === true,
    ...(snapshot.KmsKeyId !== undefined && { kmsKeyId: snapshot.KmsKeyId }),
    tags: Object.fromEntries((snapshot.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  };
}
