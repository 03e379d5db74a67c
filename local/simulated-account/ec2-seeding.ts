import type { InstanceStateName } from '@aws-sdk/client-ec2';
import { volumePerformance } from './ebs-volume-types';
import {
  SIMULATED_ACCOUNT_ID,
  type SnapshotStateName,
  type VolumeRecord,
  type VolumeTypeName,
} from './ec2-records';
import type { Ec2State } from './ec2-state';
import { type TagMap, tagsFromMap } from './ec2-tags';

// Building the account a test or demo starts from. Seeding bypasses the API (no faults, no
// throttling, no call counts) and its errors are plain ones: they are bugs in the test.

export interface VolumeSeed {
  readonly volumeId?: string;
  readonly tags?: TagMap;
  readonly sizeGiB?: number;
  /** Default the first zone (where seeded instances are). */
  readonly availabilityZone?: string;
  /** Default gp3, with its default IOPS and throughput unless given. */
  readonly volumeType?: VolumeTypeName;
  readonly iops?: number;
  readonly throughput?: number;
  /** Default true for the root device, false for the others, as EC2 launches them. */
  readonly deleteOnTermination?: boolean;
  /** Default false, or true when `kmsKeyId` is given. */
  readonly encrypted?: boolean;
  /** A key of the volume's Region (ARN, key id or alias); default the Region's default EBS key. */
  readonly kmsKeyId?: string;
}

export interface InstanceSeed {
  readonly instanceId?: string;
  /** Shorthand for a `Name` tag. */
  readonly name?: string;
  readonly tags?: TagMap;
  readonly state?: InstanceStateName;
  /** Volumes attached in order (the first is the root device); default one 8 GiB root volume. */
  readonly volumes?: readonly VolumeSeed[];
  /** `windows`: EC2 answers `Platform: 'windows'`, and the devices are named as on Windows AMIs. Default Linux. */
  readonly platform?: 'windows';
}

export interface SeededInstance {
  readonly instanceId: string;
  readonly volumeIds: string[];
}

export interface SnapshotSeed {
  readonly volumeId: string;
  readonly description?: string;
  readonly tags?: TagMap;
  /** Default `completed`; a seeded state holds until completeSnapshot/failSnapshot changes it. */
  readonly state?: SnapshotStateName;
  /** Default now. */
  readonly startTime?: Date | number;
  /** Default this account; another id makes a snapshot shared with it by someone else. */
  readonly ownerId?: string;
  /** Default the volume's size. */
  readonly volumeSize?: number;
  /** Default the volume's encryption (unencrypted when the volume is unknown here). */
  readonly encrypted?: boolean;
  /** Key of an encrypted snapshot, as for VolumeSeed; default the volume's, else the Region's default key. */
  readonly kmsKeyId?: string;
}

const DEFAULT_VOLUME_SIZE_GIB = 8;
const DATA_LETTERS = [...'fghijklmnopqrstuvwxyz'];

/**
 * Device names in the order EC2's console suggests them: the root device (Amazon Linux's
 * `/dev/xvda`, Windows AMIs' `/dev/sda1`), then `/dev/sdf`…`/dev/sdz` (`xvdf`…`xvdz` on Windows).
 * The first volume attached to an instance takes its root device.
 */
export function deviceNames(platform: 'windows' | undefined): string[] {
  return platform === 'windows'
    ? ['/dev/sda1', ...DATA_LETTERS.map((letter) => `xvd${letter}`)]
    : ['/dev/xvda', ...DATA_LETTERS.map((letter) => `/dev/sd${letter}`)];
}

export function seedInstance(state: Ec2State, seed: InstanceSeed): SeededInstance {
  const instanceId = freshId(state, seed.instanceId, 'i', state.instances);
  state.instances.set(instanceId, {
    instanceId,
    availabilityZone: state.availabilityZones[0],
    state: seed.state ?? 'running',
    tags: tagsFromMap({ ...(seed.name === undefined ? {} : { Name: seed.name }), ...seed.tags }),
    launchTime: state.now(),
    platform: seed.platform,
    rootDeviceName: deviceNames(seed.platform)[0],
  });
  const volumeIds = (seed.volumes ?? [{}]).map((volume) => seedVolume(state, { ...volume, instanceId }));
  return { instanceId, volumeIds };
}

export function seedVolume(state: Ec2State, seed: VolumeSeed & { readonly instanceId?: string }): string {
  const volumeId = freshId(state, seed.volumeId, 'vol', state.volumes);
  const sizeGiB = seed.sizeGiB ?? DEFAULT_VOLUME_SIZE_GIB;
  const volumeType = seed.volumeType ?? 'gp3';
  state.volumes.set(volumeId, {
    volumeId,
    sizeGiB,
    availabilityZone: seed.availabilityZone ?? state.availabilityZones[0],
    volumeType,
    ...volumePerformance(volumeType, sizeGiB, seed),
    snapshotId: undefined,
    ...seededEncryption(state, seed, undefined),
    tags: tagsFromMap(seed.tags),
    attachments: [],
    multiAttachEnabled: false,
    createTime: state.now(),
  });
  if (seed.instanceId !== undefined) attachVolume(state, volumeId, seed.instanceId, seed);
  return volumeId;
}

