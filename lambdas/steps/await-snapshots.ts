import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { getJson, putJson } from '../aws/json-store';
import { ledgerSoFar, snapshotBranchesRecord, writeTurn } from '../aws/prune-ledger-store';
import type { ManagedSnapshot } from '../aws/snapshot-queries';
import type { CopyRegion } from '../contracts/deployment';
import type {
  AwaitSnapshotsEvent,
  CreatedSnapshot,
  PruneBatch,
  SnapshotProgress,
  SnapshotRunRecord,
} from '../contracts/run-documents';
import type { CreatedSet } from '../contracts/sets';
import { runKey, type S3Location } from '../contracts/work-bucket';
import type { CopyWorkItem, NewSnapshot, PruneWorkItem, VolumeWorkItem } from '../contracts/work-items';
import { SnapshotsPendingError } from '../core/errors';
import { batchDecision, PRUNE_BATCH_MIN_VOLUMES } from '../core/prune-batching';
import { SnapshotTag } from '../core/snapshot-tags';
import { createdOnce, isSettled, measure, pollRun, standingOf } from './await-created';

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
 * One turn of the pruning loop (SPEC §4.3, §4.4): the next batch of volumes for PruneVolumes,
 * while SnapshotVolumes may still be making snapshots. A volume is batched once, and only once its
 * own new snapshot settled: completed or in error, gone (LISTING_LAG_TOLERANCE_MS after it was
 * made and listed no more), or pending past the wait limit; or, once SnapshotVolumes has ended,
 * when it made none (its prune child then fails visibly, or finds it superseded). SPEC §3.3 holds
 * per volume: PruneSnapshots deletes nothing unless that snapshot completed.
 *
 * Before SnapshotVolumes ends its results are not known, so a volume's snapshot is the one the
 * listing shows tagged with the run; once it has ended (its record exists), the one its results
 * name. The listing is one poll of the whole run, never one per volume. Too few volumes ready for
 * a batch (see `batchDecision`): `SnapshotsPending`, and the state machine's Retry paces the
 * polls, holding no fan-out slot; a poll EC2 throttled or failed counts as "still pending".
 *
 * The last batch goes when SnapshotVolumes has ended and nothing is left to wait for, with
 * CopyVolumes' work list; the turn after it ends the loop (`count` 0).
 *
 * Once AwaitSnapshots has failed (the state carries `waitError`: ListUnprunedVolumes runs this
 * then), no turn polls: it waits for SnapshotVolumes to end, then hands PruneVolumes every volume
 * not pruned yet as the last batch, and each prune child checks its own snapshot (SPEC §6.4: the
 * run still prunes).
 */
export async function nextPruneBatch(
  deps: AwaitSnapshotsDeps,
  event: AwaitSnapshotsEvent,
): Promise<PruneBatch> {
  const last = event.pruneBatch;
  const ledger = await ledgerSoFar(deps.s3, last, event.pruneRun);
  const turn = { bucket: deps.bucket, executionName: event.executionName, turn: (last?.number ?? 0) + 1 };
  const write = async (batch: PruneWorkItem[], final: boolean, extra: Partial<PruneBatch> = {}) => ({
    number: turn.turn,
    count: batch.length,
    final,
    ...(await writeTurn(deps.s3, turn, batch, ledger)),
    ...extra,
  });
  // The final batch has been pruned: the loop ends, handing on CopyVolumes' work list.
  if (last?.final) return write([], true, last.copyItems && { copyItems: last.copyItems });

  const volumes = await getJson<VolumeWorkItem[]>(deps.s3, event.items);
  const batched = new Set(ledger.batched);
  const unbatched = volumes.filter((volume) => !batched.has(volume.volumeId));
  // A dry run made nothing to wait for: every volume is planned at once.
  if (event.dryRun) return write(unbatched, true);

  const record = await snapshotBranchesRecord(deps.s3, event);
  const created = record && (await createdSnapshots(deps, event, record));
  if (event.waitError) {
    if (!created) {
      throw new SnapshotsPendingError(
        unbatched.length,
        `Waiting for SnapshotVolumes of execution ${event.executionName} to end before handing PruneVolumes the ${unbatched.length} volumes not pruned yet`,
      );
    }
    const rest = unbatched.map((volume) => withSnapshot(volume, created.get(volume.volumeId)));
    return write(rest, true);
  }

  const poll = await pollRun(deps.ec2, { managedBy: deps.managedBy, runId: event.runId }, deps);
  if ('unavailable' in poll) {
    throw new SnapshotsPendingError(
      unbatched.length,
      `Could not list the snapshots of execution ${event.executionName} this time (${poll.unavailable.message}); ${unbatched.length} volumes still to prune`,
    );
  }
  const now = deps.now();
  const deadline = now - deps.waitLimitSeconds * 1000;
  const { ready, waiting, known } = whereVolumesStand(unbatched, created, poll.listed, deadline, now);
  const progress = measure(known, poll.listed, deadline, now);
  const decision = batchDecision({ ready: ready.length, waiting, snapshotsMade: created !== undefined });
  if (decision === 'wait') throw pending(event, progress, ready.length, waiting, created !== undefined);
  if (decision === 'batch') return write(ready, false, { progress });
  // Final: SnapshotVolumes has ended, so its results are known.
  const copyItems = created && (await writeCopyItems(deps, event, volumes, created, poll.listed));
  return write(ready, true, { progress, ...(copyItems && { copyItems }) });
}

