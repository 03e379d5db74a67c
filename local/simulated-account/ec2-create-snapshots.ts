import type { CreateSnapshotsRequest, CreateSnapshotsResult, SnapshotInfo, Tag } from '@aws-sdk/client-ec2';
import { checkConcurrentSnapshots } from './concurrent-snapshots';
import { ec2Error } from './ec2-errors';
import { checkSnapshotInterval, validDescription } from './ec2-mutations';
import type { InstanceRecord, SnapshotRecord, VolumeRecord } from './ec2-records';
import type { Ec2State } from './ec2-state';
import { copyTags, mergedTags, tagsAtCreation, validatedTags } from './ec2-tags';

// CreateSnapshots as EC2 answers it: one crash-consistent set of snapshots of an instance's
// attached EBS volumes. Sources, unless a line says otherwise:
// API reference https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSnapshots.html
// (and InstanceSpecification, SnapshotInfo beside it), error codes
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html, the user guide's
// "Multi-volume snapshots" https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ebs-creating-snapshot.html.

/** InstanceSpecification.ExcludeDataVolumeIds: "You can specify up to 40 volume IDs per request." */
const MAX_EXCLUDED_VOLUMES = 40;
/** "Multi-volume snapshots support up to 40 EBS volumes per instance." (user guide). */
const MAX_VOLUMES_PER_SET = 40;
/** InvalidInstanceID.Malformed: "in the form i-xxxxxxxx or i-xxxxxxxxxxxxxxxxx". */
const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

/**
 * Makes one snapshot of each EBS volume attached to the instance and not excluded, all started at
 * one and the same moment ("Time this snapshot was started. This is the same for all snapshots
 * initiated by the same request", SnapshotInfo.StartTime) and managed as one set (Ec2State
 * .newSnapshotSet). Everything is checked before anything is made, so a refused call leaves no
 * snapshot, as for CreateSnapshot:
 * - InstanceSpecification.InstanceId is required (`MissingParameter`); an id EC2 does not know is
 *   `InvalidInstanceID.NotFound`, or `InvalidInstanceID.Malformed` when it is not even an id.
 * - An instance `terminated` or `shutting-down` is refused with `IncorrectInstanceState` ("The
 *   instance is in an incorrect state for the requested action"). Assumption: the API reference
 *   names no error for this case; its volumes are going or gone, so EC2 cannot take the set.
 * - ExcludeBootVolume leaves out the volume on the root device. ExcludeDataVolumeIds: at most 40;
 *   naming the root volume fails the request ("If you specify the ID of the root volume, the
 *   request fails. To exclude the root volume, use ExcludeBootVolume"), answered here, like an ID
 *   that is no data volume of this instance, with `InvalidParameterValue` (assumption: the code is
 *   not documented; refusing is the strict reading, since the caller's view of the instance is
 *   then out of date).
 * - Nothing left to snapshot (every volume excluded, or none attached) is `InvalidParameterValue`
 *   too (assumption, as above); more than 40 volumes is refused likewise.
 * - Description: "A description propagated to every snapshot specified by the instance", at most
 *   255 characters as for CreateSnapshot. TagSpecifications: "Tags to apply to every snapshot
 *   specified by the instance", ResourceType `snapshot` only, validated like CreateSnapshot's.
 * - CopyTagsFromSource `volume` (its only valid value) "Copies the tags from the specified volume
 *   to corresponding snapshot": each snapshot gets its own volume's tags, then the request's tags
 *   on top (assumption: where a key is in both, the request's value is kept, as a key given
 *   twice to CreateTags keeps the last). Past 50 tags on any snapshot: `TagLimitExceeded`.
 * - Per volume, EBS's own rules for a new snapshot hold whichever API asks for it: the limit of
 *   snapshots in progress (`ConcurrentSnapshotLimitExceeded`) and the 15 s between snapshots of
 *   one volume (`SnapshotCreationPerVolumeRateExceeded`: "The rate limit for creating concurrent
 *   snapshots of an EBS volume has been exceeded. Wait at least 15 seconds between concurrent
 *   volume snapshots"). One volume over either refuses the whole set.
 * The answer lists each snapshot as SnapshotInfo, `pending` like CreateSnapshot's answer.
 */
export function createSnapshots(state: Ec2State, input: CreateSnapshotsRequest): CreateSnapshotsResult {
  const spec = input.InstanceSpecification;
  const instanceId = spec?.InstanceId;
  if (!instanceId) throw missing('InstanceSpecification.InstanceId');
  const description = validDescription(input.Description);
  const requestTags = validatedTags(tagsAtCreation(input.TagSpecifications, 'snapshot'));
  const copyVolumeTags = copyTagsFromSource(input.CopyTagsFromSource);
  const instance = existingInstance(state, instanceId);
  const volumes = selectedVolumes(
    state,
    instance,
    spec.ExcludeBootVolume === true,
    spec.ExcludeDataVolumeIds,
  );
  const members = volumes.map((volume) => ({
    volume,
    description,
    tags: mergedTags(copyVolumeTags ? volume.tags : [], requestTags),
  }));
  for (const { volume } of members) {
    checkSnapshotInterval(state, volume.volumeId);
    checkConcurrentSnapshots(state, volume);
  }
  const snapshots = state.newSnapshotSet(instanceId, members);
  for (const snapshot of snapshots) state.lastSnapshotAt.set(snapshot.volumeId, snapshot.startTime);
  return { Snapshots: snapshots.map(toSnapshotInfo) };
}

