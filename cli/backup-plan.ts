import type { EC2Client } from '@aws-sdk/client-ec2';
import { realSleep } from '../lambdas/aws/throttle-backoff';
import {
  PLANNED_SNAPSHOT_ID,
  type PruneResult,
  type RetiredCopyRegion,
} from '../lambdas/contracts/run-documents';
import type { ConsistencyMode } from '../lambdas/contracts/sets';
import type { InvalidTarget, PruneWorkItem, SkippedTarget } from '../lambdas/contracts/work-items';
import {
  type ConsistencyTargeting,
  type CopyTargeting,
  copyPlan,
  findTargets,
  retiredCopyRegions,
} from '../lambdas/steps/discover';
import { pruneVolume } from '../lambdas/steps/prune-volume';
import { type SetView, setView } from './set-view';

/**
 * What tonight's run would do (SPEC §11.2), decided by the workflow's own code: discovery's
 * `findTargets`, then the prune step's dry run of each volume (`pruneVolume` with `dryRun`,
 * which plans with `planRetention` as if the new snapshot were already completed). With the
 * deployment's copy settings, also its copies (SPEC §10): discovery's `copyPlan` (a volume with
 * copies, once per copy region) dry-run by the same prune step in each copy region, and the
 * regions no longer configured, counted by discovery's `retiredCopyRegions`. With the consistency
 * tag key, each instance's mode and the sets discovery would hand to SnapshotSets (SPEC §12).
 * Read-only: EC2 Describe calls only, nothing written anywhere.
 */
export interface BackupPlan {
  volumes: PlannedVolume[];
  /** Invalid tag values: not backed up, and tonight's run would end FAILED. */
  invalid: InvalidTarget[];
  /** Instances and volumes excluded by a generation of 0. */
  skipped: SkippedTarget[];
  /** Live instances carrying the tag key. */
  taggedInstances: number;
  /** Volumes carrying the tag key themselves. */
  taggedVolumes: number;
  /** Regions copies were kept in that are no longer configured: left untouched (SPEC §10.6). */
  retiredCopyRegions: RetiredCopyRegion[];
  /** The mode of each instance a volume is backed up under (SPEC §12.1), by instance ID. */
  modes: Record<string, ConsistencyMode>;
  /** The instances taken as sets, by ID: each volume of a set is in `volumes` too. */
  sets: PlannedSet[];
}

/** An instance taken as a set (SPEC §12.2): one CreateSnapshots call tonight. */
export interface PlannedSet extends SetView {
  instanceId: string;
  instanceName?: string;
}

export interface PlannedVolume {
  volumeId: string;
  /** The instance it is backed up under; absent for an unattached volume tagged itself. */
  instanceId?: string;
  instanceName?: string;
  /** N in force. */
  generations: number;
  /** Copies kept in each copy region (SPEC §10.2), when the deployment keeps copies of it. */
  copyGenerations?: number;
  /** The snapshot the run would create: its description (SPEC §2.1). */
  create: string;
  /**
   * This deployment's completed snapshots the run would keep (besides the new one): the
   * newest of `keepCount` (up to 99, a run's result lists 100 with tonight's).
   */
  keep: string[];
  keepCount: number;
  /** Snapshots the run would delete: the first MAX_LISTED (500) of `deleteCount`. */
  delete: string[];
  deleteCount: number;
  /** Pending snapshots of other runs, left alone. */
  pending: number;
  /**
   * With `copyGenerations`: tonight's copy in each copy region (in the configured order), made
   * from the new snapshot once it completes, and that region's retention of the volume's copies.
   */
  copies?: PlannedCopies[];
}

/** One volume's copies in one copy region, as tonight's run would leave them (SPEC §10.4). */
export interface PlannedCopies {
  region: string;
  /**
   * This deployment's completed copies there the run would keep (besides the new one): the
   * newest of `keepCount` (up to 99, a run's result lists 100 with tonight's).
   */
  keep: string[];
  keepCount: number;
  /** Copies the run would delete there: the first MAX_LISTED (500) of `deleteCount`. */
  delete: string[];
  deleteCount: number;
  /** Pending copies of other runs, left alone. */
  pending: number;
}

