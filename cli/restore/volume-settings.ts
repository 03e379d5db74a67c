import { CliError } from '../errors';

/** What restore needs of the volume the snapshots were taken of. */
export interface OriginalVolume {
  volumeId: string;
  availabilityZone: string;
  volumeType: string;
  size: number;
  iops?: number;
  throughput?: number;
  /** Its Name tag. */
  name?: string;
  attachments: { instanceId: string; device: string }[];
}

/** What the operator asked for instead of the original's settings. */
export interface VolumeOverrides {
  az?: string;
  type?: string;
  size?: number;
  iops?: number;
  throughput?: number;
}

/** The new volume's CreateVolume settings; undefined ones are left to EC2 (size: the snapshot's). */
export interface VolumeSettings {
  availabilityZone: string;
  volumeType: string;
  size?: number;
  iops?: number;
  throughput?: number;
}

/** The type of a restored volume when the original is gone and no --type is given. */
export const DEFAULT_RESTORE_VOLUME_TYPE = 'gp3';

// The types whose IOPS and throughput can be chosen at creation (gp2 reports IOPS it derives from
// its size, which CreateVolume refuses to be given).
const SETTABLE_IOPS = new Set(['gp3', 'io1', 'io2']);
const SETTABLE_THROUGHPUT = new Set(['gp3']);

/**
 * The new volume is like the original (zone, type, size, IOPS, throughput) unless told
 * otherwise. The original's IOPS and throughput carry over only while the type stays the same,
 * since another type has other limits. With the original gone, the zone must be given: a volume
 * in the wrong zone cannot be attached to the instance that needs it. In a copy region
 * (`copyRegion`) too: the original's zone is in another region, and no zone there follows from it.
 */
export function volumeSettings(
  volumeId: string,
  original: OriginalVolume | undefined,
  overrides: VolumeOverrides,
  copyRegion?: string,
): VolumeSettings {
  if (copyRegion !== undefined) {
    if (overrides.az === undefined) {
      throw new CliError(
        `--from-region needs --az: the Availability Zone in ${copyRegion} of the instance the new volume is for (\`aws ec2 describe-availability-zones --region ${copyRegion}\` lists them)`,
      );
    }
    // Every zone's name starts with its region's (eu-west-1a, us-west-2-lax-1a).
    if (!overrides.az.startsWith(copyRegion)) {
      throw new CliError(`--az ${overrides.az} is not a zone of ${copyRegion}, where the copy is`);
    }
  }
  const availabilityZone = overrides.az ?? original?.availabilityZone;
  if (availabilityZone === undefined) {
    throw new CliError(
      `${volumeId} no longer exists, so its Availability Zone is unknown: pass --az with the zone of the instance the new volume is for`,
    );
  }
  const volumeType = overrides.type ?? original?.volumeType ?? DEFAULT_RESTORE_VOLUME_TYPE;
  const sameType = original?.volumeType === volumeType;
  const iops = overrides.iops ?? (sameType && SETTABLE_IOPS.has(volumeType) ? original?.iops : undefined);
  const throughput =
    overrides.throughput ??
    (sameType && SETTABLE_THROUGHPUT.has(volumeType) ? original?.throughput : undefined);
  const size = overrides.size ?? original?.size;
  return {
    availabilityZone,
    volumeType,
    ...(size !== undefined && { size }),
    ...(iops !== undefined && { iops }),
    ...(throughput !== undefined && { throughput }),
  };
}
