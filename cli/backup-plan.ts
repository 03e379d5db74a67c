import type { EC2Client } from '@aws-sdk/client-ec2';
import { PLANNED_SNAPSHOT_ID } from '../lambdas/contracts/run-documents';
import type { InvalidTarget, SkippedTarget } from '../lambdas/contracts/work-items';
import { type CopyTargeting, findTargets } from '../lambdas/steps/discover';
import { pruneVolume } from '../lambdas/steps/prune-volume';

/**
 * What tonight's run would do (SPEC §11.2), decided by the workflow's own code: discovery's
 * `findTargets`, then the prune step's dry run of each volume (`pruneVolume` with `dryRun`,
 * which plans with `planRetention` as if the new snapshot were already completed). Read-only:
 * EC2 Describe calls only, nothing written anywhere.
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
  /** This deployment's completed snapshots the run would keep (besides the new one). */
  keep: string[];
  /** Snapshots the run would delete: the first MAX_LISTED (500) of `deleteCount`. */
  delete: string[];
  deleteCount: number;
  /** Pending snapshots of other runs, left alone. */
  pending: number;
}

export interface PlanScope {
  tagKey: string;
  managedBy: string;
  /** Like an `instanceIds` run: only these instances. */
  instanceIds?: readonly string[];
  /** The deployment's copy settings, for the same copy decision as its runs; absent: no copies. */
  copies?: CopyTargeting;
  now: () => number;
}

/** Volumes planned at once: DescribeSnapshots shares EC2's describe rate limit with the account. */
export const PLAN_CONCURRENCY = 4;
const PLAN_RUN = 'ebs-backup-plan';

export async function planBackup(ec2: EC2Client, scope: PlanScope): Promise<BackupPlan> {
  const { report, taggedInstances, taggedVolumes } = await findTargets(
    ec2,
    scope.tagKey,
    { instanceIds: scope.instanceIds },
    scope.copies,
  );
  const deps = {
    ec2,
    // The plan covers the snapshots in the deployment's region: no item has a copy region.
    ec2In: (region: string): EC2Client => {
      throw new Error(`The plan does not cover copies (${region})`);
    },
    region: (await ec2.config.region()) ?? '',
    managedBy: scope.managedBy,
    now: scope.now,
  };
  const volumes = await inParallel(report.items, PLAN_CONCURRENCY, async (volume) => {
    const task = { volume, executionName: PLAN_RUN, runId: PLAN_RUN, dryRun: true };
    const result = await pruneVolume(deps, task);
    const planned: PlannedVolume = {
      volumeId: volume.volumeId,
      ...(volume.instanceId !== undefined && { instanceId: volume.instanceId }),
      ...(volume.instanceName !== undefined && { instanceName: volume.instanceName }),
      generations: volume.generations,
      ...(volume.copyGenerations !== undefined && { copyGenerations: volume.copyGenerations }),
      create: volume.description,
      keep: result.kept.filter((id) => id !== PLANNED_SNAPSHOT_ID),
      delete: result.deleted,
      deleteCount: result.deletedCount,
      pending: result.pending,
    };
    return planned;
  });
  return { volumes, invalid: report.invalid, skipped: report.skipped, taggedInstances, taggedVolumes };
}

/** `work` over `items`, at most `limit` at a time; results in the order of `items`. */
async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
