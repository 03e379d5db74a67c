import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  listInstancesById,
  listTaggedInstances,
  listTaggedVolumes,
} from '../../lambdas/aws/instance-queries';
import { type ResolvedTargets, resolveTargets, type TargetInstance } from '../../lambdas/core/volume-targets';
import { awsCall } from '../errors';

/** What a full run would target tonight, and the live instances seen on the way. */
export interface FleetTargets {
  /** The full run's decision (SPEC §1): the volumes backed up with their N, the invalid, the skipped. */
  resolved: ResolvedTargets;
  /** Live instances by ID: the targeted ones, those tagged volumes are attached to, and `alsoInstanceIds`. */
  instances: ReadonlyMap<string, TargetInstance>;
}

/**
 * Finds the targets the way Discover does for a full run (tagged instances and volumes, then the
 * instances tagged volumes are attached to, by ID) and resolves them with the workflow's own
 * rules, so the N shown is the N in force tonight. `alsoInstanceIds` are fetched too (for their
 * Name and volumes) without taking part in the decision: instances the operator asked about that
 * may carry no tag at all.
 */
export async function findFleetTargets(
  ec2: EC2Client,
  tagKey: string,
  alsoInstanceIds: readonly string[] = [],
): Promise<FleetTargets> {
  const [tagged, volumes] = await Promise.all([
    awsCall('ec2:DescribeInstances', () => listTaggedInstances(ec2, tagKey)),
    awsCall('ec2:DescribeVolumes', () => listTaggedVolumes(ec2, tagKey)),
  ]);
  const listed = new Set(tagged.map((i) => i.instanceId));
  const attachedTo = [...new Set(volumes.flatMap((v) => v.instanceIds))].filter((id) => !listed.has(id));
  const extra = [...new Set([...attachedTo, ...alsoInstanceIds])].filter((id) => !listed.has(id)).sort();
  const fetched =
    extra.length > 0
      ? await awsCall('ec2:DescribeInstances', () => listInstancesById(ec2, tagKey, extra))
      : [];
  const attachedToTagged = new Set(attachedTo);
  const discovered = [...tagged, ...fetched.filter((i) => attachedToTagged.has(i.instanceId))];
  return {
    resolved: resolveTargets(discovered, volumes),
    instances: new Map([...tagged, ...fetched].map((i) => [i.instanceId, i])),
  };
}
