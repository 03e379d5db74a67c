import { CreateSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { CallPace, type EnvironmentPace } from '../aws/call-pace';
import { ec2Call } from '../aws/ec2-errors';
import { type BackoffClock, realSleep, retryThrottled } from '../aws/throttle-backoff';
import { THROTTLE_BUDGET_MS } from '../commons/function-limits';
import type { CreatedSnapshot } from '../contracts/run-documents';
import type { VolumeTask } from '../contracts/work-items';
import { snapshotTags } from '../core/snapshot-tags';
import { runSnapshotOnReentry } from './confirm-created';

export interface CreateSnapshotDeps {
  ec2: EC2Client;
  managedBy: string;
  /** Timers for retrying throttled calls in the invocation; default the process's. */
  clock?: BackoffClock;
  /**
   * The pace of CreateSnapshot calls: each child spends at least this long per call, so that the
   * fan-out stays within the deployment's share of EC2's bucket (`callIntervalMs`, `CallPace`).
   * Absent: unpaced.
   */
  callIntervalMs?: number;
  /** The execution environment's memory of its last invocation (module level in the handler). */
  environmentPace?: EnvironmentPace;
}

/**
 * Creates this run's snapshot of one volume, exactly once (SPEC §2, §2.3). EC2 CreateSnapshot
 * has no client token, so idempotency comes from the run's key, a tag unique to this execution,
 * and from where the definition sends each kind of failure:
 * - A request EC2 refused (throttled, the per-volume rate) created nothing: it is retried, in
 *   the invocation (throttling) or by the declared Retry, with no look-up.
 * - An attempt whose outcome is unknown (a lost response, a timed-out request or invocation, a
 *   Lambda service error) is never retried here: the definition catches it into ConfirmSnapshot,
 *   which looks for the run's snapshot until the listing has had LISTING_LAG_TOLERANCE_MS to
 *   show it (`confirmSince`), and only then, having found none, comes back with
 *   `absenceConfirmed`.
 * - A redriven child (`redriveCount` > 0; e.g. its parent was stopped while an invocation ran
 *   on, which the stop does not cancel) may follow such an attempt: it looks once, and if
 *   nothing is listed yet, leaves the deciding to ConfirmSnapshot (`SnapshotOutcomeUnknown`).
 * A first attempt costs exactly one API call. CreateSnapshot calls are paced (`callIntervalMs`): a
 * quick invocation waits out its interval before it returns, on every path that made a call.
 */
export async function createVolumeSnapshot(
  deps: CreateSnapshotDeps,
  task: VolumeTask,
): Promise<CreatedSnapshot> {
  const clock = deps.clock ?? { now: Date.now, sleep: realSleep };
  const pace = new CallPace(deps.callIntervalMs ?? 0, clock, deps.environmentPace);
  try {
    return await createOnce(deps, task, clock, pace);
  } finally {
    await pace.finish();
  }
}

/** The look-up on re-entry, or the paced CreateSnapshot. */
async function createOnce(
  deps: CreateSnapshotDeps,
  task: VolumeTask,
  clock: BackoffClock,
  pace: CallPace,
): Promise<CreatedSnapshot> {
  const { volume, runId } = task;
  const query = { managedBy: deps.managedBy, volumeId: volume.volumeId, runId };
  const what = `this run's snapshot of ${volume.volumeId}`;
  const existing = await runSnapshotOnReentry(deps.ec2, query, task, clock, what);
  if (existing) {
    return {
      volumeId: volume.volumeId,
      snapshotId: existing.snapshotId,
      state: existing.state,
      startTime: existing.startTime,
      reused: true,
    };
  }
  const created = await retryThrottled(
    () =>
      pace.paced(() =>
        ec2Call(
          () =>
            deps.ec2.send(
              new CreateSnapshotCommand({
                VolumeId: volume.volumeId,
                Description: volume.description,
                TagSpecifications: [
                  {
                    ResourceType: 'snapshot',
                    Tags: snapshotTags({
                      managedBy: deps.managedBy,
                      executionName: task.executionName,
                      runId,
                      ...volume,
                    }),
                  },
                ],
              }),
            ),
          { volumeId: volume.volumeId },
        ),
      ),
    clock,
    THROTTLE_BUDGET_MS,
  );
  return {
    volumeId: volume.volumeId,
    snapshotId: created.SnapshotId ?? '',
    state: created.State ?? 'pending',
    startTime: created.StartTime ? new Date(created.StartTime).getTime() : clock.now(),
    reused: false,
  };
}
