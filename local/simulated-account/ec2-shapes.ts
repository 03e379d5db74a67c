import type {
  Instance,
  InstanceStateName,
  PlatformValues,
  Reservation,
  Snapshot,
  Tag,
  Volume,
} from '@aws-sdk/client-ec2';
import {
  type InstanceRecord,
  SIMULATED_ACCOUNT_ID,
  type SnapshotRecord,
  type VolumeRecord,
} from './ec2-records';
import { copyTags } from './ec2-tags';
import { snapshotProgress, snapshotState } from './snapshot-lifecycle';

// EC2's numeric codes for instance states (the low byte of State.Code).
const STATE_CODES: Readonly<Record<InstanceStateName, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

// EC2 leaves `tagSet` out of a response when a resource has no tags, and the SDK then gives
// `Tags: undefined`, not `[]`: product code must cope, so the simulator does the same.
function tagsOrNothing(tags: readonly Tag[]): { Tags?: Tag[] } {
  return tags.length > 0 ? { Tags: copyTags(tags) } : {};
}

// EC2 names the key only of an encrypted resource.
function encryptionOf(resource: { encrypted: boolean; kmsKeyId: string | undefined }) {
  return resource.encrypted ? { Encrypted: true, KmsKeyId: resource.kmsKeyId } : { Encrypted: false };
}

/** One reservation per instance: EC2 groups instances by launch request, and one each is valid. */
export function toReservation(instance: InstanceRecord, attached: readonly VolumeRecord[]): Reservation {
  return {
    ReservationId: `r-${instance.instanceId.slice('i-'.length)}`,
    OwnerId: SIMULATED_ACCOUNT_ID,
    Instances: [toInstance(instance, attached)],
  };
}

export function toInstance(instance: InstanceRecord, attached: readonly VolumeRecord[]): Instance {
  const mappings = attached.flatMap((volume) =>
    volume.attachments
      .filter((attachment) => attachment.instanceId === instance.instanceId)
      .map((attachment) => ({
        DeviceName: attachment.device,
        Ebs: {
          VolumeId: volume.volumeId,
          Status: 'attached' as const,
          AttachTime: new Date(attachment.attachTime),
          DeleteOnTermination: attachment.deleteOnTermination,
        },
      })),
  );
  mappings.sort((a, b) => (a.DeviceName < b.DeviceName ? -1 : a.DeviceName > b.DeviceName ? 1 : 0));
  return {
    InstanceId: instance.instanceId,
    InstanceType: 't3.micro',
    LaunchTime: new Date(instance.launchTime),
    Placement: { AvailabilityZone: instance.availabilityZone },
    State: { Name: instance.state, Code: STATE_CODES[instance.state] },
    RootDeviceType: 'ebs',
    RootDeviceName: instance.rootDeviceName,
    BlockDeviceMappings: mappings,
    // EC2 answers `windows` for Windows and nothing otherwise; the SDK's enum spells it `Windows`.
    ...(instance.platform === 'windows' && { Platform: 'windows' as PlatformValues }),
    PlatformDetails: instance.platform === 'windows' ? 'Windows' : 'Linux/UNIX',
    ...tagsOrNothing(instance.tags),
  };
}

export function toVolume(volume: VolumeRecord): Volume {
  return {
    VolumeId: volume.volumeId,
    Size: volume.sizeGiB,
    VolumeType: volume.volumeType,
    ...(volume.iops !== undefined && { Iops: volume.iops }),
    ...(volume.throughput !== undefined && { Throughput: volume.throughput }),
    // EC2 answers an empty snapshot ID for a volume not created from one.
    SnapshotId: volume.snapshotId ?? '',
    AvailabilityZone: volume.availabilityZone,
    CreateTime: new Date(volume.createTime),
    ...encryptionOf(volume),
    State: volume.attachments.length > 0 ? 'in-use' : 'available',
    MultiAttachEnabled: volume.multiAttachEnabled,
    Attachments: volume.attachments.map((attachment) => ({
      InstanceId: attachment.instanceId,
      VolumeId: volume.volumeId,
      Device: attachment.device,
      State: 'attached' as const,
      AttachTime: new Date(attachment.attachTime),
      DeleteOnTermination: attachment.deleteOnTermination,
    })),
    ...tagsOrNothing(volume.tags),
  };
}

export function toSnapshot(snapshot: SnapshotRecord, now: number): Snapshot {
  return {
    SnapshotId: snapshot.snapshotId,
    VolumeId: snapshot.volumeId,
    VolumeSize: snapshot.volumeSize,
    State: snapshotState(snapshot, now),
    Progress: snapshotProgress(snapshot, now),
    StartTime: new Date(snapshot.startTime),
    Description: snapshot.description,
    OwnerId: snapshot.ownerId,
    ...encryptionOf(snapshot),
    ...(snapshot.stateMessage !== undefined && { StateMessage: snapshot.stateMessage }),
    StorageTier: 'standard',
    ...tagsOrNothing(snapshot.tags),
  };
}
