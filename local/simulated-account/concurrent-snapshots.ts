import { ec2Error } from './ec2-errors';
import { SIMULATED_ACCOUNT_ID, type VolumeRecord, type VolumeTypeName } from './ec2-records';
import type { Ec2State } from './ec2-state';
import { snapshotState } from './snapshot-lifecycle';

/**
 * EBS's limit of snapshots in progress per volume: five for most volume types, one for st1 and
 * sc1 ("A single gp2, io1, io2, or Magnetic volume can have up to five concurrent pending
 * snapshots. A single st1 or sc1 volume can have one pending snapshot",
 * https://repost.aws/knowledge-center/ebs-snapshot-stuck; gp3 as the other SSDs). Snapshots in
 * state `error` count against it too: EC2's error code list says of
 * `ConcurrentSnapshotLimitExceeded` to wait for the pending ones and to check for snapshots in an
 * incomplete state such as `error`, "which count against your concurrent snapshot limit"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html). Not modelled:
 * a pending snapshot deleted before it completes, which EBS goes on counting until it would have.
 */
export function concurrentSnapshotLimit(volumeType: VolumeTypeName): number {
  return volumeType === 'st1' || volumeType === 'sc1' ? 1 : 5;
}

/** Refuses a new snapshot of the volume, as CreateSnapshot does, when it is at its limit. */
export function checkConcurrentSnapshots(state: Ec2State, volume: VolumeRecord): void {
  const now = state.now();
  let counted = 0;
  for (const snapshotId of state.snapshotIndex.ofVolume(volume.volumeId)) {
    const snapshot = state.snapshots.get(snapshotId);
    // Another account's snapshot shared with this one is not of this account's volume.
    if (snapshot?.ownerId !== SIMULATED_ACCOUNT_ID) continue;
    if (snapshotState(snapshot, now) !== 'completed') counted += 1;
  }
  if (counted >= concurrentSnapshotLimit(volume.volumeType)) {
    // EC2's own message for this code, as its answers show it.
    throw ec2Error(
      'ConcurrentSnapshotLimitExceeded',
      'Maximum allowed in-progress snapshots for a single volume exceeded.',
    );
  }
}
