import type {
  CreateSnapshotRequest,
  CreateTagsRequest,
  DeleteSnapshotRequest,
  Snapshot,
} from '@aws-sdk/client-ec2';
import { checkConcurrentSnapshots } from './concurrent-snapshots';
import { ec2Error } from './ec2-errors';
import {
  type InstanceRecord,
  SIMULATED_ACCOUNT_ID,
  type SnapshotRecord,
  type VolumeRecord,
} from './ec2-records';
import { toSnapshot } from './ec2-shapes';
import type { Ec2State } from './ec2-state';
import { mergedTags, tagsAtCreation, validatedTags } from './ec2-tags';

// The actions that change the account: CreateSnapshot, DeleteSnapshot, CreateTags (and
// CreateVolume, in its own file). Each checks everything before changing anything, so a refused
// call leaves no trace, as in EC2.

const MAX_DESCRIPTION_LENGTH = 255;
/** EBS refuses a second snapshot of one volume within 15 s of the previous one. */
export const PER_VOLUME_SNAPSHOT_INTERVAL_MS = 15_000;

export function createSnapshot(state: Ec2State, input: CreateSnapshotRequest): Snapshot {
  const volumeId = required(input.VolumeId, 'volumeId');
  const description = validDescription(input.Description);
  const tags = mergedTags([], validatedTags(tagsAtCreation(input.TagSpecifications, 'snapshot')));
  const volume = state.volumes.get(volumeId);
  if (!volume) throw ec2Error('InvalidVolume.NotFound', `The volume '${volumeId}' does not exist.`);
  checkSnapshotInterval(state, volumeId);
  checkConcurrentSnapshots(state, volume);
  const snapshot = state.newSnapshot(volume, description, tags);
  state.lastSnapshotAt.set(volumeId, snapshot.startTime);
  // EC2 always answers CreateSnapshot with a pending snapshot, however fast it completes.
  return { ...toSnapshot(snapshot, snapshot.startTime), State: 'pending', Progress: '0%' };
}

/** Refuses a snapshot of the volume within 15 s of its last one, as EBS does. */
export function checkSnapshotInterval(state: Ec2State, volumeId: string): void {
  const previous = state.lastSnapshotAt.get(volumeId);
  if (previous !== undefined && state.now() - previous < PER_VOLUME_SNAPSHOT_INTERVAL_MS) {
    throw ec2Error(
      'SnapshotCreationPerVolumeRateExceeded',
      'The maximum per volume CreateSnapshot request rate has been exceeded. Use an increasing or variable sleep interval between requests.',
    );
  }
}

export function deleteSnapshot(state: Ec2State, input: DeleteSnapshotRequest): Record<string, never> {
  const snapshot = ownSnapshot(state, required(input.SnapshotId, 'snapshotId'));
  if (snapshot.usedByImage) {
    throw ec2Error(
      'InvalidSnapshot.InUse',
      `The snapshot ${snapshot.snapshotId} is currently in use by ${snapshot.usedByImage}`,
    );
  }
  state.deleteSnapshot(snapshot);
  return {};
}

export function createTags(state: Ec2State, input: CreateTagsRequest): Record<string, never> {
  const resources = input.Resources ?? [];
  if (resources.length === 0) throw missingParameter('resourceIdSet');
  const changes = validatedTags(input.Tags ?? []);
  const targets = resources.map((id) => taggable(state, id));
  const updated = targets.map((target) => mergedTags(target.tags, changes));
  targets.forEach((target, i) => {
    state.retag(target, updated[i]);
  });
  return {};
}

function ownSnapshot(state: Ec2State, snapshotId: string): SnapshotRecord {
  const snapshot = state.snapshots.get(snapshotId);
  if (!snapshot) throw ec2Error('InvalidSnapshot.NotFound', `The snapshot '${snapshotId}' does not exist.`);
  if (snapshot.ownerId !== SIMULATED_ACCOUNT_ID) {
    throw ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
  }
  return snapshot;
}

function taggable(state: Ec2State, id: string): InstanceRecord | VolumeRecord | SnapshotRecord {
  if (id.startsWith('snap-')) return ownSnapshot(state, id);
  if (id.startsWith('vol-')) {
    const volume = state.volumes.get(id);
    if (!volume) throw ec2Error('InvalidVolume.NotFound', `The volume '${id}' does not exist.`);
    return volume;
  }
  if (id.startsWith('i-')) {
    const instance = state.instances.get(id);
    if (!instance) throw ec2Error('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return instance;
  }
  throw ec2Error('InvalidID', `The ID '${id}' is not valid`);
}

/** A snapshot's description as asked (default empty), refused past EC2's 255 characters. */
export function validDescription(requested: string | undefined): string {
  const description = requested ?? '';
  if (description.length > MAX_DESCRIPTION_LENGTH) {
    throw ec2Error(
      'InvalidParameterValue',
      `Value (${description}) for parameter description is invalid. Length exceeds maximum of ${MAX_DESCRIPTION_LENGTH}.`,
    );
  }
  return description;
}

export function required(value: string | undefined, parameter: string): string {
  if (!value) throw missingParameter(parameter);
  return value;
}

function missingParameter(parameter: string): Error {
  return ec2Error('MissingParameter', `The request must contain the parameter ${parameter}`);
}