/**
 * SnapshotVolumes' results, by volume: each volume's snapshot of this run, as created; with
 * SnapshotSets' (SPEC §12.3), whose every succeeded child names each volume of its set. A set's
 * child that failed names none: its volumes are pruned by what the listing shows, as a volume
 * SnapshotVolumes made none for.
 */
async function createdSnapshots(
  deps: AwaitSnapshotsDeps,
  event: AwaitSnapshotsEvent,
  record: SnapshotRunRecord,
): Promise<Map<string, NewSnapshot>> {
  const cacheAt = (document: 'created' | 'sets-created') => ({
    bucket: deps.bucket,
    key: runKey(event.executionName, document),
  });
  const [volumes, sets] = await Promise.all([
    record.snapshotRun
      ? createdOnce<NewSnapshot>(deps.s3, cacheAt('created'), record.snapshotRun, (output) => {
          const snapshot = output as CreatedSnapshot | undefined;
          return snapshot?.snapshotId
            ? [snapshot.volumeId, { snapshotId: snapshot.snapshotId, startTime: snapshot.startTime }]
            : undefined;
        })
      : new Map<string, NewSnapshot>(),
    record.setRun
      ? createdOnce<NewSnapshot>(deps.s3, cacheAt('sets-created'), record.setRun, (output) => {
          const set = output as CreatedSet | undefined;
          return (set?.volumes ?? []).map((v): [string, NewSnapshot] => [
            v.volumeId,
            { snapshotId: v.snapshotId, startTime: v.startTime },
          ]);
        })
      : new Map<string, NewSnapshot>(),
  ]);
  return new Map([...sets, ...volumes]);
}

/**
 * Which volumes are ready for a batch: each volume's snapshot is the one SnapshotVolumes' results
 * name once they are known (`created`), before that the one snapshot of the run the listing shows
 * for it (two would be a broken promise of SPEC §2.3: it waits for the results, which say which).
 */
function whereVolumesStand(
  volumes: readonly VolumeWorkItem[],
  created: ReadonlyMap<string, NewSnapshot> | undefined,
  listed: readonly ManagedSnapshot[],
  deadline: number,
  now: number,
): { ready: PruneWorkItem[]; waiting: number; known: NewSnapshot[] } {
  const byId = new Map(listed.map((s) => [s.snapshotId, s]));
  const listedOf = new Map<string, ManagedSnapshot[]>();
  for (const snapshot of listed) {
    const volumeId = snapshot.tags[SnapshotTag.volumeId];
    listedOf.set(volumeId, [...(listedOf.get(volumeId) ?? []), snapshot]);
  }
  const ready: PruneWorkItem[] = [];
  const known: NewSnapshot[] = [];
  let waiting = 0;
  for (const volume of volumes) {
    const snapshot = created ? created.get(volume.volumeId) : onlyOne(listedOf.get(volume.volumeId));
    if (snapshot === undefined) {
      // Made none (SnapshotVolumes ended), or not made or not listed yet.
      if (created) ready.push(volume);
      else waiting += 1;
      continue;
    }
    known.push(snapshot);
    const standing = standingOf(snapshot, byId.get(snapshot.snapshotId)?.state, now);
    if (isSettled(snapshot, standing, deadline)) ready.push(withSnapshot(volume, snapshot));
    else waiting += 1;
  }
  return { ready, waiting, known };
}

function onlyOne(snapshots: readonly ManagedSnapshot[] | undefined): NewSnapshot | undefined {
  if (snapshots?.length !== 1) return undefined;
  const [{ snapshotId, startTime }] = snapshots;
  return { snapshotId, startTime };
}

/** The volume's prune item: with this run's snapshot of it, checked by ID by the prune step. */
function withSnapshot(volume: VolumeWorkItem, snapshot: NewSnapshot | undefined): PruneWorkItem {
  return snapshot ? { ...volume, newSnapshot: snapshot } : volume;
}

function pending(
  event: AwaitSnapshotsEvent,
  progress: SnapshotProgress,
  ready: number,
  waiting: number,
  snapshotsMade: boolean,
): SnapshotsPendingError {
  const making = snapshotsMade ? '' : ', SnapshotVolumes still running';
  return new SnapshotsPendingError(
    waiting,
    `${waiting} volumes wait for their snapshot of execution ${event.executionName} ` +
      `(${progress.pending} pending, ${progress.notVisible} not yet visible in EC2${making}); ` +
      `${ready} ready to prune, a batch takes ${PRUNE_BATCH_MIN_VOLUMES} or the last ones`,
  );
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
