import { DescribeVolumesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsCall } from '../errors';
import type { OriginalVolume } from './volume-settings';

/** The volume as EC2 describes it now, or undefined when it no longer exists. */
export async function findOriginalVolume(
  ec2: EC2Client,
  volumeId: string,
): Promise<OriginalVolume | undefined> {
  const response = await awsCall('ec2:DescribeVolumes', async () => {
    try {
      return await ec2.send(new DescribeVolumesCommand({ VolumeIds: [volumeId] }));
    } catch (error) {
      if ((error as Error).name === 'InvalidVolume.NotFound') return undefined;
      throw error;
    }
  });
  const volume = response?.Volumes?.find((v) => v.VolumeId === volumeId);
  if (!volume) return undefined;
  const name = volume.Tags?.find((tag) => tag.Key === 'Name')?.Value;
  return {
    volumeId,
    availabilityZone: volume.AvailabilityZone ?? '',
    volumeType: volume.VolumeType ?? '',
    size: volume.Size ?? 0,
    ...(volume.Iops !== undefined && { iops: volume.Iops }),
    ...(volume.Throughput !== undefined && { throughput: volume.Throughput }),
    ...(name !== undefined && { name }),
    attachments: (volume.Attachments ?? []).map((a) => ({
      instanceId: a.InstanceId ?? '',
      device: a.Device ?? '',
    })),
  };
}
