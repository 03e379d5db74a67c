import type { EC2Client } from '@aws-sdk/client-ec2';
import { listInstancesById } from '../../lambdas/aws/instance-queries';
import type { TargetInstance } from '../../lambdas/core/volume-targets';
import {
  type ConsistencyTargeting,
  type CopyTargeting,
  type FoundTargets,
  findTargets,
} from '../../lambdas/steps/discover';

/** What a full run would target tonight, and the live instances seen on the way. */
export interface FleetTargets {
  /**
   * The full run's decision (SPEC §1, §10.2, §12): the volumes backed up with their N and copy N,
   * the invalid, the skipped, each instance's mode and the sets.
   */
  resolved: FoundTargets['report'];
  /** Live instances by ID: the targeted ones, those tagged volumes are attached to, and `alsoInstanceIds`. */
  instances: ReadonlyMap<string, TargetInstance>;
}

/**
 * The targets of a full run, found by Discover's own `findTargets`, so the N shown is the N in
 * force tonight (and, with the deployment's copy settings, the copy N: `copyGenerations`, and
 * the invalid copy tags with their `tagKey`; with its consistency tag key, each instance's mode
 * and sets). `ec2` names its actions in errors (`withActionNames`). `alsoInstanceIds` are fetched
 * too (for their Name and volumes) without taking part in the decision: instances the operator
 * asked about that may carry no tag at all.
 */
export async function findFleetTargets(
  ec2: EC2Client,
  tagKey: string,
  alsoInstanceIds: readonly string[] = [],
  copies: CopyTargeting = {},
  consistency: Pick<ConsistencyTargeting, 'consistencyTagKey'> = {},
): Promise<FleetTargets> {
  const found = await findTargets(ec2, tagKey, {}, copies, consistency);
  const seen = new Set(found.instances.map((i) => i.instanceId));
  const extra = [...new Set(alsoInstanceIds)].filter((id) => !seen.has(id)).sort();
  const fetched = extra.length > 0 ? await listInstancesById(ec2, { tagKey }, extra) : [];
  return {
    resolved: found.report,
    instances: new Map([...found.instances, ...fetched].map((i) => [i.instanceId, i])),
  };
}
