import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { getJson, getJsonIfPresent, putJson } from '../aws/json-store';
import { parseJsonField, readMapRunResults } from '../aws/map-run-results';
import { listManagedSnapshots, type ManagedSnapshot } from '../aws/snapshot-queries';
import { LISTING_THROTTLE_BUDGET_MS, realSleep, withThrottleRetries } from '../aws/throttle-backoff';
import type {
  AwaitSnapshotsEvent,
  CreatedSnapshot,
  PruneWorkList,
  SnapshotProgress,
} from '../contracts/run-documents';
import { runKey } from '../contracts/work-bucket';
import type { NewSnapshot, PruneWorkItem, VolumeWorkItem } from '../contracts/work-items';
import { SnapshotsPendingError } from '../core/errors';

export interface AwaitSnapshotsDeps {
  ec2: EC2Client;
  s3: S3Client;
  bucket: string;
  managedBy: string;
  /** How long one snapshot may stay pending, from its StartTime (SPEC §4.3). */
  waitLimitSeconds: number;
  now: () => number;
  /** Waits between retries of a throttled page; default the process's timers. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Waits for the snapshots SnapshotVolumes actually created (SPEC §4.3), known by ID from its
 * results, rather than for whatever a listing shows: EC2's API is eventually consistent, so a
 * snapshot just created can be missing from DescribeSnapshots for a while
 * (https://docs.aws.amazon.com/ec2/latest/devguide/eventual-consistency.html), and an empty
 * listing must not read as "nothing pending". One poll lists the run's snapshots by its tag
 * (pages of 1,000, not one call per volume). While any is pending or not yet visible within the
 * wait limit it throws `SnapshotsPending`, and the state machine's Retry paces the polls. A poll
 * EC2 throttled or failed also counts as "still pending": a Retry budget counts attempts across
 * the whole wait (about a hundred polls), so sporadic errors must not spend it.
 *
 * When done, it writes PruneVolumes' work list: each volume with this run's snapshot of it, so
 * that pruning checks that snapshot by ID instead of trusting a listing.
 */
export async function awaitSnapshots(
  deps: AwaitSnapshotsDeps,
  event: AwaitSnapshotsEvent,
): Promise<PruneWorkList> {
  const created = await createdSnapshots(deps, event);
  let listed: ManagedSnapshot[];
  try {
    // A throttled page is tried again in the invocation; only a listing throttled for longer
    // than that counts the poll as "still pending".
    const ec2 = withThrottleRetries(
      deps.ec2,
      { now: deps.now, sleep: deps.sleep ?? realSleep },
      LISTING_THROTTLE_BUDGET_MS,
    );
    listed = await listManagedSnapshots(ec2, { managedBy: deps.managedBy, runId: event.runId });
  } catch (error) {
    const name = (error as Error).name;
    if (name !== 'Ec2Throttled' && name !== 'Ec2Transient') throw error;
    throw new SnapshotsPendingError(
      created.size,
      `Could not check the ${created.size} snapshots of execution ${event.executionName} this time (${(error as Error).message}); still waiting`,
    );
  }
  const progress = measure(created, listed, deps.now() - deps.waitLimitSeconds * 1000);
  const waiting = progress.pending + progress.notVisible - progress.timedOut;
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
  return { ...location, progress };
}

/** What the first poll keeps of SnapshotVolumes' results, for the polls after it. */
interface CreatedCache {
  /** The map run's manifest it was read from: a redriven SnapshotVolumes writes another. */
  manifest: string;
  created: [string, NewSnapshot][];
}

/**
 * This run's snapshots by volume, from the succeeded children of SnapshotVolumes. The map run's
 * results (every child's input and output, megabytes at 10,000 volumes) are read once; the polls
 * after it read the small list the first one kept in the work bucket.
 */
async function createdSnapshots(
  deps: AwaitSnapshotsDeps,
  event: AwaitSnapshotsEvent,
): Promise<Map<string, NewSnapshot>> {
  const manifest = event.snapshotRun.ResultWriterDetails.Key;
  const cacheAt = { bucket: deps.bucket, key: runKey(event.executionName, 'created') };
  const cached = await getJsonIfPresent<CreatedCache>(deps.s3, cacheAt);
  if (cached?.manifest === manifest) return new Map(cached.created);
  const { succeeded } = await readMapRunResults(deps.s3, event.snapshotRun);
  const created = new Map<string, NewSnapshot>();
  for (const child of succeeded) {
    const output = parseJsonField<CreatedSnapshot>(child.Output);
    if (output?.snapshotId) {
      created.set(output.volumeId, { snapshotId: output.snapshotId, startTime: output.startTime });
    }
  }
  const cache: CreatedCache = { manifest, created: [...created] };
  await putJson(deps.s3, cacheAt, cache);
  return created;
}

function measure(
  created: ReadonlyMap<string, NewSnapshot>,
  listed: readonly ManagedSnapshot[],
  deadline: number,
): SnapshotProgress {
  const byId = new Map(listed.map((s) => [s.snapshotId, s]));
  const progress: SnapshotProgress = {
    created: created.size,
    completed: 0,
    error: 0,
    notVisible: 0,
    pending: 0,
    timedOut: 0,
  };
  for (const { snapshotId, startTime } of created.values()) {
    const state = byId.get(snapshotId)?.state;
    if (state === 'completed') progress.completed += 1;
    else if (state === 'error') progress.error += 1;
    else {
      if (state === undefined) progress.notVisible += 1;
      else progress.pending += 1;
      if (startTime <= deadline) progress.timedOut += 1;
    }
  }
  return progress;
}
