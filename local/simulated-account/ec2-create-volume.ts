import type { CreateVolumeRequest, Volume } from '@aws-sdk/client-ec2';
import { DEFAULT_VOLUME_TYPE, volumePerformance } from './ebs-volume-types';
import { ec2Error } from './ec2-errors';
import type { VolumeRecord, VolumeTypeName } from './ec2-records';
import { toVolume } from './ec2-shapes';
import type { Ec2State } from './ec2-state';
import { mergedTags, tagsAtCreation, validatedTags } from './ec2-tags';
import { snapshotState } from './snapshot-lifecycle';

/**
 * CreateVolume as EC2 answers it: in a zone of the Region, empty (Size) or from a snapshot (which
 * must exist and be `completed`; Size defaults to the snapshot's and may not be smaller), with
 * the type's limits on size, IOPS and throughput, tags applied at creation, and ClientToken
 * idempotency (the same token and request return the same volume; the same token with another
 * request is refused). Everything is checked before anything is made. The answer says
 * `creating`; the volume is `available` from the next Describe on.
 */
export function createVolume(state: Ec2State, input: CreateVolumeRequest): Volume {
  const request = fingerprint(input);
  const earlier = input.ClientToken === undefined ? undefined : state.volumeTokens.get(input.ClientToken);
  if (earlier) {
    if (earlier.request !== request) {
      throw ec2Error(
        'IdempotentParameterMismatch',
        'The client token you have provided is associated with a resource that has different parameters.',
      );
    }
    const volume = state.volumes.get(earlier.volumeId);
    if (volume) return toVolume(volume);
  }
  const availabilityZone = zoneOf(state, input);
  const snapshot = input.SnapshotId === undefined ? undefined : completedSnapshot(state, input.SnapshotId);
  if (snapshot === undefined && input.Size === undefined) {
    throw ec2Error('MissingParameter', 'The request must contain the parameter size or snapshotId');
  }
  const sizeGiB = input.Size ?? (snapshot?.volumeSize as number);
  if (snapshot && sizeGiB < snapshot.volumeSize) {
    throw ec2Error(
      'InvalidParameterValue',
      `Volume of size ${sizeGiB}GB is smaller than snapshot '${snapshot.snapshotId}', expect size >= ${snapshot.volumeSize}GB`,
    );
  }
  const volumeType = (input.VolumeType ?? DEFAULT_VOLUME_TYPE) as VolumeTypeName;
  const performance = volumePerformance(volumeType, sizeGiB, {
    iops: input.Iops,
    throughput: input.Throughput,
  });
  const tags = mergedTags([], validatedTags(tagsAtCreation(input.TagSpecifications, 'volume')));
  const volume: VolumeRecord = {
    volumeId: state.unusedId('vol', state.volumes),
    sizeGiB,
    availabilityZone,
    volumeType,
    ...performance,
    snapshotId: snapshot?.snapshotId,
    // A volume restored from an encrypted snapshot is encrypted with its key
    // (https://docs.aws.amazon.com/ebs/latest/userguide/how-ebs-encryption-works.html). The
    // request's own Encrypted and KmsKeyId are not simulated.
    encrypted: snapshot?.encrypted ?? false,
    kmsKeyId: snapshot?.kmsKeyId,
    tags,
    attachments: [],
    multiAttachEnabled: false,
    createTime: state.now(),
  };
  state.volumes.set(volume.volumeId, volume);
  if (input.ClientToken !== undefined) {
    state.volumeTokens.set(input.ClientToken, { volumeId: volume.volumeId, request });
  }
  return { ...toVolume(volume), State: 'creating' };
}

function zoneOf(state: Ec2State, input: CreateVolumeRequest): string {
  const zone = input.AvailabilityZone;
  if (zone === undefined)
    throw ec2Error('MissingParameter', 'The request must contain the parameter availabilityZone');
  if (!state.availabilityZones.includes(zone)) {
    throw ec2Error('InvalidParameterValue', `Invalid availability zone: [${zone}]`);
  }
  return zone;
}

function completedSnapshot(state: Ec2State, snapshotId: string) {
  const snapshot = state.snapshots.get(snapshotId);
  if (!snapshot) throw ec2Error('InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`);
  const current = snapshotState(snapshot, state.now());
  if (current !== 'completed') {
    throw ec2Error('IncorrectState', `Snapshot '${snapshotId}' is in invalid state - ${current}`);
  }
  return snapshot;
}

/** What makes two requests with one ClientToken the same request. */
function fingerprint(input: CreateVolumeRequest): string {
  const { ClientToken: _token, DryRun: _dryRun, ...request } = input;
  return JSON.stringify(request);
}