export interface PlanScope {
  tagKey: string;
  managedBy: string;
  /** Like an `instanceIds` run: only these instances. */
  instanceIds?: readonly string[];
  /** The deployment's copy settings, for the same copy decision as its runs; absent: no copies. */
  copies?: CopyTargeting;
  /** The deployment's consistency tag key, for the same sets as its runs; absent: the default. */
  consistency?: Pick<ConsistencyTargeting, 'consistencyTagKey'>;
  /** EC2 in the copy regions, configured or retired; needed when there are any. */
  ec2In?: (region: string) => EC2Client;
  /**
   * The regions the deployment's runs have kept copies in (Discover's record in the work bucket):
   * those no longer configured are reported as retired. Absent: none known.
   */
  recordedCopyRegions?: readonly string[];
  now: () => number;
  /** Waits between retries of a throttled count in a retired region; default the process's timers. */
  sleep?: (ms: number) => Promise<void>;
}

/** Volumes planned at once: DescribeSnapshots shares EC2's describe rate limit with the account. */
export const PLAN_CONCURRENCY = 4;
const PLAN_RUN = 'ebs-backup-plan';

export async function planBackup(ec2: EC2Client, scope: PlanScope): Promise<BackupPlan> {
  const copyRegions = scope.copies?.copyRegions ?? [];
  const deps = {
    ec2,
    ec2In: (region: string): EC2Client => {
      if (!scope.ec2In) throw new Error(`No EC2 client for ${region}: pass the plan's ec2In`);
      return scope.ec2In(region);
    },
    region: (await ec2.config.region()) ?? '',
    managedBy: scope.managedBy,
    copyRegions,
    now: scope.now,
    ...(scope.sleep && { sleep: scope.sleep }),
  };
  const clock = { now: scope.now, sleep: scope.sleep ?? realSleep };
  const [{ report, instances, taggedInstances, taggedVolumes }, retired] = await Promise.all([
    findTargets(ec2, scope.tagKey, { instanceIds: scope.instanceIds }, scope.copies, scope.consistency),
    retiredCopyRegions(deps, scope.recordedCopyRegions ?? [], clock),
  ]);
  const items: PruneWorkItem[] = [...report.items, ...copyPlan(report.items, copyRegions)];
  const results = await inParallel(items, PLAN_CONCURRENCY, (volume) =>
    pruneVolume(deps, { volume, executionName: PLAN_RUN, runId: PLAN_RUN, dryRun: true }),
  );
  const copies = new Map<string, PlannedCopies[]>();
  for (const result of results.slice(report.items.length)) {
    copies.set(result.volumeId, [...(copies.get(result.volumeId) ?? []), plannedCopies(result)]);
  }
  const volumes = report.items.map((volume, i): PlannedVolume => {
    const result = results[i];
    return {
      volumeId: volume.volumeId,
      ...(volume.instanceId !== undefined && { instanceId: volume.instanceId }),
      ...(volume.instanceName !== undefined && { instanceName: volume.instanceName }),
      generations: volume.generations,
      ...(volume.copyGenerations !== undefined && { copyGenerations: volume.copyGenerations }),
      create: volume.description,
      ...kept(result),
      delete: result.deleted,
      deleteCount: result.deletedCount,
      pending: result.pending,
      ...(volume.copyGenerations !== undefined && { copies: copies.get(volume.volumeId) ?? [] }),
    };
  });
  const roots = new Map(instances.map((i) => [i.instanceId, i.rootVolumeId]));
  return {
    volumes,
    invalid: report.invalid,
    skipped: report.skipped,
    taggedInstances,
    taggedVolumes,
    retiredCopyRegions: retired,
    modes: report.modes,
    sets: (report.sets ?? []).map((set) => ({
      instanceId: set.instanceId,
      ...(set.instanceName !== undefined && { instanceName: set.instanceName }),
      ...setView(set, roots.get(set.instanceId)),
    })),
  };
}

function plannedCopies(result: PruneResult): PlannedCopies {
  return {
    region: result.region ?? '',
    ...kept(result),
    delete: result.deleted,
    deleteCount: result.deletedCount,
    pending: result.pending,
  };
}

/** The existing snapshots a dry run keeps, listed and counted: not the one it plans to make. */
function kept(result: PruneResult): { keep: string[]; keepCount: number } {
  const keep = result.kept.filter((id) => id !== PLANNED_SNAPSHOT_ID);
  const planned = result.kept.length - keep.length;
  return { keep, keepCount: (result.keptCount ?? result.kept.length) - planned };
}

/**
 * `work` over `items`, at most `limit` at a time; results in the order of `items`. After the
 * first failure no item is started: the plan has failed, and the work left would only keep the
 * process busy after the command has printed its error.
 */
async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await work(items[index]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
