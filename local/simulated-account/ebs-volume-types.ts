import { ec2Error } from './ec2-errors';
import type { VolumeTypeName } from './ec2-records';

// EBS volume types and their limits, as the EC2 API reference gives them for CreateVolume
// (Size, Iops, Throughput), so a restore that asks for a size or IOPS EBS would refuse is refused
// here too. Ratios: gp3 at most 500 IOPS per GiB, io1 50, io2 1,000.

interface Range {
  readonly min: number;
  readonly max: number;
}

interface VolumeTypeRules {
  readonly sizeGiB: Range;
  /** Provisioned IOPS: required without a default (io1, io2), optional with one (gp3), else refused. */
  readonly iops?: Range & { readonly default?: number; readonly perGiB: number };
  /** MiB/s, gp3 only. */
  readonly throughput?: Range & { readonly default: number };
}

const RULES: Readonly<Record<VolumeTypeName, VolumeTypeRules>> = {
  gp2: { sizeGiB: { min: 1, max: 16_384 } },
  gp3: {
    sizeGiB: { min: 1, max: 65_536 },
    iops: { min: 3_000, max: 80_000, default: 3_000, perGiB: 500 },
    throughput: { min: 125, max: 2_000, default: 125 },
  },
  io1: { sizeGiB: { min: 4, max: 16_384 }, iops: { min: 100, max: 64_000, perGiB: 50 } },
  io2: { sizeGiB: { min: 4, max: 65_536 }, iops: { min: 100, max: 256_000, perGiB: 1_000 } },
  st1: { sizeGiB: { min: 125, max: 16_384 } },
  sc1: { sizeGiB: { min: 125, max: 16_384 } },
  standard: { sizeGiB: { min: 1, max: 1_024 } },
};

/** CreateVolume's default type when none is given. */
export const DEFAULT_VOLUME_TYPE: VolumeTypeName = 'gp2';

export interface VolumePerformance {
  readonly iops: number | undefined;
  readonly throughput: number | undefined;
}

export function isVolumeType(value: string): value is VolumeTypeName {
  return Object.hasOwn(RULES, value);
}

/**
 * Checks a volume's type, size, IOPS and throughput as CreateVolume does, and returns what EC2
 * then describes: the IOPS and throughput given or defaulted, and gp2's baseline IOPS (3 per
 * GiB, 100 to 16,000), which EC2 reports although it cannot be set.
 */
export function volumePerformance(
  type: string,
  sizeGiB: number,
  requested: { readonly iops?: number; readonly throughput?: number },
): VolumePerformance {
  if (!isVolumeType(type)) {
    throw ec2Error(
      'InvalidParameterValue',
      `Value (${type}) for parameter volumeType is invalid. Valid values: ${Object.keys(RULES).join(', ')}`,
    );
  }
  const rules = RULES[type];
  within(sizeGiB, rules.sizeGiB, `Volume size of ${sizeGiB} GiB for volume type ${type}`);
  const iops = iopsOf(type, rules, sizeGiB, requested.iops);
  if (requested.throughput !== undefined && !rules.throughput) {
    throw ec2Error(
      'InvalidParameterCombination',
      `The parameter throughput is not supported for ${type} volumes.`,
    );
  }
  if (requested.throughput !== undefined && rules.throughput) {
    within(requested.throughput, rules.throughput, `Throughput of ${requested.throughput} MiB/s`);
  }
  const throughput = rules.throughput ? (requested.throughput ?? rules.throughput.default) : undefined;
  return { iops, throughput };
}

function iopsOf(
  type: VolumeTypeName,
  rules: VolumeTypeRules,
  sizeGiB: number,
  requested: number | undefined,
): number | undefined {
  if (!rules.iops) {
    if (requested !== undefined) {
      throw ec2Error(
        'InvalidParameterCombination',
        `The parameter iops is not supported for ${type} volumes.`,
      );
    }
    return type === 'gp2' ? Math.min(16_000, Math.max(100, 3 * sizeGiB)) : undefined;
  }
  const iops = requested ?? rules.iops.default;
  if (iops === undefined) {
    throw ec2Error(
      'InvalidParameterCombination',
      `The parameter iops must be specified for ${type} volumes.`,
    );
  }
  within(iops, rules.iops, `Volume iops of ${iops}`);
  if (requested !== undefined && iops > rules.iops.perGiB * sizeGiB) {
    throw ec2Error(
      'InvalidParameterValue',
      `Iops to volume size ratio of ${iops / sizeGiB} is too high; maximum is ${rules.iops.perGiB}.`,
    );
  }
  return iops;
}

function within(value: number, range: Range, what: string): void {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw ec2Error(
      'InvalidParameterValue',
      `${what} is invalid: valid values are ${range.min} to ${range.max}.`,
    );
  }
}
