import { randomUUID } from 'node:crypto';
import { CreateVolumeCommand, type EC2Client, type Volume, type VolumeType } from '@aws-sdk/client-ec2';
import { awsCall, CliError, ExitCode } from '../errors';
import type { VolumeSettings } from './volume-settings';

/** EC2's answers that mean the settings asked for (zone, type, size, IOPS, throughput) are wrong. */
const REFUSED_SETTINGS = new Set([
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
  'InvalidZone.NotFound',
]);

export interface NewVolumeRequest {
  snapshotId: string;
  settings: VolumeSettings;
  tags: { Key: string; Value: string }[];
  dryRun: boolean;
  /** The region `ec2` is in when it is not the home one (a copy region), named in errors. */
  region?: string;
}

/**
 * Creates the volume from the snapshot, tagged at creation; in a dry run asks EC2 whether it
 * would (its `DryRunOperation` answer means yes) and resolves to undefined. A ClientToken makes
 * the SDK's retry of a lost response return the same volume instead of making a second one.
 */
export async function createVolumeFromSnapshot(
  ec2: EC2Client,
  request: NewVolumeRequest,
): Promise<Volume | undefined> {
  const { settings } = request;
  const command = new CreateVolumeCommand({
    SnapshotId: request.snapshotId,
    AvailabilityZone: settings.availabilityZone,
    VolumeType: settings.volumeType as VolumeType,
    Size: settings.size,
    Iops: settings.iops,
    Throughput: settings.throughput,
    TagSpecifications: [{ ResourceType: 'volume', Tags: request.tags }],
    ClientToken: randomUUID(),
    DryRun: request.dryRun,
  });
  const where = request.region === undefined ? '' : ` in ${request.region}`;
  const created = await awsCall(`ec2:CreateVolume${where}`, async () => {
    try {
      return await ec2.send(command);
    } catch (error) {
      const { name, message } = error as Error;
      if (request.dryRun && name === 'DryRunOperation') return undefined;
      if (REFUSED_SETTINGS.has(name)) {
        throw new CliError(`EC2 refused the new volume's settings: ${name}: ${message.split('\n')[0]}`);
      }
      throw error;
    }
  });
  if (request.dryRun && created) {
    throw new CliError(
      `the endpoint ignored DryRun and created ${created.VolumeId}: delete it if it is not wanted`,
      ExitCode.failed,
    );
  }
  return created;
}
