import type { EC2Client, Volume } from '@aws-sdk/client-ec2';
import { listManagedSnapshots } from '../../lambdas/aws/snapshot-queries';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { withActionNames } from '../aws-calls';
import { awsCall, CliError, ExitCode } from '../errors';
import { count } from '../plural';
import type { CommandContext, CommandOutcome } from '../program';
import { utcMinute } from '../utc-time';
import { type ChosenSet, chooseSet, LATEST_SET, type SetMember } from './choose-set';
import { createVolumeFromSnapshot } from './create-volume';
import { findOriginalVolume } from './original-volume';
import { restoredVolumeTags } from './restore-tags';
import { type OriginalVolume, type VolumeSettings, volumeSettings } from './volume-settings';
import { attachCommand, awsCli, describeCreated, shapeText, volumeJson } from './volume-view';

export interface SetRestoreOptions {
  /** A set ID (`<instance-id>/<run-id>`, its `Backup-Set-Id` tag) or `latest`. */
  set: string;
  /** With `latest`: the instance. */
  instanceId?: string;
  az?: string;
  type?: string;
  dryRun: boolean;
}

/** One volume of the set to restore: its snapshot, its original, and the new volume as asked. */
interface PlannedVolume extends SetMember {
  original?: OriginalVolume;
  settings: VolumeSettings;
  tags: { Key: string; Value: string }[];
}

interface RestoredVolume extends PlannedVolume {
  created?: Volume;
}

/**
 * `ebs-backup restore --set <set-id>` (SPEC §11.3, §12): a new volume from every snapshot of one
 * consistent set, each like its original and in its zone unless told otherwise (the rules of a
 * single volume's restore), tagged at creation as that restore tags one. Every volume's settings
 * are decided before the first is created, so a missing `--az` creates nothing; a failure part way
 * names the volumes already created. It never attaches, stops or replaces anything.
 */
export async function restoreSet(
  context: CommandContext,
  options: SetRestoreOptions,
  marked: { managedBy: string; from: string },
): Promise<CommandOutcome> {
  const home = context.clients.ec2();
  const region = await awsCall('ec2 (Region)', async () => (await home.config.region()) ?? '');
  const chosen = chooseSet(await setSnapshots(home, options, marked.managedBy), choiceOf(options), marked);
  const planned: PlannedVolume[] = [];
  for (const member of chosen.members) {
    const original = await findOriginalVolume(home, member.volumeId);
    planned.push({
      ...member,
      ...(original && { original }),
      settings: volumeSettings(member.volumeId, original, options),
      tags: restoredVolumeTags({
        snapshotId: member.snapshot.snapshotId,
        volumeId: member.volumeId,
        name: original?.name ?? member.snapshot.tags.Name,
      }),
    });
  }
  const restored = await createAll(home, planned, options.dryRun);
  return {
    exitCode: ExitCode.ok,
    json: {
      dryRun: options.dryRun,
      region,
      set: {
        setId: chosen.setId,
        instanceId: chosen.instanceId,
        consistency: chosen.consistency,
        startTime: new Date(chosen.startTime).toISOString(),
        newerNotCompleted: chosen.newerNotCompleted,
      },
      volumes: restored.map((v) => ({
        volumeId: v.created?.VolumeId ?? null,
        source: {
          volumeId: v.volumeId,
          exists: v.original !== undefined,
          attachments: v.original?.attachments ?? [],
        },
        snapshotId: v.snapshot.snapshotId,
        volume: volumeJson(resultOf(v), v.created, v.snapshot),
        tags: Object.fromEntries(v.tags.map((t) => [t.Key, t.Value])),
        attachCommand: v.created?.VolumeId ? attachCommand(v.created.VolumeId, context) : null,
      })),
    },
    text: setRestoreText(chosen, restored, context, options.dryRun),
  };
}

function choiceOf(options: SetRestoreOptions) {
  return options.set === LATEST_SET ? { latestOf: options.instanceId ?? '' } : { setId: options.set };
}

