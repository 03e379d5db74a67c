import type { InstanceStateName, Tag, VolumeType } from '@aws-sdk/client-ec2';

/** The account the simulated credentials belong to: `OwnerIds: ['self']` means this one. */
export const SIMULATED_ACCOUNT_ID = '123456789012';

/** The Availability Zones of the simulated Region (us-east-1); instances and seeded volumes use the first. */
export const AVAILABILITY_ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f'];
export const DEFAULT_AVAILABILITY_ZONE = AVAILABILITY_ZONES[0];

export type VolumeTypeName = `${VolumeType}`;

export type SettledSnapshotState = 'completed' | 'error';
export type SnapshotStateName = 'pending' | SettledSnapshotState;

// The internal state is kept in these records; API answers are built from them afresh on every
// call (ec2-shapes.ts) so a caller mutating a response cannot change the account.

export interface InstanceRecord {
  readonly instanceId: string;
  state: InstanceStateName;
  tags: Tag[];
  readonly launchTime: number;
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
