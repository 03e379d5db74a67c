import { type Volume, VolumeType } from '@aws-sdk/client-ec2';
import { Option } from 'commander';
import { listManagedSnapshots } from '../../lambdas/aws/snapshot-queries';
import { positiveInteger, snapshotId, volumeId } from '../arguments';
import { awsCall, ExitCode } from '../errors';
import type { CommandContext, CommandSpec } from '../program';
import { type ChosenSnapshot, chooseSnapshot } from '../restore/choose-snapshot';
import { createVolumeFromSnapshot } from '../restore/create-volume';
import { findOriginalVolume } from '../restore/original-volume';
import { restoredVolumeTags } from '../restore/restore-tags';
import { type OriginalVolume, type VolumeSettings, volumeSettings } from '../restore/volume-settings';
import { utcMinute } from '../utc-time';

interface RestoreOptions {
  snapshot?: string;
  generation?: number;
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
 * attach it. It never attaches, stops, detaches or replaces anything.
 */
export const restoreCommand: CommandSpec = {
  name: 'restore',
  summary: 'Create a new volume from a backup of a volume; it never attaches, stops or replaces anything',
  configure: (command) =>
    command
      .argument('<volume-id>', 'the volume whose backup to restore (it may no longer exist)', volumeId)
      .addOption(
        new Option(
          '--snapshot <snapshot-id>',
          'restore this snapshot (a completed one of the volume’s backups)',
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
      .option(
        '--az <zone>',
        'Availability Zone of the new volume (default: the original’s; required if it is gone)',
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
      .option('--dry-run', 'ask EC2 whether it would create the volume (DryRun); create nothing', false),
  run: async (context, options, args) => restore(context, args[0], options as unknown as RestoreOptions),
};

async function restore(context: CommandContext, volume: string, options: RestoreOptions) {
  const { managedBy } = await context.deployment();
  const ec2 = context.clients.ec2();
  const family = await awsCall('ec2:DescribeSnapshots', () =>
    listManagedSnapshots(ec2, { managedBy, volumeId: volume }),
  );
  const chosen = chooseSnapshot(family, volume, managedBy, {
    snapshotId: options.snapshot,
    generation: options.generation,
  });
  const original = await findOriginalVolume(ec2, volume);
  const settings = volumeSettings(volume, original, options);
  const tags = restoredVolumeTags({
    snapshotId: chosen.snapshot.snapshotId,
    volumeId: volume,
    name: original?.name ?? chosen.snapshot.tags.Name,
  });
  const created = await createVolumeFromSnapshot(ec2, {
    snapshotId: chosen.snapshot.snapshotId,
    settings,
    tags,
    dryRun: options.dryRun,
  });
  const result = created ? describeCreated(created) : settings;
  const newVolumeId = created?.VolumeId;
  const commands = newVolumeId
    ? {
        wait: awsCli(`aws ec2 wait volume-available --volume-ids ${newVolumeId}`, context),
        attach: awsCli(
          `aws ec2 attach-volume --volume-id ${newVolumeId} --instance-id <instance-id> --device <device>`,
          context,
        ),
      }
    : undefined;
  return {
    exitCode: ExitCode.ok,
    json: {
      dryRun: options.dryRun,
      volumeId: created?.VolumeId ?? null,
      source: {
        volumeId: volume,
        exists: original !== undefined,
        attachments: original?.attachments ?? [],
      },
      snapshot: {
        snapshotId: chosen.snapshot.snapshotId,
        startTime: new Date(chosen.snapshot.startTime).toISOString(),
        generation: chosen.generation,
      },
      volume: {
        availabilityZone: result.availabilityZone,
        volumeType: result.volumeType,
        size: result.size ?? null,
        iops: result.iops ?? null,
        throughput: result.throughput ?? null,
      },
      tags: Object.fromEntries(tags.map((t) => [t.Key, t.Value])),
      attachCommand: commands ? commands.attach : null,
    },
    text: restoreText({ volume, chosen, original, result, name: tags[0].Value, created, commands }),
  };
}

function describeCreated(volume: Volume): VolumeSettings {
  return {
    availabilityZone: volume.AvailabilityZone ?? '',
    volumeType: volume.VolumeType ?? '',
    ...(volume.Size !== undefined && { size: volume.Size }),
    ...(volume.Iops !== undefined && { iops: volume.Iops }),
    ...(volume.Throughput !== undefined && { throughput: volume.Throughput }),
  };
}

/** An AWS CLI command line, with the region and profile this command used. */
function awsCli(command: string, context: CommandContext): string {
  const { region, profile } = context.options;
  return [
    command,
    ...(region ? [`--region ${region}`] : []),
    ...(profile ? [`--profile ${profile}`] : []),
  ].join(' ');
}

function restoreText(view: {
  volume: string;
  chosen: ChosenSnapshot;
  original: OriginalVolume | undefined;
  result: VolumeSettings;
  name: string;
  created: Volume | undefined;
  commands: { wait: string; attach: string } | undefined;
}): string[] {
  const { volume, chosen, original, result, created } = view;
  const source = `${chosen.snapshot.snapshotId} (generation ${chosen.generation} of ${volume}, taken ${utcMinute(chosen.snapshot.startTime)})`;
  const shape = [
    result.volumeType,
    result.size === undefined ? 'the snapshot’s size' : `${result.size} GiB`,
    ...(result.iops === undefined ? [] : [`${result.iops} IOPS`]),
    ...(result.throughput === undefined ? [] : [`${result.throughput} MiB/s`]),
    `Name "${view.name}"`,
  ].join(', ');
  const originalLine = original
    ? original.attachments.map(
        (a) =>
          `The original ${volume} stays attached to ${a.instanceId} as ${a.device}: restore changes nothing there.`,
      )
    : [`The original ${volume} no longer exists.`];
  if (!created || !view.commands) {
    return [
      `Dry run: EC2 would create a volume in ${result.availabilityZone} from ${source}:`,
      `${shape}. Nothing was created.`,
    ];
  }
  return [
    `Created ${created.VolumeId} in ${result.availabilityZone} from ${source}:`,
    `${shape}. It is not attached to anything.`,
    ...originalLine,
    '',
    `To attach it to an instance in ${result.availabilityZone}, once it is available:`,
    `  ${view.commands.wait}`,
    `  ${view.commands.attach}`,
  ];
}
