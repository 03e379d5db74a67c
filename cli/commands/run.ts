import { randomBytes } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { executionConsoleUrl } from '../../lambdas/contracts/console-links';
import { InvalidInputError } from '../../lambdas/core/errors';
import { parseExecutionInput } from '../../lambdas/core/execution-input';
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
  volumeIds?: string[];
  dryRun?: true;
}

/** What Step Functions accepts as an execution name that CloudWatch Logs can log for. */
const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

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
      .option(
        '--volume-ids <ids>',
        'only these volumes: comma-separated IDs, e.g. vol-0123456789abcdef0,vol-…',
      )
      .option(
        '--input <json>',
        'the execution input as JSON, e.g. the one a failed run gives to re-run its failed volumes',
      )
      .option('--dry-run', 'discover and plan only: create and delete nothing')
      .option(
        '--name <name>',
        'the execution name (letters, digits, - and _; default manual-<UTC time>-<random>)',
      )
      .option('--follow', 'wait until the run ends, showing its progress; exit 1 if it failed')
      .addOption(deploymentOption('stateMachineArn'))
      .addOption(deploymentOption('workBucket', 'with --follow'))
      .addOption(deploymentOption('tagKey', 'with --follow'))
      .addHelpText(
        'after',
        '\nWith --state-machine-arn (and with --follow, --work-bucket and --tag-key), no stack is needed.\n' +
          'The execution is named before it is started, so a request retried after a lost answer starts\n' +
          'no second run: Step Functions answers a running execution of the same name and input with\n' +
          'that execution, and one that already ended with ExecutionAlreadyExists, read here as started.',
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
    const name = executionName(options.name, context.now());
    const executionArn = await awsCall('states:StartExecution', async () => {
      try {
        const started = await sfn.send(
          new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
        );
        return started.executionArn ?? '';
      } catch (error) {
        // A retried request whose first attempt started the execution, which has ended since:
        // the execution is ours. Any other name is the caller's own, and its refusal stands.
        if ((error as Error).name !== 'ExecutionAlreadyExists' || options.name !== undefined) throw error;
        return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
      }
    });
    const started = executionArn.split(':').pop() ?? name;
    const consoleUrl = executionConsoleUrl(regionOf(executionArn), executionArn);
    const json = { executionArn, name: started, consoleUrl, input };
    const header = [`Started ${started} (${runKind(input)})`, `  ${consoleUrl}`];
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

/**
 * `--instance-ids`, `--volume-ids`, `--input` and `--dry-run` as the execution input, checked by
 * the workflow's own parser (SPEC §6.2) so that nothing the run would refuse is started; a bad
 * value is a usage error naming the option and the field.
 */
function runInput(options: Record<string, unknown>): RunInput {
  const list = (value: unknown) =>
    String(value)
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
  const given = ['instanceIds', 'volumeIds', 'input'].filter((key) => options[key] !== undefined);
  if (given.length > 1) {
    throw new CliError(`--${given.map(kebab).join(' and --')}: give one of them, not both`);
  }
  let raw: Record<string, unknown> = {};
  let from = '--dry-run';
  if (options.input !== undefined) {
    from = '--input';
    try {
      raw = JSON.parse(String(options.input)) as Record<string, unknown>;
    } catch {
      throw new CliError(`--input: not JSON: ${String(options.input).slice(0, 60)}`);
    }
  } else if (options.instanceIds !== undefined) {
    from = '--instance-ids';
    raw = { instanceIds: list(options.instanceIds) };
  } else if (options.volumeIds !== undefined) {
    from = '--volume-ids';
    raw = { volumeIds: list(options.volumeIds) };
  }
  if (options.dryRun) raw = { ...raw, dryRun: true };
  try {
    const parsed = parseExecutionInput(raw);
    return {
      ...(parsed.instanceIds && { instanceIds: parsed.instanceIds }),
      ...(parsed.volumeIds && { volumeIds: parsed.volumeIds }),
      ...(parsed.dryRun && { dryRun: true }),
    };
  } catch (error) {
    if (error instanceof InvalidInputError) throw new CliError(`${from}: ${error.message}`);
    throw error;
  }
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `--name`, checked, or a new name: the request and any retry of it start the same execution. */
function executionName(given: unknown, now: number): string {
  if (given !== undefined) {
    const name = String(given);
    if (!EXECUTION_NAME.test(name)) {
      throw new CliError(`--name: "${name}" is not 1 to 80 letters, digits, - or _`);
    }
    return name;
  }
  const stamp = new Date(now).toISOString().replace(/[-:]|\.\d+/g, '');
  return `manual-${stamp}-${randomBytes(3).toString('hex')}`;
}
