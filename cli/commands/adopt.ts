import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { type AdoptionPlan, adoptionByVolume, planAdoption } from '../adopt/adoption-plan';
import { listRecipeSnapshots } from '../adopt/recipe-snapshots';
import { tagForManagement } from '../adopt/tag-snapshots';
import { volumeIdList } from '../arguments';
import { confirm } from '../confirm';
import { ExitCode } from '../errors';
import type { CommandContext, CommandOutcome, CommandSpec } from '../program';
import { table } from '../table';
import { utcMinute } from '../utc-time';

interface AdoptOptions {
  volumeIds?: string[];
  dryRun: boolean;
  yes: boolean;
}

/**
 * `ebs-backup adopt` (SPEC §3.6, §11.3): brings the original recipe's snapshots (its description,
 * no marker) under this deployment's retention by tagging them with the marker and their volume's
 * ID, after showing them and being told yes. It only ever adds those two tags.
 */
export const adoptCommand: CommandSpec = {
  name: 'adopt',
  summary: 'Bring the original recipe’s snapshots under management: show them, then tag them once confirmed',
  configure: (command) =>
    command
      .option(
        '--volume-ids <volume-ids...>',
        'only these volumes’ snapshots (separated by spaces or commas)',
        volumeIdList,
      )
      .option('--dry-run', 'show what would be tagged; tag nothing', false)
      .option('--yes', 'tag without asking (needed without a terminal)', false),
  run: (context, options) => adopt(context, options as unknown as AdoptOptions),
};

async function adopt(context: CommandContext, options: AdoptOptions): Promise<CommandOutcome> {
  const { managedBy } = await context.deployment();
  const ec2 = context.clients.ec2();
  const plan = planAdoption(await listRecipeSnapshots(ec2, options.volumeIds), managedBy, options.volumeIds);
  const outcome = (tagged: number, text: string[]): CommandOutcome => ({
    exitCode: ExitCode.ok,
    json: adoptJson(plan, managedBy, options.dryRun, tagged),
    text,
  });
  const preview = previewText(plan, managedBy);
  if (plan.adopt.length === 0) return outcome(0, preview);
  if (options.dryRun) return outcome(0, [...preview, '', 'Dry run: nothing was tagged.']);

  // The list must be seen before the question; with --json, stdout carries only the document.
  const show = context.options.json ? context.io.stderr : context.io.stdout;
  show(`${preview.join('\n')}\n\n`);
  const volumes = adoptionByVolume(plan.adopt).length;
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

function adoptJson(plan: AdoptionPlan, managedBy: string, dryRun: boolean, tagged: number) {
  return {
    dryRun,
    managedBy,
    adopt: plan.adopt.map((c) => ({
      snapshotId: c.snapshotId,
      volumeId: c.volumeId,
      instanceName: c.instanceName ?? null,
      description: c.description,
      startTime: new Date(c.startTime).toISOString(),
      state: c.state,
    })),
    leftAlone: plan.leftAlone.map((l) => ({
      snapshotId: l.snapshotId,
      volumeId: l.volumeId ?? null,
      description: l.description,
      reason: l.reason,
    })),
    alreadyManaged: plan.alreadyManaged,
    tagged,
  };
}

function previewText(plan: AdoptionPlan, managedBy: string): string[] {
  const managed =
    plan.alreadyManaged > 0
      ? ` (${count(plan.alreadyManaged, 'snapshot')} already managed by ${managedBy})`
      : '';
  const lines =
    plan.adopt.length === 0
      ? [`No snapshot of the original recipe is left to adopt${managed}.`]
      : [
          `${count(plan.adopt.length, 'snapshot')} of the original recipe to adopt${managed}. Each gets the tags`,
          `${SnapshotTag.managedBy}=${managedBy} and ${SnapshotTag.volumeId}=<its volume>:`,
          '',
          ...table(
            [
              ['VOLUME', 'SNAPSHOTS', 'OLDEST', 'NEWEST', 'NAME'],
              ...adoptionByVolume(plan.adopt).map((v) => [
                v.volumeId,
                String(v.count),
                utcMinute(v.oldest),
                utcMinute(v.newest),
                v.instanceName ?? '',
              ]),
            ],
            '  ',
          ),
        ];
  if (plan.leftAlone.length === 0) return lines;
  return [
    ...lines,
    '',
    `Left alone (${plan.leftAlone.length}):`,
    ...table(
      [
        ['SNAPSHOT', 'VOLUME', 'REASON'],
        ...plan.leftAlone.map((l) => [l.snapshotId, l.volumeId ?? '', l.reason]),
      ],
      '  ',
    ),
  ];
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
