import { randomUUID } from 'node:crypto';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { listInstancesById, listTaggedInstances, listTaggedVolumes } from '../aws/instance-queries';
import { putJson } from '../aws/json-store';
import {
  type BackoffClock,
  LISTING_THROTTLE_BUDGET_MS,
  realSleep,
  withThrottleRetries,
} from '../aws/throttle-backoff';
import type { DiscoverEvent, DiscoverOutput, DiscoveryReport } from '../contracts/run-documents';
import { runKey } from '../contracts/work-bucket';
import type { InvalidTarget } from '../contracts/work-items';
import { parseExecutionInput } from '../core/execution-input';
import { resolveTargets, type TargetInstance } from '../core/volume-targets';

export interface DiscoverDeps {
  ec2: EC2Client;
  s3: S3Client;
  tagKey: string;
  bucket: string;
  /** The run's key; default a random UUID (see SnapshotTag.runId). */
  newRunId?: () => string;
  /** Timers for retrying a throttled page; default the process's. */
  clock?: BackoffClock;
}

/** How many invalid targets the state output shows; it must stay far below 256 KiB. */
export const INVALID_SHOWN = 20;

/** What discovery found, before anything is written: the report, and how much carries the tag. */
export interface FoundTargets {
  report: DiscoveryReport;
  /** The live instances seen: tagged ones, and those tagged volumes are attached to. */
  instances: TargetInstance[];
  /** Live instances carrying the tag key (not those only a tagged volume is on). */
  taggedInstances: number;
  /** Volumes carrying the tag key themselves, attached or not, in scope or not. */
  taggedVolumes: number;
}

/**
 * Finds and resolves the targets of a run (SPEC §1), read-only: the Discover step and the
 * operator's `plan` both decide with it.
 *
 * The tagged instances and the tagged volumes are listed by tag key; then the instances that
 * tagged volumes are attached to but that the first listing did not return (untagged ones;
 * in an `instanceIds` run, only requested ones) are fetched by ID, for their Name and state.
 * A requested instance that is neither is reported invalid.
 */
export async function findTargets(
  ec2: EC2Client,
  tagKey: string,
  scope: { instanceIds?: readonly string[] } = {},
): Promise<FoundTargets> {
  const { instanceIds } = scope;
  const [tagged, volumes] = await Promise.all([
    listTaggedInstances(ec2, tagKey, instanceIds),
    listTaggedVolumes(ec2, tagKey),
  ]);
  const listed = new Set(tagged.map((i) => i.instanceId));
  const requested = instanceIds && new Set(instanceIds);
  const unlisted = [...new Set(volumes.flatMap((v) => v.instanceIds))]
    .filter((id) => !listed.has(id) && (!requested || requested.has(id)))
    .sort();
  const instances = [
    ...tagged,
    ...(unlisted.length > 0 ? await listInstancesById(ec2, tagKey, unlisted) : []),
  ];
  const resolved = resolveTargets(instances, volumes, { instanceIds });
  const found = new Set(instances.map((i) => i.instanceId));
  const notTargeted: InvalidTarget[] = (instanceIds ?? [])
    .filter((id) => !found.has(id))
    .map((id) => ({
      resource: 'instance',
      id,
      reason: `was requested in instanceIds but is not an existing, non-terminated instance tagged ${tagKey} or with a volume tagged ${tagKey}`,
    }));
  return {
    report: { ...resolved, invalid: [...resolved.invalid, ...notTargeted] },
    instances,
    taggedInstances: instances.filter((i) => i.tagValue !== undefined).length,
    taggedVolumes: volumes.length,
  };
}

/**
 * Step 1 of the workflow (SPEC §1, §4.1): validate the input, find the targeted volumes with
 * server-side filters and pagination (`findTargets`), and write the work list where the
 * fan-outs read it.
 */
export async function discover(deps: DiscoverDeps, event: DiscoverEvent): Promise<DiscoverOutput> {
  const input = parseExecutionInput(event.input);
  // A throttled page is tried again in the invocation, not the whole discovery.
  const clock = deps.clock ?? { now: Date.now, sleep: realSleep };
  const ec2 = withThrottleRetries(deps.ec2, clock, LISTING_THROTTLE_BUDGET_MS);
  const { report, taggedInstances } = await findTargets(ec2, deps.tagKey, {
    instanceIds: input.instanceIds,
  });

  const [items, discovery] = await Promise.all([
    putJson(deps.s3, { bucket: deps.bucket, key: runKey(event.executionName, 'volumes') }, report.items),
    putJson(deps.s3, { bucket: deps.bucket, key: runKey(event.executionName, 'discovery') }, report),
  ]);
  return {
    executionName: event.executionName,
    runId: (deps.newRunId ?? randomUUID)(),
    dryRun: input.dryRun,
    fullRun: input.instanceIds === undefined && !input.dryRun,
    items,
    pruneItems: items,
    discovery,
    counts: {
      instances: taggedInstances,
      volumes: report.items.length,
      invalid: report.invalid.length,
      skipped: report.skipped.length,
    },
    invalid: report.invalid.slice(0, INVALID_SHOWN),
  };
}