function copyTagsFromSource(value: string | undefined): boolean {
  if (value === undefined) return false;
  if (value !== 'volume') {
    throw ec2Error(
      'InvalidParameterValue',
      `Value (${value}) for parameter CopyTagsFromSource is invalid. Valid values: volume`,
    );
  }
  return true;
}

function existingInstance(state: Ec2State, instanceId: string): InstanceRecord {
  const instance = state.instances.get(instanceId);
  if (!instance) {
    // A seeded instance may carry any id a test chose; an unknown one is checked for its form.
    if (!INSTANCE_ID.test(instanceId)) {
      throw ec2Error('InvalidInstanceID.Malformed', `Invalid id: "${instanceId}"`);
    }
    throw ec2Error('InvalidInstanceID.NotFound', `The instance ID '${instanceId}' does not exist`);
  }
  if (instance.state === 'terminated' || instance.state === 'shutting-down') {
    throw ec2Error(
      'IncorrectInstanceState',
      `The instance '${instanceId}' is not in a state from which its volumes can be snapshotted (${instance.state}).`,
    );
  }
  return instance;
}

/** The instance's attached volumes the request keeps, in device order (root first). */
function selectedVolumes(
  state: Ec2State,
  instance: InstanceRecord,
  excludeBoot: boolean,
  excludeData: readonly string[] | undefined,
): VolumeRecord[] {
  const excluded = excludeData ?? [];
  if (excluded.length > MAX_EXCLUDED_VOLUMES) {
    throw invalid(`ExcludeDataVolumeIds names ${excluded.length} volumes; at most ${MAX_EXCLUDED_VOLUMES}.`);
  }
  const attached = state
    .volumesAttachedTo(instance.instanceId)
    .map((volume) => ({ volume, device: deviceOn(volume, instance.instanceId) }))
    .sort(
      (a, b) =>
        rank(a.device, instance) - rank(b.device, instance) ||
        (a.device < b.device ? -1 : a.device > b.device ? 1 : 0),
    );
  const root = attached.find(({ device }) => device === instance.rootDeviceName)?.volume.volumeId;
  for (const volumeId of excluded) {
    if (volumeId === root) {
      throw invalid(`The root volume ${volumeId} cannot be excluded by ID; use ExcludeBootVolume.`);
    }
    if (!attached.some(({ volume }) => volume.volumeId === volumeId)) {
      throw invalid(`The volume ${volumeId} is not a data volume attached to ${instance.instanceId}.`);
    }
  }
  const kept = attached
    .filter(({ volume }) => !(excludeBoot && volume.volumeId === root) && !excluded.includes(volume.volumeId))
    .map(({ volume }) => volume);
  if (kept.length === 0) throw invalid(`No volume of ${instance.instanceId} is left to snapshot.`);
  if (kept.length > MAX_VOLUMES_PER_SET) {
    throw invalid(`A multi-volume snapshot set takes at most ${MAX_VOLUMES_PER_SET} volumes.`);
  }
  return kept;
}

/** The root device sorts first, then the others by name (the order the set is answered in). */
function rank(device: string, instance: InstanceRecord): number {
  return device === instance.rootDeviceName ? 0 : 1;
}

function deviceOn(volume: VolumeRecord, instanceId: string): string {
  return volume.attachments.find((attachment) => attachment.instanceId === instanceId)?.device ?? '';
}

function toSnapshotInfo(snapshot: SnapshotRecord): SnapshotInfo {
  const tags: Tag[] = copyTags(snapshot.tags);
  return {
    SnapshotId: snapshot.snapshotId,
    VolumeId: snapshot.volumeId,
    VolumeSize: snapshot.volumeSize,
    // EC2 answers a new snapshot as pending, however fast it completes (as CreateSnapshot does).
    State: 'pending',
    Progress: '0%',
    StartTime: new Date(snapshot.startTime),
    Description: snapshot.description,
    OwnerId: snapshot.ownerId,
    Encrypted: snapshot.encrypted,
    ...(tags.length > 0 && { Tags: tags }),
  };
}

function missing(parameter: string): Error {
  return ec2Error('MissingParameter', `The request must contain the parameter ${parameter}`);
}

function invalid(message: string): Error {
  return ec2Error('InvalidParameterValue', message);
}
