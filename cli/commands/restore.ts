import { type EC2Client, type Volume, VolumeType } from '@aws-sdk/client-ec2';
import { Option } from 'commander';
import { listManagedSnapshots } from '../../lambdas/aws/snapshot-queries';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { instanceId, positiveInteger, regionName, setIdOrLatest, snapshotId, volumeId } from '../arguments';
import { withActionNames } from '../aws-calls';
import type { Deployment } from '../deployment';
import { deploymentOption } from '../deployment-options';
import { awsCall, CliError, ExitCode } from '../errors';
import type { CommandContext, CommandSpec } from '../program';
import { LATEST_SET } from '../restore/choose-set';
import { type ChosenSnapshot, chooseSnapshot } from '../restore/choose-snapshot';
import { createVolumeFromSnapshot } from '../restore/create-volume';
import { findOriginalVolume } from '../restore/original-volume';
import { restoreSet } from '../restore/restore-set';
import { restoredVolumeTags } from '../restore/restore-tags';
import { type OriginalVolume, type VolumeSettings, volumeSettings } from '../restore/volume-settings';
import { attachCommand, awsCli, describeCreated, shapeText, volumeJson } from '../restore/volume-view';
import { utcMinute } from '../utc-time';

interface RestoreOptions {
  set?: string;
  instanceId?: string;
  snapshot?: string;
  generation?: number;
  fromRegion?: string;
  managedBy?: string;
  az?: string;
  type?: string;
  size?: number;
  iops?: number;
  throughput?: number;
  dryRun: boolean;
}

/**
 * `ebs-backup restore <volume-id>` (SPEC §11.3): creates a new volume from one of the volume's
 * managed snapshots, like the original and in its zone unless told otherwise, and says how to
 * attach it. With `--from-region`, from one of its copies in that copy region (SPEC §10), in the
 * zone given there. With `--set` instead of a volume, a new volume from every snapshot of one
 * consistent set (SPEC §12, `restoreSet`). It never attaches, stops, detaches or replaces anything.
 */
export const restoreCommand: CommandSpec = {
  name: 'restore',
  summary:
    'Create a new volume from a backup of a volume, or one from each snapshot of a set; it never attaches, stops or replaces anything',
  configure: (command) =>
    command
      .argument(
        '[volume-id]',
        'the volume whose backup to restore (it may no longer exist); not with --set',
        volumeId,
      )
      .addOption(
        new Option(
          '--set <set-id>',
          `restore every volume of this consistent set (its ${SnapshotTag.setId} tag, <instance-id>/<run-id>), or "${LATEST_SET}" with --instance-id: the instance's newest completed set`,
        ).argParser(setIdOrLatest),
      )
      .addOption(
        new Option('--instance-id <instance-id>', `with --set ${LATEST_SET}: the instance`).argParser(
          instanceId,
        ),
      )
      .addOption(
        new Option(
          '--snapshot <snapshot-id>',
          'restore this snapshot (a completed one of the volume’s backups, or of its copies with --from-region)',
        )
          .argParser(snapshotId)
          .conflicts('generation'),
      )
      .addOption(
        new Option(
          '--generation <k>',
          'restore the k-th newest completed backup (default 1, the newest)',
        ).argParser(positiveInteger),
      )
      .addOption(
        new Option(
          '--from-region <region>',
          'restore from the volume’s copies in this copy region, creating the volume there (needs --az)',
        ).argParser(regionName),
      )
      .option(
        '--az <zone>',
        'Availability Zone of the new volume (with --set: of every one; default: the original’s; required if it is gone, and with --from-region)',
      )
      .addOption(
        new Option('--type <type>', 'volume type (default: the original’s, else gp3)').choices(
          Object.values(VolumeType),
        ),
      )
      .option(
        '--size <GiB>',
        'size in GiB, at least the snapshot’s (default: the original’s)',
        positiveInteger,
      )
      .option(
        '--iops <iops>',
        'provisioned IOPS, for gp3, io1, io2 (default: the original’s, same type only)',
        positiveInteger,
      )
      .option(
        '--throughput <MiBps>',
        'throughput in MiB/s, for gp3 (default: the original’s, same type only)',
        positiveInteger,
      )
      .option('--dry-run', 'ask EC2 whether it would create the volume (DryRun); create nothing', false)
      .addOption(deploymentOption('managedBy', 'with it, no stack is needed'))
      .addHelpText(
        'after',
        '\n--region is the home region (the stack’s), also with --from-region: its copies there are\n' +
          'those whose source region it is. If the home region is down, pass --managed-by too: the\n' +
          'stack is not needed, and the original’s settings are used only if it can still be described.',
      ),
  run: async (context, options, args) => {
    const given = options as unknown as RestoreOptions;
    const volume = checkTarget(args[0], given);
    if (volume !== undefined) return restore(context, volume, given);
    const set = given.set as string;
    return restoreSet(context, { ...given, set }, await marker(context, given));
  },
};

