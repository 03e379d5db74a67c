import { CopySnapshotCommand, type CopySnapshotCommandOutput, type EC2Client } from '@aws-sdk/client-ec2';
import { CallPace, type EnvironmentPace } from '../aws/call-pace';
import { ec2ErrorCode, translateEc2Error } from '../aws/ec2-errors';
import { listManagedSnapshots } from '../aws/snapshot-queries';
import { type BackoffClock, realSleep, retryThrottled, withThrottleRetries } from '../aws/throttle-backoff';
import { LISTING_THROTTLE_BUDGET_MS, THROTTLE_BUDGET_MS } from '../commons/function-limits';
import type { CopyRegion } from '../contracts/deployment';
import type { CopyOutcome, SupersededCopy } from '../contracts/run-documents';
import type { CopyTask, CopyWorkItem } from '../contracts/work-items';
import { CopyLimitExceededError, InvalidInputError, SnapshotNotCompletedError } from '../core/errors';
import { newerGeneration } from '../core/retention';
import { copyTags, SnapshotTag } from '../core/snapshot-tags';
import { runSnapshotOnReentry } from './confirm-created';

export interface CopySnapshotDeps {
  /** EC2 in a copy region: CopySnapshot is called in the destination. SDK retries off. */
  ec2In: (region: string) => EC2Client;
  /** The deployment's own region: the source of every copy. */
  region: string;
  /** The copy regions, for the KMS key copies of encrypted snapshots are encrypted with. */
  copyRegions: readonly CopyRegion[];
  managedBy: string;
  /** Timers for retrying throttled calls in the invocation; default the process's. */
  clock?: BackoffClock;
  /** The pace of CopySnapshot calls, as the create step's (`CreateSnapshotDeps.callIntervalMs`). Absent: unpaced. */
  callIntervalMs?: number;
  /** As the create step's (`CreateSnapshotDeps.environmentPace`). */
  environmentPace?: EnvironmentPace;
}

/**
 * Copies this run's completed snapshot of one volume to one copy region (SPEC §10.3), tagged at
 * creation like its source plus where it came from, with the source's description.
 * CopySnapshot is called in the destination region and starts the copy there
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html); it answers
 * with the new snapshot's ID only, so the copy's state and StartTime are not known here: it is
 * `pending` from now, and AwaitCopies waits for it.
 *
 * Like CreateSnapshot, CopySnapshot has no client token, and it is made exactly once the same
 * way (see `createVolumeSnapshot`): an attempt of unknown outcome goes to ConfirmCopy, which
 * looks for the run's copy in the destination until the listing has had time to show it, and a
 * redriven child looks once before copying. A request EC2 throttled copied nothing and is
 * retried in the invocation.
 * A source deleted before it could be copied is superseded (see `supersededOrMissing`).
 * A destination with as many copies in flight as EC2 allows refuses the call
 * (`ResourceLimitExceeded`): `CopyLimitExceeded`, which the state machine retries with long
 * intervals while those copies finish. CopySnapshot calls are paced as CreateSnapshot calls are.
 */
export async function copyVolumeSnapshot(deps: CopySnapshotDeps, task: CopyTask): Promise<CopyOutcome> {
  const { copy } = task;
  if (copy.region === deps.region) {
    throw new InvalidInputError(
      'copy.region',
      `must be a copy region, not the deployment's own (${deps.region})`,
    );
  }
  if (copy.source.region !== deps.region) {
    throw new InvalidInputError('copy.source.region', `must be the deployment's region (${deps.region})`);
  }
  const clock = deps.clock ?? { now: Date.now, sleep: realSleep };
  const pace = new CallPace(deps.callIntervalMs ?? 0, clock, deps.environmentPace);
  try {
    return await copyOnce(deps, task, clock, pace);
  } finally {
    await pace.finish();
  }
}

