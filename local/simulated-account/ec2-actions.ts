/** The EC2 API actions the simulator answers; also the keys of call counts, faults and rate limits. */
export const EC2_ACTIONS = [
  'DescribeInstances',
  'DescribeVolumes',
  'DescribeSnapshots',
  'CreateSnapshot',
  'CreateSnapshots',
  'DeleteSnapshot',
  'CreateTags',
  'CreateVolume',
  'CopySnapshot',
] as const;

export type Ec2Action = (typeof EC2_ACTIONS)[number];
