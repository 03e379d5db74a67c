import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  listManagedSnapshots,
  type ManagedSnapshot,
  type ManagedSnapshotQuery,
} from '../aws/snapshot-queries';
import { type BackoffClock, retryThrottled } from '../aws/throttle-backoff';
import { LISTING_THROTTLE_BUDGET_MS } from '../commons/function-limits';
import type { Reentry } from '../contracts/work-items';
import { SnapshotAbsentError, SnapshotNotListedError, SnapshotOutcomeUnknownError } from '../core/errors';
import { LISTING_LAG_TOLERANCE_MS } from '../core/listing-lag';

/**
 * This run's snapshot (or copy) of the volume, by the run's key, if EC2 lists it: every
 * re-entry's look-up. A throttled listing is tried again in the invocation.
 */
export async function findRunSnapshot(
  ec2: EC2Client,
  query: RunQuery,
  clock: BackoffClock,
): Promise<ManagedSnapshot | undefined> {
  const [found] = await retryThrottled(
    () => listManagedSnapshots(ec2, query),
    clock,
    LISTING_THROTTLE_BUDGET_MS,
  );
  return found;
}

/**
 * ConfirmSnapshot and ConfirmCopy (SPEC §2.3, §10.3): after an attempt whose outcome is unknown,
 * the run's snapshot is looked for, never made. Found: it is this run's. Not found yet: the
 * listing may lag, so `SnapshotNotListed`, which the definition retries. Still not found
 * LISTING_LAG_TOLERANCE_MS after the state was entered (`since`, `$$.State.EnteredTime`, later
 * than the attempt that may have made it): none was made, and `SnapshotAbsent` sends the run
 * back to make it. Counting from the state's entry rather than its retries keeps the guarantee
 * whatever else (throttling, a Lambda error) is retried meanwhile.
 */
export async function confirmCreated(
  ec2: EC2Client,
  query: RunQuery,
  since: string,
  clock: BackoffClock,
  what: string,
): Promise<ManagedSnapshot> {
  const found = await findRunSnapshot(ec2, query, clock);
  if (found) return found;
  const entered = Date.parse(since);
  if (Number.isNaN(entered))
    throw new Error(`confirmSince must be a timestamp, got ${JSON.stringify(since)}`);
  const waited = clock.now() - entered;
  const seconds = Math.round(waited / 1000);
  if (waited < LISTING_LAG_TOLERANCE_MS) {
    throw new SnapshotNotListedError(
      `${what}: none listed ${seconds} s after an attempt of unknown outcome; looking again, not creating`,
    );
  }
  throw new SnapshotAbsentError(
    `${what}: none listed ${seconds} s after an attempt of unknown outcome (the listing lags at most ` +
      `${LISTING_LAG_TOLERANCE_MS / 1000} s): the attempt made none; making it now`,
  );
}

type RunQuery = ManagedSnapshotQuery & { runId: string; volumeId: string };

/**
 * What the create and copy steps do before they call EC2, by how their Task was entered (see
 * `Reentry`): the run's snapshot when this entry must return it rather than create (found by
 * ConfirmSnapshot, or by a redriven child), or undefined when the step may create. A redriven
 * child that finds nothing yet leaves the deciding to ConfirmSnapshot (`SnapshotOutcomeUnknown`):
 * the attempt it follows may have made one the listing does not show yet.
 */
export async function runSnapshotOnReentry(
  ec2: EC2Client,
  query: RunQuery,
  task: Reentry,
  clock: BackoffClock,
  what: string,
): Promise<ManagedSnapshot | undefined> {
  if (task.confirmSince !== undefined) return confirmCreated(ec2, query, task.confirmSince, clock, what);
  if ((task.redriveCount ?? 0) === 0 || task.absenceConfirmed === true) return undefined;
  const existing = await findRunSnapshot(ec2, query, clock);
  if (existing) return existing;
  throw new SnapshotOutcomeUnknownError(
    `${what}: redriven, and an earlier attempt may have made it; looking for it before making it`,
  );
}
