import type { InstanceStateName, Tag } from '@aws-sdk/client-ec2';

/** The account the simulated credentials belong to: `OwnerIds: ['self']` means this one. */
export const SIMULATED_ACCOUNT_ID = '123456789012';

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