/** The options a set's restore cannot take: each is about one volume, or one volume's copies. */
const NOT_WITH_SET: [keyof RestoreOptions, string][] = [
  ['snapshot', '--snapshot'],
  ['generation', '--generation'],
  ['fromRegion', '--from-region'],
  ['size', '--size'],
  ['iops', '--iops'],
  ['throughput', '--throughput'],
];

/**
 * What to restore: the volume given, or (undefined) the set of `--set`; refuses, before any AWS
 * call, a combination that says neither or both, or options the one chosen cannot take.
 */
function checkTarget(volume: string | undefined, options: RestoreOptions): string | undefined {
  if (options.set === undefined) {
    if (options.instanceId !== undefined) {
      throw new CliError(`--instance-id goes with --set ${LATEST_SET} only: give --set ${LATEST_SET} too`);
    }
    if (volume === undefined) {
      throw new CliError(
        `give the volume to restore (restore <volume-id>), or a set with --set <set-id> or --set ${LATEST_SET} --instance-id <instance-id>`,
      );
    }
    return volume;
  }
  if (volume !== undefined) {
    throw new CliError(
      `--set restores every volume of the set: leave out ${volume}, or leave out --set to restore that one volume`,
    );
  }
  const other = NOT_WITH_SET.filter(([key]) => options[key] !== undefined).map(([, option]) => option);
  if (other.length > 0) {
    throw new CliError(
      `--set cannot go with ${other.join(', ')}: it restores each volume from its snapshot in the set, like its original ` +
        `(it takes --az, --type, --dry-run); restore one volume with \`restore <volume-id> --snapshot <its snapshot>\` to choose more`,
    );
  }
  if (options.set === LATEST_SET && options.instanceId === undefined) {
    throw new CliError(
      `--set ${LATEST_SET} needs --instance-id: the instance whose newest completed set to restore`,
    );
  }
  if (options.set !== LATEST_SET && options.instanceId !== undefined) {
    throw new CliError(
      `--instance-id goes with --set ${LATEST_SET} only: the set ID ${options.set} already names its instance`,
    );
  }
  return undefined;
}

/** Where the backup is restored from and to: the home region, or a copy region. */
interface RestoreSource {
  /** The region the new volume is created in. */
  region: string;
  /** The home region (`--region`): the deployment's, where the original is. */
  homeRegion: string;
  /** Set when restoring from a copy. */
  copyRegion?: string;
  ec2: EC2Client;
}