/** Attaches on the instance's next free device name. */
export function attachVolume(
  state: Ec2State,
  volumeId: string,
  instanceId: string,
  options: { readonly deleteOnTermination?: boolean },
): void {
  const volume = state.requireVolume(volumeId);
  const instance = state.requireInstance(instanceId);
  if (volume.attachments.some((attachment) => attachment.instanceId === instanceId)) {
    throw new Error(`Volume ${volumeId} is already attached to ${instanceId}`);
  }
  const used = new Set(
    state
      .volumesAttachedTo(instanceId)
      .flatMap((other) => other.attachments.filter((a) => a.instanceId === instanceId).map((a) => a.device)),
  );
  const device = deviceNames(instance.platform).find((name) => !used.has(name));
  if (!device) throw new Error(`Instance ${instanceId} has no free device name left`);
  state.attach(volume, {
    instanceId,
    device,
    attachTime: state.now(),
    deleteOnTermination: options.deleteOnTermination ?? device === instance.rootDeviceName,
  });
}

export function seedSnapshot(state: Ec2State, seed: SnapshotSeed): string {
  const snapshotId = state.ids.next('snap');
  state.addSnapshot({
    snapshotId,
    volumeId: seed.volumeId,
    volumeSize: seed.volumeSize ?? state.volumes.get(seed.volumeId)?.sizeGiB ?? DEFAULT_VOLUME_SIZE_GIB,
    description: seed.description ?? '',
    ownerId: seed.ownerId ?? SIMULATED_ACCOUNT_ID,
    startTime: seed.startTime === undefined ? state.now() : new Date(seed.startTime).getTime(),
    ...seededEncryption(state, seed, state.volumes.get(seed.volumeId)),
    stateMessage: undefined,
    tags: tagsFromMap(seed.tags),
    settlesAt: undefined,
    outcome: 'completed',
    forcedState: seed.state ?? 'completed',
    usedByImage: undefined,
    // History existed long before the test began: any lag has long passed.
    visibleAt: Number.NEGATIVE_INFINITY,
  });
  return snapshotId;
}

export function registerImage(state: Ec2State, snapshotId: string): string {
  const snapshot = state.requireSnapshot(snapshotId);
  if (snapshot.usedByImage) throw new Error(`Snapshot ${snapshotId} already backs ${snapshot.usedByImage}`);
  const imageId = state.ids.next('ami');
  snapshot.usedByImage = imageId;
  state.images.set(imageId, snapshotId);
  return imageId;
}

export function deregisterImage(state: Ec2State, imageId: string): void {
  const snapshotId = state.images.get(imageId);
  if (snapshotId === undefined) throw new Error(`No image ${imageId}`);
  state.images.delete(imageId);
  const snapshot = state.snapshots.get(snapshotId);
  if (snapshot) snapshot.usedByImage = undefined;
}

/**
 * The encryption a seed asks for, else the volume's (for a snapshot seed), else none. A key that
 * is not one of this Region's is a bug in the test.
 */
function seededEncryption(
  state: Ec2State,
  seed: { readonly encrypted?: boolean; readonly kmsKeyId?: string },
  volume: VolumeRecord | undefined,
): { encrypted: boolean; kmsKeyId: string | undefined } {
  const encrypted = seed.encrypted ?? (seed.kmsKeyId !== undefined || (volume?.encrypted ?? false));
  if (!encrypted) {
    if (seed.kmsKeyId !== undefined)
      throw new Error(`kmsKeyId ${seed.kmsKeyId} given for an unencrypted seed`);
    return { encrypted, kmsKeyId: undefined };
  }
  if (seed.kmsKeyId === undefined) return { encrypted, kmsKeyId: volume?.kmsKeyId ?? state.defaultKmsKey() };
  const kmsKeyId = state.kmsKey(seed.kmsKeyId);
  if (kmsKeyId === undefined) throw new Error(`No KMS key ${seed.kmsKeyId} in ${state.region}`);
  return { encrypted, kmsKeyId };
}

function freshId(
  state: Ec2State,
  requested: string | undefined,
  prefix: 'i' | 'vol',
  taken: ReadonlyMap<string, unknown>,
): string {
  // A test may have chosen an id the counter reaches later: unusedId skips it rather than collide.
  if (requested === undefined) return state.unusedId(prefix, taken);
  if (!requested.startsWith(`${prefix}-`)) throw new Error(`Id ${requested} must start with ${prefix}-`);
  if (taken.has(requested)) throw new Error(`Id ${requested} is already in use`);
  return requested;
}
