import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { type AdoptionPlan, planAdoption, tagList } from '../adopt/adoption-plan';
import { listRecipeSnapshots } from '../adopt/recipe-snapshots';
import { tagForManagement } from '../adopt/tag-snapshots';
import { volumeIdList } from '../arguments';
import { confirm } from '../confirm';
import { deploymentOption } from '../deployment-options';
import { ExitCode } from '../errors';
import { count } from '../plural';
import type { CommandContext, CommandOutcome, CommandSpec } from '../program';
import { table } from '../table';
import { utcMinute } from '../utc-time';

interface AdoptOptions {
  volumeIds?: string[];
  includeTagged: boolean;
  dryRun: boolean;
  yes: boolean;
}

/** The option that adopts snapshots with tags of their own: named wherever they are left alone. */
const INCLUDE_TAGGED = '--include-tagged';

/**
 * `ebs-backup adopt` (SPEC §3.6, §11.3): brings the original recipe's snapshots (its description,
 * no marker, no tag of anyone's) under this deployment's retention by tagging them with the
 * marker and their volume's ID, after listing each one and being told yes. It only ever adds
 * those two tags.
 */
export const adoptCommand: CommandSpec = {
  name: 'adopt',
  summary: 'Bring the original recipe’s snapshots under management: list them, then tag them once confirmed',
  configure: (command) =>
    command
      .option(
        '--volume-ids <volume-ids...>',
        'only these volumes’ snapshots (separated by spaces or commas)',
        volumeIdList,
      )
      .option(
        INCLUDE_TAGGED,
        'adopt snapshots with tags of their own too (the recipe sets none: by default they are left alone)',
        false,
      )
      .option('--dry-run', 'show what would be tagged; tag nothing', false)
      .option('--yes', 'tag without asking (needed without a terminal)', false)
      .addOption(deploymentOption('managedBy', 'with it, no stack is needed')),
  run: (context, options) => adopt(context, options as unknown as AdoptOptions),
};

async function adopt(context: CommandContext, options: AdoptOptions): Promise<CommandOutcome> {
  const { managedBy } = await context.deployment(['managedBy']);
  const ec2 = context.clients.ec2();
  const plan = planAdoption(await listRecipeSnapshots(ec2, options.volumeIds), managedBy, {
    volumeIds: options.volumeIds,
    includeTagged: options.includeTagged,
  });
  const outcome = (tagged: number, text: string[]): CommandOutcome => ({
    exitCode: ExitCode.ok,
    json: adoptJson(plan, managedBy, options, tagged),
    text,
  });
  const preview = previewText(plan, managedBy, options.includeTagged);
  if (plan.adopt.length === 0) return outcome(0, preview);
  if (options.dryRun) return outcome(0, [...preview, '', 'Dry run: nothing was tagged.']);

  // The list must be seen before the question; with --json, stdout carries only the document.
  const show = context.options.json ? context.io.stderr : context.io.stdout;
  show(`${preview.join('\n')}\n\n`);
  const volumes = new Set(plan.adopt.map((c) => c.volumeId)).size;
  if (!options.yes) {
    await confirm(
      context.io,
      `Adopt ${count(plan.adopt.length, 'snapshot')} of ${count(volumes, 'volume')}? From each volume's next successful backup they count toward its generations, and those beyond N are deleted.`,
      'nothing adopted',
    );
  }
  const tagged = await tagForManagement(ec2, plan.adopt, managedBy, context.sleep);
  return outcome(tagged, [
    `Adopted ${count(tagged, 'snapshot')} of ${count(volumes, 'volume')}: retention manages them from each volume's next backup.`,
  ]);
}

function adoptJson(plan: AdoptionPlan, managedBy: string, options: AdoptOptions, tagged: number) {
  return {
    dryRun: options.dryRun,
    managedBy,
    includeTagged: options.includeTagged,
    adopt: plan.adopt.map((c) => ({
      snapshotId: c.snapshotId,
      volumeId: c.volumeId,
      instanceName: c.instanceName ?? null,
      description: c.description,
      startTime: new Date(c.startTime).toISOString(),
      state: c.state,
      tags: c.tags,
    })),
    leftAlone: plan.leftAlone.map((l) => ({
      snapshotId: l.snapshotId,
      volumeId: l.volumeId ?? null,
      description: l.description,
      startTime: new Date(l.startTime).toISOString(),
      tags: l.tags,
      reason: l.reason,
      adoptableWith: l.tagged ? INCLUDE_TAGGED : null,
    })),
    alreadyManaged: plan.alreadyManaged,
    tagged,
  };
}

/** Every snapshot to adopt, with its start time and tags; those left alone, with why; what would include them. */
function previewText(plan: AdoptionPlan, managedBy: string, includeTagged: boolean): string[] {
  const managed =
    plan.alreadyManaged > 0
      ? ` (${count(plan.alreadyManaged, 'snapshot')} already managed by ${managedBy})`
      : '';
  const withTags = includeTagged ? `, with ${INCLUDE_TAGGED} those with tags of their own too` : '';
  const lines =
    plan.adopt.length === 0
      ? [`No snapshot of the original recipe is left to adopt${managed}.`]
      : [
          `${count(plan.adopt.length, 'snapshot')} of the original recipe to adopt${managed}${withTags}. Each gets the tags`,
          `${SnapshotTag.managedBy}=${managedBy} and ${SnapshotTag.volumeId}=<its volume>:`,
          '',
          ...table(
            [
              ['VOLUME', 'SNAPSHOT', 'STARTED', 'NAME', 'TAGS'],
              ...plan.adopt.map((c) => [
                c.volumeId,
                c.snapshotId,
                utcMinute(c.startTime),
                c.instanceName ?? '',
                tagList(c.tags) || '-',
              ]),
            ],
            '  ',
          ),
        ];
  if (plan.leftAlone.length === 0) return lines;
  const tagged = plan.leftAlone.filter((l) => l.tagged).length;
  return [
    ...lines,
    '',
    `Left alone (${plan.leftAlone.length}):`,
    ...table(
      [
        ['SNAPSHOT', 'VOLUME', 'STARTED', 'REASON'],
        ...plan.leftAlone.map((l) => [l.snapshotId, l.volumeId ?? '', utcMinute(l.startTime), l.reason]),
      ],
      '  ',
    ),
    ...(tagged === 0
      ? []
      : [
          '',
          `${count(tagged, 'snapshot')} left alone only for ${tagged === 1 ? 'its' : 'their'} tags: if ${tagged === 1 ? 'it is' : 'they are'} the recipe's, run again with ${INCLUDE_TAGGED} to adopt ${tagged === 1 ? 'it' : 'them'}.`,
        ]),
  ];
}