async function restore(context: CommandContext, volume: string, options: RestoreOptions) {
  const home = context.clients.ec2();
  const homeRegion = await awsCall('ec2 (Region)', async () => (await home.config.region()) ?? '');
  const copyRegion = options.fromRegion;
  if (copyRegion === homeRegion) {
    throw new CliError(
      `--from-region ${copyRegion} is the home region (--region): leave it out to restore from the backups there`,
    );
  }
  const source: RestoreSource = {
    region: copyRegion ?? homeRegion,
    homeRegion,
    ...(copyRegion !== undefined && { copyRegion }),
    ec2: copyRegion === undefined ? home : context.clients.ec2In(copyRegion),
  };
  const marked = await marker(context, options);
  const { managedBy, deployment } = marked;
  // Named by its action (and region) before the query code's own error translation sees it.
  const family = await listManagedSnapshots(withActionNames(source.ec2, 'ec2', copyRegion), {
    managedBy,
    volumeId: volume,
    ...(copyRegion !== undefined && { sourceRegion: homeRegion }),
  });
  const chosen = chooseWithHint(family, volume, marked, options, deployment, copyRegion);
  const { original, error } = await describeOriginal(home, volume, copyRegion !== undefined);
  const settings = volumeSettings(volume, original, options, copyRegion);
  const tags = restoredVolumeTags({
    snapshotId: chosen.snapshot.snapshotId,
    volumeId: volume,
    name: original?.name ?? chosen.snapshot.tags.Name,
  });
  const created = await createVolumeFromSnapshot(source.ec2, {
    snapshotId: chosen.snapshot.snapshotId,
    settings,
    tags,
    dryRun: options.dryRun,
    ...(copyRegion !== undefined && { region: copyRegion }),
  });
  const result = created ? describeCreated(created) : settings;
  const newVolumeId = created?.VolumeId;
  const commands = newVolumeId
    ? {
        wait: awsCli(`aws ec2 wait volume-available --volume-ids ${newVolumeId}`, context, copyRegion),
        attach: attachCommand(newVolumeId, context, copyRegion),
      }
    : undefined;
  const copyOf = copyRegion === undefined ? null : sourceOf(chosen, homeRegion);
  return {
    exitCode: ExitCode.ok,
    json: {
      dryRun: options.dryRun,
      region: source.region,
      volumeId: created?.VolumeId ?? null,
      source: {
        volumeId: volume,
        region: homeRegion,
        exists: original !== undefined,
        attachments: original?.attachments ?? [],
        ...(error !== undefined && { error }),
      },
      snapshot: {
        snapshotId: chosen.snapshot.snapshotId,
        startTime: new Date(chosen.snapshot.startTime).toISOString(),
        generation: chosen.generation,
        copyOf,
        setId: chosen.snapshot.tags[SnapshotTag.setId] ?? null,
      },
      volume: volumeJson(result, created, chosen.snapshot),
      tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      attachCommand: commands ? commands.attach : null,
    },
    text: restoreText({
      volume,
      source,
      chosen,
      original,
      error,
      result,
      name: tags[0].Value,
      created,
      commands,
    }),
  };
}

/**
 * The marker of the backups: `--managed-by`, else the stack's; and the option it came from, for
 * the operator to check when nothing is found. When restoring from a copy because the home
 * region is down, its CloudFormation may be down too: the error then says to name the marker.
 */
async function marker(
  context: CommandContext,
  options: RestoreOptions,
): Promise<{ managedBy: string; from: string; deployment: Deployment }> {
  const deployment = await context.deployment(['managedBy']);
  const from =
    options.managedBy !== undefined ? `--managed-by ${options.managedBy}` : `--stack ${deployment.stackName}`;
  return { managedBy: deployment.managedBy, from, deployment };
}

/** `chooseSnapshot`, saying when the region asked for is not one the stack keeps copies in. */
function chooseWithHint(
  family: Parameters<typeof chooseSnapshot>[0],
  volume: string,
  marked: { managedBy: string; from: string },
  options: RestoreOptions,
  deployment: Deployment,
  copyRegion: string | undefined,
): ChosenSnapshot {
  const choice = { snapshotId: options.snapshot, generation: options.generation };
  try {
    return chooseSnapshot(family, volume, marked, choice, copyRegion);
  } catch (error) {
    const configured = deployment.copyRegions?.map((r) => r.region);
    if (copyRegion === undefined || family.length > 0 || !configured || configured.includes(copyRegion)) {
      throw error;
    }
    const regions = configured.length > 0 ? configured.join(', ') : 'none';
    throw new CliError(
      `${(error as Error).message}; ${copyRegion} is not one of the stack's copy regions (${regions})`,
    );
  }
}

