import { Option } from 'commander';
import { InvalidInputError } from '../../lambdas/core/errors';
import { parseExecutionInput } from '../../lambdas/core/execution-input';
import { regionalEc2, withActionNames } from '../aws-calls';
import { planBackup } from '../backup-plan';
import { recordedCopyRegions } from '../copy-regions';
import { CliError, ExitCode } from '../errors';
import { type PlanTarget, planJson, planText, wouldFail } from '../plan-view';
import type { CommandSpec } from '../program';

interface PlanOptions {
  instanceIds?: string[];
  tagKey?: string;
  managedBy?: string;
}

/**
 * `ebs-backup plan` (SPEC §11.2): the decision tonight's run would take, read-only, copies in the
 * stack's copy regions included (SPEC §10). Exit 0 when
 * the run would succeed (also when nothing carries the tag: the text says so), 1 when it would
 * end FAILED (invalid tag values), 2 when the plan could not be made.
 */
export const planCommand: CommandSpec = {
  name: 'plan',
  summary:
    "Show what tonight's run would create, delete and keep, per volume and copy region; changes nothing",
  configure: (command) =>
    command
      .addOption(
        new Option(
          '--instance-ids <ids...>',
          'only these instances, like a run with {"instanceIds": [...]} (space- or comma-separated)',
        ),
      )
      .addOption(
        new Option('--tag-key <key>', 'tag key that targets instances and volumes (default: the stack’s)'),
      )
      .addOption(
        new Option(
          '--managed-by <marker>',
          'Backup-Managed-By marker of the snapshots (default: the stack’s)',
        ),
      )
      .addHelpText(
        'after',
        '\nWith the stack, copies in its copy regions are planned too (per volume and region: the\n' +
          'copy made, the copies kept and deleted), and regions no longer configured are listed.\n' +
          'With both --tag-key and --managed-by, no stack is needed (e.g. before deploying);\n' +
          'copies are then not planned.\n' +
          'Exit codes: 0 the run would succeed (or nothing carries the tag); 1 it would end FAILED\n' +
          '(invalid tag values); 2 bad arguments, credentials, permissions, stack or endpoint.',
      ),
  run: async (context, raw) => {
    const options = raw as PlanOptions;
    const instanceIds = parseInstanceIds(options.instanceIds);
    const deployment =
      options.tagKey !== undefined && options.managedBy !== undefined
        ? undefined
        : await context.deployment();
    const tagKey = options.tagKey ?? deployment?.tagKey ?? '';
    const managedBy = options.managedBy ?? deployment?.managedBy ?? '';
    const ec2 = withActionNames(context.clients.ec2(), 'ec2');
    const recorded = deployment && (await recordedCopyRegions(context.clients.s3(), deployment));
    const result = await planBackup(ec2, {
      tagKey,
      managedBy,
      instanceIds,
      ...(deployment && {
        copies: { copyTagKey: deployment.copyTagKey, copyRegions: deployment.copyRegions },
        ec2In: regionalEc2(context.clients.ec2In),
        recordedCopyRegions: recorded?.regions,
      }),
      now: context.now,
      sleep: context.sleep,
    });
    const target: PlanTarget = {
      ...(deployment && { stack: deployment.stackName }),
      region: await ec2.config.region(),
      tagKey,
      managedBy,
      ...(instanceIds && { instanceIds }),
      ...(deployment && {
        copies: { tagKey: deployment.copyTagKey, regions: deployment.copyRegions.map((r) => r.region) },
      }),
      ...(recorded?.unreadable !== undefined && { retiredUnknown: recorded.unreadable }),
    };
    return {
      exitCode: wouldFail(result) ? ExitCode.failed : ExitCode.ok,
      json: planJson(result, target),
      text: planText(result, target),
    };
  },
};

/** The execution input's own rules for `instanceIds`: the same IDs a run would accept. */
function parseInstanceIds(raw: string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const ids = raw.flatMap((value) => value.split(',')).filter((id) => id.trim() !== '');
  try {
    return parseExecutionInput({ instanceIds: ids.map((id) => id.trim()) }).instanceIds;
  } catch (error) {
    if (error instanceof InvalidInputError) {
      throw new CliError(`--instance-ids: ${error.message.replace(/^instanceIds(\[\d+\])?: /, '')}`);
    }
    throw error;
  }
}
