import { CreateSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ec2Call } from '../aws/ec2-errors';
import { listManagedSnapshots } from '../aws/snapshot-queries';
import { type BackoffClock, realSleep, retryThrottled } from '../aws/throttle-backoff';
import type { CreatedSnapshot } from '../contracts/run-documents';
import type { VolumeTask } from '../contracts/work-items';
import { snapshotTags } from '../core/snapshot-tags';

export interface CreateSnapshotDeps {
  ec2: EC2Client;
  managedBy: string;
  /** Timers for retrying throttled calls in the invocation; default the process's. */
  clock?: BackoffClock;
}

/**
 * How long an invocation retries throttled calls itself before handing over to the declared
 * Retry. Long enough that a fan-out queueing on CreateSnapshot's bucket rarely hands over (a
 * declared retry costs a transition and a look-up, since it cannot tell a throttle from a lost
 * response); inside the function's timeout (45 s) with a look-up (10 s) and a last create call
 * started just before the budget ends (10 s).
 */
export const THROTTLE_BUDGET_MS = 20_000;

/**
 * Creates this run's snapshot of one volume (SPEC §2). EC2 CreateSnapshot has no client
 * token, so idempotency comes from the run's key, a tag unique to this execution: whenever an
 * earlier attempt may have taken effect without us seeing the answer, look for the run's
 * snapshot of the volume first. Every re-entry Step Functions can produce shows in the task's
 * input: a Retry (after a lost response, a request timeout or a Lambda timeout) has
 * `$$.State.RetryCount` > 0, and a redriven child execution — e.g. after its parent was
 * stopped or timed out while this invocation was still running, which the stop does not
 * cancel — has its own `$$.Execution.RedriveCount` > 0. A first attempt costs exactly one API
 * call. A request EC2 throttled created nothing: it is retried in the invocation, with no
 * look-up and no transition (see `retryThrottled`).
 */
export async function createVolumeSnapshot(
  deps: CreateSnapshotDeps,
  task: VolumeTask,
): Promise<CreatedSnapshot> {
  const { volume, executionName, runId } = task;
  const clock = deps.clock ?? { now: Date.now, sleep: realSleep };
  const paced = <T>(call: () => Promise<T>) => retryThrottled(call, clock, THROTTLE_BUDGET_MS);
  const mayAlreadyExist = (task.retryCount ?? 0) > 0 || (task.redriveCount ?? 0) > 0;
  if (mayAlreadyExist) {
    const [existing] = await paced(() =>
      listManagedSnapshots(deps.ec2, { managedBy: deps.managedBy, volumeId: volume.volumeId, runId }),
    );
    if (existing) {
      return {
        volumeId: volume.volumeId,
        snapshotId: existing.snapshotId,
        state: existing.state,
        startTime: existing.startTime,
        reused: true,
      };
    }
  }
  const created = await paced(() =>
    ec2Call(
      () =>
        deps.ec2.send(
          new CreateSnapshotCommand({
            VolumeId: volume.volumeId,
            Description: volume.description,
            TagSpecifications: [
              {
                ResourceType: 'snapshot',
                Tags: snapshotTags({ managedBy: deps.managedBy, executionName, runId, ...volume }),
              },
            ],
          }),
        ),
      { volumeId: volume.volumeId },
    ),
  );
  return {
    volumeId: volume.volumeId,
    snapshotId: created.SnapshotId ?? '',
    state: created.State ?? 'pending',
    startTime: created.StartTime ? new Date(created.StartTime).getTime() : Date.now(),
    reused: false,
  };
}
