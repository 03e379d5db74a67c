import type { Volume } from '@aws-sdk/client-ec2';
import type { ManagedSnapshot } from '../../lambdas/aws/snapshot-queries';
import type { CommandContext } from '../program';
import type { VolumeSettings } from './volume-settings';

// How `restore` shows a volume it created (or, in a dry run, would create): the same for one
// volume and for every volume of a set.

/** A created volume's settings as EC2 answered them. */
export function describeCreated(volume: Volume): VolumeSettings {
  return {
    availabilityZone: volume.AvailabilityZone ?? '',
    volumeType: volume.VolumeType ?? '',
    ...(volume.Size !== undefined && { size: volume.Size }),
    ...(volume.Iops !== undefined && { iops: volume.Iops }),
    ...(volume.Throughput !== undefined && { throughput: volume.Throughput }),
  };
}

/** The `volume` of restore's `--json`: as created, or in a dry run as asked (encryption: the snapshot's). */
export function volumeJson(result: VolumeSettings, created: Volume | undefined, snapshot: ManagedSnapshot) {
  return {
    availabilityZone: result.availabilityZone,
    volumeType: result.volumeType,
    size: result.size ?? null,
    iops: result.iops ?? null,
    throughput: result.throughput ?? null,
    encrypted: created?.Encrypted ?? snapshot.encrypted,
    kmsKeyId: (created ? created.KmsKeyId : snapshot.kmsKeyId) ?? null,
  };
}

/** `gp3, 20 GiB, 4000 IOPS, 250 MiB/s, encrypted with key/…, Name "…"`. */
export function shapeText(
  result: VolumeSettings,
  created: Volume | undefined,
  snapshot: ManagedSnapshot,
  name: string,
): string {
  const encrypted = created?.Encrypted ?? snapshot.encrypted;
  const key = (created ? created.KmsKeyId : snapshot.kmsKeyId)?.replace(/^arn:[^:]+:kms:[^:]*:[^:]*:/, '');
  return [
    result.volumeType,
    result.size === undefined ? 'the snapshot’s size' : `${result.size} GiB`,
    ...(result.iops === undefined ? [] : [`${result.iops} IOPS`]),
    ...(result.throughput === undefined ? [] : [`${result.throughput} MiB/s`]),
    ...(encrypted ? [`encrypted${key ? ` with ${key}` : ''}`] : []),
    `Name "${name}"`,
  ].join(', ');
}

/** An AWS CLI command line, with the region (the copy region, else `--region`) and profile this command used. */
export function awsCli(command: string, context: CommandContext, copyRegion?: string): string {
  const { profile } = context.options;
  const region = copyRegion ?? context.options.region;
  return [
    command,
    ...(region ? [`--region ${region}`] : []),
    ...(profile ? [`--profile ${profile}`] : []),
  ].join(' ');
}

/** The command that attaches a new volume; the instance and device are the operator's to choose. */
export function attachCommand(volumeId: string, context: CommandContext, copyRegion?: string): string {
  return awsCli(
    `aws ec2 attach-volume --volume-id ${volumeId} --instance-id <instance-id> --device <device>`,
    context,
    copyRegion,
  );
}