/**
 * The snapshots that may be the set's: those marked with the set's ID or, for `latest`, every set
 * snapshot of the instance (filtered server-side by its `Backup-Instance-Id`, checked here against
 * the instance its set ID names).
 */
async function setSnapshots(ec2: EC2Client, options: SetRestoreOptions, managedBy: string) {
  const named = withActionNames(ec2, 'ec2');
  if (options.set !== LATEST_SET) return listManagedSnapshots(named, { managedBy, setId: options.set });
  const instanceId = options.instanceId ?? '';
  const snapshots = await listManagedSnapshots(named, { managedBy, instanceId });
  return snapshots.filter((s) => s.tags[SnapshotTag.setId]?.startsWith(`${instanceId}/`));
}

/**
 * Creates the volumes one by one (a dry run asks EC2 for each). When one fails, those already
 * created stay (restore deletes nothing): the error names them, so the operator can use or delete them.
 */
async function createAll(
  ec2: EC2Client,
  planned: readonly PlannedVolume[],
  dryRun: boolean,
): Promise<RestoredVolume[]> {
  const restored: RestoredVolume[] = [];
  for (const volume of planned) {
    try {
      const created = await createVolumeFromSnapshot(ec2, {
        snapshotId: volume.snapshot.snapshotId,
        settings: volume.settings,
        tags: volume.tags,
        dryRun,
      });
      restored.push({ ...volume, ...(created && { created }) });
    } catch (error) {
      const made = restored.flatMap((v) =>
        v.created?.VolumeId ? [`${v.created.VolumeId} (of ${v.volumeId})`] : [],
      );
      if (made.length === 0) throw error;
      const { message } = error as Error;
      const exitCode = error instanceof CliError ? error.exitCode : ExitCode.failed;
      throw new CliError(
        `${volume.volumeId}: ${message}; created before it: ${made.join(', ')}, which stay, unattached (delete them if not wanted)`,
        exitCode,
      );
    }
  }
  return restored;
}

function resultOf(volume: RestoredVolume): VolumeSettings {
  return volume.created ? describeCreated(volume.created) : volume.settings;
}

function setRestoreText(
  chosen: ChosenSet,
  restored: readonly RestoredVolume[],
  context: CommandContext,
  dryRun: boolean,
): string[] {
  const from =
    `set ${chosen.setId} (${chosen.consistency}-consistent, taken ${utcMinute(chosen.startTime)})` +
    (chosen.newerNotCompleted.length > 0
      ? `; newer sets not completed: ${chosen.newerNotCompleted.join(', ')}`
      : '');
  const lines = restored.map((v) => {
    const result = resultOf(v);
    // Where the original is now: its device on the set's instance, or wherever it has moved.
    const was = v.original
      ? v.original.attachments
          .map((a) => ` (${a.device}${a.instanceId === chosen.instanceId ? '' : ` on ${a.instanceId}`})`)
          .join('')
      : ' (gone)';
    const made = v.created ? `${v.created.VolumeId} ` : '';
    return `  ${made}from ${v.snapshot.snapshotId} of ${v.volumeId}${was}, in ${result.availabilityZone}: ${shapeText(result, v.created, v.snapshot, v.tags[0].Value)}`;
  });
  const volumes = count(restored.length, 'volume');
  if (dryRun) {
    return [`Dry run: EC2 would create ${volumes} from ${from}:`, ...lines, 'Nothing was created.'];
  }
  const ids = restored.map((v) => v.created?.VolumeId ?? '');
  const zones = [...new Set(restored.map((v) => resultOf(v).availabilityZone))].join(', ');
  return [
    `Created ${volumes} from ${from}:`,
    ...lines,
    'None is attached to anything; the originals are unchanged.',
    '',
    `To attach them to an instance in ${zones}, once they are available:`,
    `  ${awsCli(`aws ec2 wait volume-available --volume-ids ${ids.join(' ')}`, context)}`,
    ...ids.map((id) => `  ${attachCommand(id, context)}`),
  ];
}
