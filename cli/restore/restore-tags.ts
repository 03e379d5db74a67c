import { truncateCodePoints } from '../../lambdas/core/description';

/**
 * Tag keys `ebs-backup restore` writes on the volumes it creates, so anyone looking at a volume
 * sees where it came from. Like the snapshot tags, they are API: chosen once, never renamed.
 */
export const RestoreTag = {
  /** The snapshot the volume was created from. */
  restoredFrom: 'Backup-Restored-From',
  /** The volume that snapshot was taken of. */
  restoredVolume: 'Backup-Restored-Volume',
} as const;

/** EC2's limit on a tag value. */
const MAX_TAG_VALUE_LENGTH = 256;

export interface RestoreOrigin {
  snapshotId: string;
  volumeId: string;
  /** The original volume's Name, else the snapshot's (the instance's name, or the volume ID). */
  name: string | undefined;
}

/**
 * The tags a restored volume gets at creation: a `Name` that says what it is a copy of, and the
 * snapshot and volume it came from. Never the target tag: a restored volume is not backed up
 * until someone decides so (or attaches it to a tagged instance).
 */
export function restoredVolumeTags(origin: RestoreOrigin): { Key: string; Value: string }[] {
  const suffix = ` restored from ${origin.snapshotId}`;
  const base = origin.name?.trim() ? origin.name : origin.volumeId;
  return [
    { Key: 'Name', Value: truncateCodePoints(base, MAX_TAG_VALUE_LENGTH - suffix.length) + suffix },
    { Key: RestoreTag.restoredFrom, Value: origin.snapshotId },
    { Key: RestoreTag.restoredVolume, Value: origin.volumeId },
  ];
}
