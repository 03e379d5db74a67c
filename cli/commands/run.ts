import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionConsoleUrl } from '../../lambdas/contracts/console-links';
import { INSTANCE_ID_PATTERN, MAX_INSTANCE_IDS } from '../../lambdas/core/execution-input';
import { regionOf } from '../arns';
import { deploymentOption } from '../deployment-options';
import { awsCall, CliError, ExitCode } from '../errors';
import { outcomeText, runKind } from '../execution-text';
import { summariseExecution } from '../executions';
import { followExecution } from '../follow';
import type { CommandSpec } from '../program';

/** The execution input `run` sends (SPEC §6): `{}` is a full run, as the schedule sends. */
interface RunInput {
  instanceIds?: string[];
  dryRun?: true;
}

/**
 * `ebs-backup run`: starts an execution now, as the schedule would (or for some instances, or
 * as a dry run), and with `--follow` waits for it, showing its progress, and says how it ended.
 */
export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'Start a backup run now (every target, some instances, or a dry run); --follow it to the end',
  configure: (command) =>
    command
      .option(
        '--instance-ids <ids>',
        'only these instances: comma-separated IDs, e.g. i-0123456789abcdef0,i-…',
      )
      .option('--dry-run', 'discover and plan only: create and delete nothing')
      .option('--follow', 'wait until the run ends, showing its progress; exit 1 if it failed')
      .addOption(deploymentOption('stateMachineArn'))
      .addOption(deploymentOption('workBucket', 'with --follow'))
      .addOption(deploymentOption('tagKey', 'with --follow'))
      .addHelpText(
        'after',
        '\nWith --state-machine-arn (and with --follow, --work-bucket and --tag-key), no stack is needed.',
      ),
  run: async (context, options) => {
    const input = runInput(options);
    // Everything --follow needs is known before the run starts: a stack that cannot be read
    // stops the command here, not after an execution it then cannot follow.
    const follow = options.follow
      ? await context.deployment(['stateMachineArn', 'workBucket', 'tagKey'])
      : undefined;
    const { stateMachineArn } = follow ?? (await context.deployment(['stateMachineArn']));
    const sfn = context.clients.sfn();
    const started = await awsCall('states:StartExecution', () =>
      sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) })),
    );
    const executionArn = started.executionArn ?? '';
    const name = executionArn.split(':').pop() ?? '';
    const consoleUrl = executionConsoleUrl(regionOf(executionArn), executionArn);
    const json = { executionArn, name, consoleUrl, input };
    const header = [`Started ${name} (${runKind(input)})`, `  ${consoleUrl}`];
    if (!follow) return { exitCode: ExitCode.ok, json, text: header };

    if (!context.options.json) context.io.stdout(`${header.join('\n')}\n`);
    const ended = await followExecution(context, executionArn);
    const result = await summariseExecution(
      { sfn, s3: context.clients.s3() },
      follow.workBucket,
      { ...ended, executionArn },
      context.now(),
    );
    return {
      exitCode: result.status === 'SUCCEEDED' ? ExitCode.ok : ExitCode.failed,
      json: { ...json, result },
      text: outcomeText(result, follow.tagKey),
    };
  },
};

/** `--instance-ids` and `--dry-run` as the execution input; a bad instance ID is a usage error naming it. */
function runInput(options: Record<string, unknown>): RunInput {
  const input: RunInput = {};
  if (options.instanceIds !== undefined) {
    const ids = String(options.instanceIds)
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    const bad = ids.find((id) => !INSTANCE_ID_PATTERN.test(id));
    if (bad !== undefined) {
      throw new CliError(
        `--instance-ids: "${bad}" is not an instance ID (i- and 8 or 17 hex digits, e.g. i-0123456789abcdef0)`,
      );
    }
    const unique = [...new Set(ids)];
    if (unique.length === 0 || unique.length > MAX_INSTANCE_IDS) {
      throw new CliError(
        `--instance-ids: give 1 to ${MAX_INSTANCE_IDS} instance IDs, comma-separated, got ${unique.length}`,
      );
    }
    input.instanceIds = unique;
  }
  if (options.dryRun) input.dryRun = true;
  return input;
}
