import type { S3Client } from '@aws-sdk/client-s3';
import type { MapRunOutput } from '../contracts/map-run';
import type { PruneBatch, PruneLedger, SnapshotRunRecord } from '../contracts/run-documents';
import { pruneBatchKey, type S3Location } from '../contracts/work-bucket';
import type { PruneWorkItem } from '../contracts/work-items';
import { getJson, getJsonIfPresent, putJson } from './json-store';

/**
 * The pruning loop's documents in the work bucket: what the loop has done (PruneLedger) and each
 * turn's batch. The state says which turn the loop is at, so a turn reads the ledger of the
 * turn before it and writes its own: a turn retried after writing but before returning rewrites
 * its documents and never reads them (S3 reads are strongly consistent after a write,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel).
 */

const NOTHING_YET: PruneLedger = { batched: [], runs: [] };

/**
 * What the loop had done before this turn: the last turn's ledger, with PruneVolumes' result of
 * that turn's batch (in the state since, as `pruneRun`). Summarise reads it the same way after
 * the loop, when its last turn may have been a batch no later turn recorded.
 */
export async function ledgerSoFar(
  s3: S3Client,
  last: PruneBatch | undefined,
  lastRun: MapRunOutput | undefined,
): Promise<PruneLedger> {
  if (last === undefined) return NOTHING_YET;
  const ledger = await getJson<PruneLedger>(s3, last.ledger);
  if (last.count === 0) return ledger;
  if (lastRun === undefined) {
    throw new Error(
      `Turn ${last.number} of the pruning loop had ${last.count} volumes, but no PruneVolumes result`,
    );
  }
  return { ...ledger, runs: [...ledger.runs, lastRun] };
}

/** Writes a turn's batch (none when empty) and the ledger after it. */
export async function writeTurn(
  s3: S3Client,
  at: { bucket: string; executionName: string; turn: number },
  batch: readonly PruneWorkItem[],
  ledger: PruneLedger,
): Promise<{ items?: S3Location; ledger: S3Location }> {
  const location = (document: 'volumes' | 'ledger') => ({
    bucket: at.bucket,
    key: pruneBatchKey(at.executionName, at.turn, document),
  });
  const [items, written] = await Promise.all([
    batch.length > 0 ? putJson(s3, location('volumes'), batch) : undefined,
    putJson(s3, location('ledger'), {
      batched: [...ledger.batched, ...batch.map((item) => item.volumeId)],
      runs: ledger.runs,
    } satisfies PruneLedger),
  ]);
  return { ...(items && { items }), ledger: written };
}

/**
 * The snapshot branch's record that SnapshotVolumes has ended, or undefined while it has not.
 * A record left by another execution of the same name (execution names repeat, SPEC §2.3) is
 * not this run's.
 */
export async function snapshotRunRecord(
  s3: S3Client,
  location: S3Location,
  runId: string,
): Promise<SnapshotRunRecord | undefined> {
  const record = await getJsonIfPresent<SnapshotRunRecord>(s3, location);
  return record?.runId === runId ? record : undefined;
}

/**
 * The snapshot branches' end, once every one of them has recorded it: SnapshotVolumes' record and,
 * when the run takes sets (SPEC §12), SnapshotSets' beside it, as one record; undefined while one
 * is still running (or wrote no record of this run).
 */
export async function snapshotBranchesRecord(
  s3: S3Client,
  event: { snapshotRecord: S3Location; setRecord?: S3Location; runId: string },
): Promise<SnapshotRunRecord | undefined> {
  const [volumes, sets] = await Promise.all([
    snapshotRunRecord(s3, event.snapshotRecord, event.runId),
    event.setRecord && snapshotRunRecord(s3, event.setRecord, event.runId),
  ]);
  if (!volumes || (event.setRecord && !sets)) return undefined;
  return { ...volumes, ...(sets?.setRun && { setRun: sets.setRun }) };
}