/** The look-up on re-entry, or the paced CopySnapshot. */
async function copyOnce(
  deps: CopySnapshotDeps,
  task: CopyTask,
  clock: BackoffClock,
  pace: CallPace,
): Promise<CopyOutcome> {
  const { copy, executionName, runId } = task;
  const ec2 = deps.ec2In(copy.region);
  const base = { volumeId: copy.volumeId, region: copy.region, sourceSnapshotId: copy.source.snapshotId };
  const query = { managedBy: deps.managedBy, volumeId: copy.volumeId, runId, sourceRegion: deps.region };
  const what = `this run's copy of ${copy.volumeId} in ${copy.region}`;
  const existing = await runSnapshotOnReentry(ec2, query, task, clock, what);
  if (existing) {
    return {
      ...base,
      snapshotId: existing.snapshotId,
      state: existing.state,
      startTime: existing.startTime,
      reused: true,
    };
  }
  // A copy of an encrypted snapshot is always encrypted; `KmsKeyId` needs `Encrypted: true`, and
  // without one EC2 uses the destination's default EBS key (API_CopySnapshot, above).
  const kmsKeyId = copy.source.encrypted
    ? deps.copyRegions.find((r) => r.region === copy.region)?.kmsKeyArn
    : undefined;
  const command = new CopySnapshotCommand({
    SourceRegion: deps.region,
    SourceSnapshotId: copy.source.snapshotId,
    Description: copy.description,
    ...(copy.source.encrypted && { Encrypted: true }),
    ...(kmsKeyId && { KmsKeyId: kmsKeyId }),
    TagSpecifications: [
      {
        ResourceType: 'snapshot',
        Tags: copyTags({
          managedBy: deps.managedBy,
          executionName,
          runId,
          volumeId: copy.volumeId,
          instanceId: copy.instanceId,
          instanceName: copy.instanceName,
          generations: copy.copyGenerations,
          carriedTags: copy.carriedTags,
          sourceSnapshotId: copy.source.snapshotId,
          sourceRegion: deps.region,
        }),
      },
    ],
  });
  let copied: CopySnapshotCommandOutput;
  try {
    copied = await retryThrottled(
      () => pace.paced(() => copyCall(() => ec2.send(command), copy)),
      clock,
      THROTTLE_BUDGET_MS,
    );
  } catch (error) {
    if (!(error instanceof SourceGone)) throw error;
    return supersededOrMissing(deps, task, clock);
  }
  return {
    ...base,
    snapshotId: copied.SnapshotId ?? '',
    state: 'pending',
    startTime: clock.now(),
    reused: false,
  };
}

/**
 * Runs CopySnapshot and names its failure. `ResourceLimitExceeded` is the destination's limit of
 * copies in flight (EC2 error codes: "too many snapshot copies in progress",
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), not a request
 * rate: it gets its own error and Retry rather than the throttle's. A source that no longer
 * exists (`InvalidSnapshot.NotFound`) cannot be copied by any retry. The rest as `ec2Call`.
 */
async function copyCall<T>(call: () => Promise<T>, copy: CopyWorkItem): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const code = ec2ErrorCode(error);
    if (code === 'ResourceLimitExceeded') {
      throw new CopyLimitExceededError(`${copy.region}: ${code}: ${(error as Error).message}`);
    }
    if (code === 'InvalidSnapshot.NotFound') throw new SourceGone();
    throw translateEc2Error(error);
  }
}

/** This run's snapshot, the copy's source, no longer exists: see `supersededOrMissing`. */
class SourceGone extends Error {}

/**
 * The source is gone, so no retry can copy it. If an overlapping run made a newer completed
 * snapshot of the volume since, that run's retention deleted ours, as it should have (SPEC
 * §6.3): superseded, not failed, and that run copies its own. Otherwise (a person deleted it)
 * the copy fails for this region, and older copies are kept.
 */
async function supersededOrMissing(
  deps: CopySnapshotDeps,
  task: CopyTask,
  clock: BackoffClock,
): Promise<SupersededCopy> {
  const { copy, runId } = task;
  const home = withThrottleRetries(deps.ec2In(deps.region), clock, LISTING_THROTTLE_BUDGET_MS);
  const family = await listManagedSnapshots(home, { managedBy: deps.managedBy, volumeId: copy.volumeId });
  const newer = newerGeneration(
    family,
    { runId, since: copy.source.startTime },
    (s) => s.tags[SnapshotTag.runId],
  );
  if (newer) {
    return {
      volumeId: copy.volumeId,
      region: copy.region,
      sourceSnapshotId: copy.source.snapshotId,
      supersededBy: newer.snapshotId,
    };
  }
  throw new SnapshotNotCompletedError(
    copy.volumeId,
    'missing',
    `${copy.volumeId}: snapshot ${copy.source.snapshotId} of this run no longer exists in ${copy.source.region} and no newer completed snapshot replaces it; no copy in ${copy.region}, older copies kept`,
  );
}
