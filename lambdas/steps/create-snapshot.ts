import { CreateSnapshotCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ec2Call } from '../aws/ec2-errors';
import { listManagedSnapshots } from '../aws/snapshot-queries';
import { snapshotTags } from '../core/snapshot-tags';
import type { VolumeTask } from '../core/work-item';

export interface CreateSnapshotDeps {
  ec2: EC2Client;
  managedBy: string;
}

export interface CreatedSnapshot {
  volumeId: string;
  snapshotId: string;
  state: string;
  /** True when an earlier attempt of this execution had already created it. */
  reused: boolean;
}

/**
 * Creates this run's snapshot of one volume (SPEC §2). EC2 CreateSnapshot has no client
 * token, so idempotency comes from the execution tag: on a retry or a redrive, when an
 * earlier attempt may have taken effect without us seeing the answer, look for this
 * execution's snapshot of the volume first. A first attempt costs exactly one API call.
 */
export async function createVolumeSnapshot(
  deps: CreateSnapshotDeps,
  task: VolumeTask,
): Promise<CreatedSnapshot> {
  const { volume, executionName } = task;
  const mayAlreadyExist = (task.retryCount ?? 0) > 0 || (task.redriveCount ?? 0) > 0;
  if (mayAlreadyExist) {
    const [existing] = await listManagedSnapshots(deps.ec2, {
      managedBy: deps.managedBy,
      volumeId: volume.volumeId,
      executionName,
    });
    if (existing) {
      return {
        volumeId: volume.volumeId,
        snapshotId: existing.snapshotId,
        state: existing.state,
        reused: true,
      };
    }
  }
  const created = await ec2Call(
    () =>
      deps.ec2.send(
        new CreateSnapshotCommand({
          VolumeId: volume.volumeId,
          Description: volume.description,
          TagSpecifications: [
            {
              ResourceType: 'snapshot',
              Tags: snapshotTags({ managedBy: deps.managedBy, executionName, ...volume }),
            },
          ],
        }),
      ),
    { volumeId: volume.volumeId },
  );
  return {
    volumeId: volume.volumeId,
    snapshotId: created.SnapshotId ?? '',
    state: created.State ?? 'pending',
    reused: false,
  };
}
