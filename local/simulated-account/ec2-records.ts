import type { InstanceStateName, Tag, VolumeType } from '@aws-sdk/client-ec2';

/** The account the simulated credentials belong to: `OwnerIds: ['self']` means this one. */
export const SIMULATED_ACCOUNT_ID = '123456789012';

/** The Region a simulated account or EC2 is in unless told otherwise. */
export const DEFAULT_REGION = 'us-east-1';

/** Whether a string has the form of a Region code (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`). */
export function isRegionName(region: string): boolean {
  return /^[a-z]{2}(-[a-z]+)+-\d+$/.test(region);
}

/**
 * The Availability Zones of a simulated Region; instances and seeded volumes use the first.
 * us-east-1 keeps the zone names the simulator always had; other Regions get a, b and c.
 */
export function availabilityZonesOf(region: string): readonly string[] {
  if (region === DEFAULT_REGION)
    return ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f'];
  return ['a', 'b', 'c'].map((letter) => `${region}${letter}`);
}

/**
 * The volume id every snapshot copy shows. The API reference only says "Snapshots copies have an
 * arbitrary source volume ID. Do not use this volume ID for any purpose."
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html); what EC2 answers
 * in practice, in DescribeSnapshots outputs people publish, is `vol-ffffffff`. Product code must
 * never find a copy's volume by it: copies are found by their tags.
 */
export const COPY_VOLUME_ID = 'vol-ffffffff';

export type VolumeTypeName = `${VolumeType}`;

export type SettledSnapshotState = 'completed' | 'error';
export type SnapshotStateName = 'pending' | SettledSnapshotState;

// The internal state is kept in these records; API answers are built from them afresh on every
// call (ec2-shapes.ts) so a caller mutating a response cannot change the account.

export interface InstanceRecord {
  readonly instanceId: string;
  readonly availabilityZone: string;
  state: InstanceStateName;
  tags: Tag[];
  readonly launchTime: number;
  /** `windows` for a Windows instance (EC2's `Platform`); undefined for Linux. */
  readonly platform: 'windows' | undefined;
  /** Its RootDeviceName: where its root volume is attached (see `deviceNames`). */
  readonly rootDeviceName: string;
}

export interface AttachmentRecord {
  readonly instanceId: string;
  readonly device: string;
  readonly attachTime: number;
  readonly deleteOnTermination: boolean;
}

export interface VolumeRecord {
  readonly volumeId: string;
  readonly sizeGiB: number;
  readonly availabilityZone: string;
  readonly volumeType: VolumeTypeName;
  /** Provisioned (io1, io2, gp3) or baseline (gp2) IOPS; undefined for st1, sc1, standard. */
  readonly iops: number | undefined;
  /** MiB/s, gp3 only. */
  readonly throughput: number | undefined;
  /** The snapshot it was created from, if any. */
  readonly snapshotId: string | undefined;
  readonly encrypted: boolean;
  /** ARN of the KMS key of an encrypted volume. */
  readonly kmsKeyId: string | undefined;
  tags: Tag[];
  attachments: AttachmentRecord[];
  multiAttachEnabled: boolean;
  readonly createTime: number;
}

export interface SnapshotRecord {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly volumeSize: number;
  readonly description: string;
  readonly ownerId: string;
  readonly startTime: number;
  readonly encrypted: boolean;
  /** ARN of the KMS key of an encrypted snapshot (for a failed copy, the KmsKeyId it was asked for). */
  readonly kmsKeyId: string | undefined;
  /** Why a copy failed, as DescribeSnapshots' StateMessage says it. */
  readonly stateMessage: string | undefined;
  tags: Tag[];
  /** When a pending snapshot settles by itself; undefined means it never does (stuck). */
  readonly settlesAt: number | undefined;
  /** The state it settles into at `settlesAt`. */
  readonly outcome: SettledSnapshotState;
  /** Set by seeding or by completeSnapshot/failSnapshot: overrides the clock. */
  forcedState: SnapshotStateName | undefined;
  /** The AMI built from it, which makes EC2 refuse its deletion. */
  usedByImage: string | undefined;
  /** When DescribeSnapshots starts to see it (eventual consistency); -Infinity for seeded ones. */
  readonly visibleAt: number;
}
