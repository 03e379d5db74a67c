import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { getJson, putJson } from '../aws/json-store';
import type { ManagedSnapshot } from '../aws/snapshot-queries';
import type { CopyRegion } from '../contracts/deployment';
import type { AwaitSnapshotsEvent, CreatedSnapshot, PruneWorkList } from '../contracts/run-documents';
import { runKey, type S3Location } from '../contracts/work-bucket';
import type { CopyWorkItem, NewSnapshot, PruneWorkItem, VolumeWorkItem } from '../contracts/work-items';
import { SnapshotsPendingError } from '../core/errors';
import { createdOnce, measure, pollRun, stillWaiting } from './await-created';

export interface AwaitSnapshotsDeps {
  ec2: EC2Client;
  s3: S3Client;
  bucket: string;
  managedBy: string;
  /** How long one snapshot may stay pending, from its StartTime (SPEC §4.3). */
  waitLimitSeconds: number;
  /** Where copies are kept (SPEC §10.1); none: no copy work list. */
  copyRegions: readonly CopyRegion[];
  /** The deployment's own region: the source region of every copy. */
  region: string;
  now: () => number;
  /** Waits between retries of a throttled page; default the process's timers. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Waits for the snapshots SnapshotVolumes actually created (SPEC §4.3; see `await-created.ts`).
 * One poll lists the run's snapshots by its tag. While any is pending or not yet visible within
 * the wait limit it throws `SnapshotsPending`, and the state machine's Retry paces the polls; a
 * poll EC2 throttled or failed also counts as "still pending".
 *
 * When done, it writes PruneVolumes' work list: each volume with this run's snapshot of it, so
 * that pruning checks that snapshot by ID instead of trusting a listing. When copies are kept
 * (SPEC §10.3), it also writes CopyVolumes' work list: each volume with copies whose snapshot
 * completed, once per copy region.
 */
export async function awaitSnapshots(
  deps: AwaitSnapshotsDeps,
  event: AwaitSnapshotsEvent,
): Promise<PruneWorkList> {
  const created = await createdOnce<NewSnapshot>(
    deps.s3,
    { bucket: deps.bucket, key: runKey(event.executionName, 'created') },
    event.snapshotRun,
    (output) => {
      const snapshot = output as CreatedSnapshot | undefined;
      return snapshot?.snapshotId
        ? [snapshot.volumeId, { snapshotId: snapshot.snapshotId, startTime: snapshot.startTime }]
        : undefined;
    },
  );
  const poll = await pollRun(deps.ec2, { managedBy: deps.managedBy, runId: event.runId }, deps);
  if ('unavailable' in poll) {
    throw new SnapshotsPendingError(
      created.size,
      `Could not check the ${created.size} snapshots of execution ${event.executionName} this time (${poll.unavailable.message}); still waiting`,
    );
  }
  const now = deps.now();
  const progress = measure(created.values(), poll.listed, now - deps.waitLimitSeconds * 1000, now);
  const waiting = stillWaiting(progress);
  if (waiting > 0) {
    throw new SnapshotsPendingError(
      waiting,
      `${waiting} of ${progress.created} snapshots of execution ${event.executionName} still pending ` +
        `(${progress.notVisible} not yet visible in EC2)`,
    );
  }
  const volumes = await getJson<VolumeWorkItem[]>(deps.s3, event.items);
  const pruneItems: PruneWorkItem[] = volumes.map((volume) => {
    const newSnapshot = created.get(volume.volumeId);
    return newSnapshot ? { ...volume, newSnapshot } : volume;
  });
  const location = { bucket: deps.bucket, key: runKey(event.executionName, 'prune') };
  await putJson(deps.s3, location, pruneItems);
  const copyItems = await writeCopyItems(deps, event, volumes, created, poll.listed);
  return { ...location, progress, ...(copyItems && { copyItems }) };
}

/**
 * CopyVolumes' work list (SPEC §10.3): one item per volume with copies whose snapshot of this
 * run completed, and copy region; a copy is made only from a completed snapshot. Written,
 * possibly empty, whenever a volume of the run has copies (as Discover wrote PruneCopies' list
 * then); nothing otherwise.
 */
async function writeCopyItems(
  deps: AwaitSnapshotsDeps,
  event: AwaitSnapshotsEvent,
  volumes: readonly VolumeWorkItem[],
  created: ReadonlyMap<string, NewSnapshot>,
  listed: readonly ManagedSnapshot[],
): Promise<(S3Location & { count: number }) | undefined> {
  const withCopies = volumes.filter((v) => v.copyGenerations !== undefined);
  if (withCopies.length === 0 || deps.copyRegions.length === 0) return undefined;
  const byId = new Map(listed.map((s) => [s.snapshotId, s]));
  const items: CopyWorkItem[] = [];
  for (const volume of withCopies) {
    const ours = created.get(volume.volumeId);
    const snapshot = ours && byId.get(ours.snapshotId);
    if (!ours || snapshot?.state !== 'completed') continue;
    for (const { region } of deps.copyRegions) {
      items.push({
        ...volume,
        region,
        copyGenerations: volume.copyGenerations as number,
        source: {
          snapshotId: ours.snapshotId,
          startTime: ours.startTime,
          region: deps.region,
          encrypted: snapshot.encrypted,
        },
      });
    }
  }
  const location = { bucket: deps.bucket, key: runKey(event.executionName, 'copies') };
  await putJson(deps.s3, location, items);
  return { ...location, count: items.length };
}
