import { Option } from 'commander';
import { InvalidInputError } from '../../lambdas/core/errors';
import { parseExecutionInput } from '../../lambdas/core/execution-input';
import { regionalEc2, withActionNames } from '../aws-calls';
import { planBackup } from '../backup-plan';
import { recordedCopyRegions } from '../copy-regions';
import { addDeploymentOptions } from '../deployment-options';
import { CliError, ExitCode } from '../errors';
import { type PlanTarget, planJson, planText, wouldFail } from '../plan-view';
import type { CommandSpec } from '../program';

interface PlanOptions {
  instanceIds?: string[];
}

/**
 * `ebs-backup plan` (SPEC §11.2): the decision tonight's run would take, read-only, copies in the
 * copy regions included (SPEC §10). Exit 0 when the run would succeed (also when nothing carries
 * the tag: the text says so), 1 when it would end FAILED (invalid tag values), 2 when the plan
 * could not be made.
 */
export const planCommand: CommandSpec = {
  name: 'plan',
  summary:
    "Show what tonight's run would create, delete and keep, per volume and copy region; changes nothing",
  configure: (command) =>
    addDeploymentOptions(
      command.addOption(
        new Option(
          '--instance-ids <ids...>',
          'only these instances, like a run with {"instanceIds": [...]} (space- or comma-separated)',
        ),
      ),
      ['tagKey', 'managedBy', 'copyRegions', 'copyTagKey', 'consistencyTagKey', 'workBucket'],
    ).addHelpText(
      'after',
      '\nWith the stack (or --copy-regions), copies in the copy regions are planned too (per volume\n' +
        'and region: the copy made, the copies kept and deleted), and regions no longer configured\n' +
        'are listed (from the work bucket). With both --tag-key and --managed-by, no stack is\n' +
        'needed (e.g. before deploying); copies are then planned only with --copy-regions.\n' +
        'Each instance’s consistency mode is shown, with the volumes of each set.\n' +
        'Nothing carrying the tag is a plan of nothing (exit 0); invalid tag values make it exit 1.',
    ),
  run: async (context, raw) => {
    const options = raw as PlanOptions;
    const instanceIds = parseInstanceIds(options.instanceIds);
    const deployment = await context.deployment(['tagKey', 'managedBy']);
    const { tagKey, managedBy, copyRegions, consistencyTagKey } = deployment;
    const ec2 = withActionNames(context.clients.ec2(), 'ec2');
    const recorded = copyRegions && (await recordedCopyRegions(context.clients.s3(), deployment.workBucket));
    const result = await planBackup(ec2, {
      tagKey,
      managedBy,
      instanceIds,
      consistency: { consistencyTagKey },
      ...(copyRegions && {
        copies: { copyTagKey: deployment.copyTagKey, copyRegions },
        ec2In: regionalEc2(context.clients.ec2In),
        recordedCopyRegions: recorded?.regions,
      }),
      now: context.now,
      sleep: context.sleep,
    });
    const target: PlanTarget = {
      ...(deployment.stackName !== undefined && { stack: deployment.stackName }),
      region: await ec2.config.region(),
      tagKey,
      managedBy,
      consistencyTagKey,
      ...(instanceIds && { instanceIds }),
      ...(copyRegions && {
        copies: { tagKey: deployment.copyTagKey, regions: copyRegions.map((r) => r.region) },
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
