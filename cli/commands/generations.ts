import { listManagedSnapshots, type ManagedSnapshot } from '../../lambdas/aws/snapshot-queries';
import { withActionNames } from '../aws-calls';
import { awsCall, ExitCode } from '../errors';
import { findFleetTargets } from '../generations/fleet-targets';
import { generationsText } from '../generations/generations-text';
import { volumeGenerations } from '../generations/volume-generations';
import { idList } from '../id-options';
import type { CommandSpec } from '../program';

interface GenerationsOptions {
  instanceIds?: string[];
  volumeIds?: string[];
}

/**
 * `ebs-backup generations`: the managed snapshots of each volume, numbered as retention counts
 * them, against the N in force tonight (SPEC §3, §11). Read-only.
 */
export const generationsCommand: CommandSpec = {
  name: 'generations',
  summary: 'Show each volume’s managed snapshots, numbered by generation, against its N',
  configure: (command) =>
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
      ),
  run: async (context, options) => {
    const { instanceIds, volumeIds } = options as GenerationsOptions;
    const deployment = await context.deployment();
    const ec2 = withActionNames(context.clients.ec2(), 'ec2');
    const [targets, snapshots] = await Promise.all([
      findFleetTargets(ec2, deployment.tagKey, instanceIds),
      managedSnapshots(ec2, deployment.managedBy, instanceIds ? undefined : volumeIds),
    ]);
    const report = volumeGenerations(targets, snapshots, {
      tagKey: deployment.tagKey,
      filter: { instanceIds, volumeIds },
    });
    const now = context.now();
    return {
      exitCode: ExitCode.ok,
      json: {
        stackName: deployment.stackName,
        managedBy: deployment.managedBy,
        tagKey: deployment.tagKey,
        generatedAt: new Date(now).toISOString(),
        ...report,
      },
      text: generationsText(report, now),
    };
  },
};

/**
 * This deployment's snapshots: of the given volumes only (filtered by EC2), else all of them in
 * one paginated listing (needed to find the families of volumes that are no longer targeted).
 */
async function managedSnapshots(
  ec2: Parameters<typeof listManagedSnapshots>[0],
  managedBy: string,
  volumeIds: readonly string[] | undefined,
): Promise<ManagedSnapshot[]> {
  const list = (volumeId?: string) =>
    awsCall('ec2:DescribeSnapshots', () => listManagedSnapshots(ec2, { managedBy, volumeId }));
  if (!volumeIds) return list();
  return (await Promise.all(volumeIds.map((id) => list(id)))).flat();
}