/**
 * The original volume in the home region. Restoring from a copy is what one does when the home
 * region is in trouble: there, an original that cannot be described is only a loss of defaults
 * (type, size, IOPS, throughput), said in the output, not a failure.
 */
async function describeOriginal(
  home: EC2Client,
  volume: string,
  tolerant: boolean,
): Promise<{ original?: OriginalVolume; error?: string }> {
  try {
    return { original: await findOriginalVolume(home, volume) };
  } catch (error) {
    if (tolerant && error instanceof CliError) return { error: error.message };
    throw error;
  }
}

/** The snapshot a copy was made from, by its tags (SPEC §10.3). */
function sourceOf(chosen: ChosenSnapshot, homeRegion: string): { snapshotId: string | null; region: string } {
  return {
    snapshotId: chosen.snapshot.tags[SnapshotTag.sourceSnapshotId] ?? null,
    region: chosen.snapshot.tags[SnapshotTag.sourceRegion] ?? homeRegion,
  };
}

function restoreText(view: {
  volume: string;
  source: RestoreSource;
  chosen: ChosenSnapshot;
  original: OriginalVolume | undefined;
  error: string | undefined;
  result: VolumeSettings;
  name: string;
  created: Volume | undefined;
  commands: { wait: string; attach: string } | undefined;
}): string[] {
  const { volume, source, chosen, original, result, created } = view;
  const { snapshot, generation } = chosen;
  const from =
    source.copyRegion === undefined
      ? `${snapshot.snapshotId} (generation ${generation} of ${volume}, taken ${utcMinute(snapshot.startTime)})`
      : `copy ${snapshot.snapshotId} (generation ${generation} of ${volume}'s copies in ${source.copyRegion}, ` +
        `copied ${utcMinute(snapshot.startTime)} from ${snapshot.tags[SnapshotTag.sourceSnapshotId] ?? 'a snapshot'} of ${source.homeRegion})`;
  const zone =
    source.copyRegion === undefined
      ? result.availabilityZone
      : `${result.availabilityZone} (${source.region})`;
  const shape = shapeText(result, created, snapshot, view.name);
  const inHome = source.copyRegion === undefined ? '' : ` in ${source.homeRegion}`;
  const originalLine =
    view.error !== undefined
      ? [
          `The original ${volume} could not be described in ${source.homeRegion} (${view.error}): type, size, IOPS and throughput are the snapshot's and EC2's defaults unless given.`,
        ]
      : original
        ? original.attachments.map(
            (a) =>
              `The original ${volume} stays attached to ${a.instanceId} as ${a.device}${inHome}: restore changes nothing there.`,
          )
        : [`The original ${volume} no longer exists${inHome}.`];
  // A snapshot of a consistent set: its instance's other volumes were taken at the same moment.
  const setId = snapshot.tags[SnapshotTag.setId];
  const ofSet =
    setId === undefined
      ? []
      : [
          `${snapshot.snapshotId} is one of set ${setId}: \`ebs-backup restore --set ${setId}\` restores every volume of it.`,
        ];
  if (!created || !view.commands) {
    return [
      `Dry run: EC2 would create a volume in ${zone} from ${from}:`,
      `${shape}. Nothing was created.`,
      ...(view.error === undefined ? [] : originalLine),
      ...ofSet,
    ];
  }
  return [
    `Created ${created.VolumeId} in ${zone} from ${from}:`,
    `${shape}. It is not attached to anything.`,
    ...originalLine,
    ...ofSet,
    '',
    `To attach it to an instance in ${result.availabilityZone}, once it is available:`,
    `  ${view.commands.wait}`,
    `  ${view.commands.attach}`,
  ];
}
