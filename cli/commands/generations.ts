import {
  listManagedSnapshots,
  type ManagedSnapshot,
  type ManagedSnapshotQuery,
} from '../../lambdas/aws/snapshot-queries';
import { retiredRegionNames } from '../../lambdas/steps/discover';
import { regionalEc2, withActionNames } from '../aws-calls';
import { recordedCopyRegions } from '../copy-regions';
import { addDeploymentOptions } from '../deployment-options';
import { ExitCode } from '../errors';
import { findFleetTargets } from '../generations/fleet-targets';
import { generationsText } from '../generations/generations-text';
import { volumeGenerations } from '../generations/volume-generations';
import { idList } from '../id-options';
import type { CommandSpec } from '../program';

interface GenerationsOptions {
  instanceIds?: string[];
  volumeIds?: string[];
  /** False with `--no-copies`. */
  copies: boolean;
}

/**
 * `ebs-backup generations`: the managed snapshots of each volume, numbered as retention counts
 * them, against the N in force tonight (SPEC §3, §11); and its copies in each copy region
 * against the copy N, and in regions no longer configured (SPEC §10.4, §10.6). Read-only.
 */
export const generationsCommand: CommandSpec = {
  name: 'generations',
  summary: 'Show each volume’s managed snapshots and copies, numbered by generation, against its N',
  configure: (command) =>
    addDeploymentOptions(
      command
        .option(
          '--instance-ids <ids...>',
          'only the volumes of these instances (comma- or space-separated; also terminated ones, through their snapshots)',
          idList('instance'),
        )
        .option(
          '--volume-ids <ids...>',
          'only these volumes (comma- or space-separated; also deleted ones, through their snapshots)',
          idList('volume'),
        )
        .option(
          '--no-copies',
          'leave out the copies in other regions (and make no call there): only the home region’s snapshots',
        ),
      ['managedBy', 'tagKey', 'copyRegions', 'copyTagKey', 'consistencyTagKey', 'workBucket'],
    ).addHelpText(
      'after',
      '\n--region is the home region (the stack’s). The copies are looked up in the copy regions (the\n' +
        'stack’s, or --copy-regions), and in the regions it kept copies in before (the work bucket’s\n' +
        'record), which are shown as left untouched. With --managed-by and --tag-key, no stack is\n' +
        'needed; copies are then listed only with --copy-regions. Each instance shows its\n' +
        'consistency mode tonight and, for a set, its volumes and those left out.',
    ),
  run: async (context, options) => {
    const { instanceIds, volumeIds, copies: withCopies } = options as unknown as GenerationsOptions;
    const deployment = await context.deployment(['managedBy', 'tagKey']);
    const { managedBy, tagKey, copyTagKey, consistencyTagKey } = deployment;
    // Unknown copy regions (no stack, no --copy-regions) are not taken for none: copies are not listed.
    const copyRegions = withCopies ? deployment.copyRegions : undefined;
    const ec2 = withActionNames(context.clients.ec2(), 'ec2');
    const region = (await ec2.config.region()) ?? '';
    const recorded = copyRegions && (await recordedCopyRegions(context.clients.s3(), deployment.workBucket));
    const regions = copyRegions
      ? [
          ...copyRegions.map((r) => ({ region: r.region, managed: true })),
          ...retiredRegionNames(copyRegions, recorded?.regions ?? []).map((r) => ({
            region: r,
            managed: false,
          })),
        ]
      : [];
    const ec2In = regionalEc2(context.clients.ec2In);
    const only = instanceIds ? undefined : volumeIds;
    const query = { managedBy };
    const [targets, snapshots, listings] = await Promise.all([
      findFleetTargets(
        ec2,
        tagKey,
        instanceIds,
        { copyTagKey, copyRegions: deployment.copyRegions ?? [] },
        { consistencyTagKey },
      ),
      managedSnapshots(ec2, query, only),
      Promise.all(
        regions.map(async (r) => ({
          ...r,
          snapshots: await managedSnapshots(ec2In(r.region), { ...query, sourceRegion: region }, only),
        })),
      ),
    ]);
    const now = context.now();
    const report = volumeGenerations(targets, snapshots, {
      tagKey,
      consistencyTagKey,
      now,
      filter: { instanceIds, volumeIds },
      copies: { copyTagKey, regions: listings },
    });
    const unknown = recorded?.unreadable;
    const known = deployment.copyRegions !== undefined;
    return {
      exitCode: ExitCode.ok,
      json: {
        ...(deployment.stackName !== undefined && { stackName: deployment.stackName }),
        managedBy,
        tagKey,
        consistencyTagKey,
        region,
        ...(known && { copyTagKey, copyRegions: (deployment.copyRegions ?? []).map((r) => r.region) }),
        copiesListed: copyRegions !== undefined,
        retiredCopyRegions: regions.filter((r) => !r.managed).map((r) => r.region),
        ...(unknown !== undefined && { retiredCopyRegionsUnknown: unknown }),
        generatedAt: new Date(now).toISOString(),
        ...report,
      },
      text: [
        ...generationsText(report, now),
        ...(withCopies && !known
          ? ['', "Copies are not listed: the copy regions are the stack's outputs (or pass --copy-regions)"]
          : []),
        ...(unknown === undefined
          ? []
          : [
              '',
              `Copies in regions no longer configured are not shown: the work bucket's record could not be read (${unknown})`,
            ]),
      ],
    };
  },
};

/**
 * This deployment's snapshots (or, with `sourceRegion`, its copies in the region `ec2` reaches):
 * of the given volumes only (filtered by EC2), else all of them in one paginated listing (needed
 * to find the families of volumes that are no longer targeted).
 */
async function managedSnapshots(
  ec2: Parameters<typeof listManagedSnapshots>[0],
  query: Omit<ManagedSnapshotQuery, 'volumeId'>,
  volumeIds: readonly string[] | undefined,
): Promise<ManagedSnapshot[]> {
  const list = (volumeId?: string) => listManagedSnapshots(ec2, { ...query, volumeId });
  if (!volumeIds) return list();
  return (await Promise.all(volumeIds.map((id) => list(id)))).flat();
}
