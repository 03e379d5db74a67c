import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_STACK_NAME } from '../lambdas/contracts/deployment';
import { type AwsClients, type AwsTarget, awsClients } from './aws';
import { awsOnlyClients } from './aws-calls';
import {
  type DeploymentWith,
  type NeededPart,
  readStackOutputs,
  resolveDeployment,
  type StackOutputs,
} from './deployment';
import { givenDeployment } from './deployment-options';
import { CliError, describeSetupError, ExitCode, SetupError } from './errors';
import type { CliIo } from './io';
import { missingProfile } from './profiles';
import { OperatorRetryStrategy } from './retry-strategy';

export const PROGRAM = 'ebs-backup';

/** Under every command's help (README, "Operator command line"; SPEC §11.4). */
const EXIT_CODES_HELP =
  "\nExit codes: 0 success; 1 the run or the check failed (plan: tonight's run would end FAILED;\n" +
  'run --follow: the run did not succeed); 2 bad arguments, no Region or credentials (or a\n' +
  'profile that does not exist, or credentials AWS rejects), a denied permission, an unknown\n' +
  'stack or a deployment whose parts are gone, an endpoint that cannot be reached or does not\n' +
  'answer like AWS, or a refused confirmation. A problem is one line on stderr.';

/** Options every command takes. */
export interface GlobalOptions extends AwsTarget {
  stack: string;
  json: boolean;
}

/** What a command runs with. */
export interface CommandContext {
  io: CliIo;
  options: GlobalOptions;
  clients: AwsClients;
  /**
   * The deployment, with the parts the command `needs`: from the options that name them (see
   * `addDeploymentOptions`), else from the outputs of the stack named by `--stack` (read once,
   * on first use), the options' values in place of its own.
   */
  deployment<K extends NeededPart>(needs: readonly K[]): Promise<DeploymentWith<K>>;
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * What a command ends with. `json` is its documented `--json` document (README, "Operator
 * command line"); `text` the lines shown otherwise.
 */
export interface CommandOutcome {
  exitCode: ExitCode;
  json: Record<string, unknown>;
  text: string[];
}

/** One subcommand: its arguments and options (added to `command`), and what it does. */
export interface CommandSpec {
  name: string;
  summary: string;
  configure(command: Command): void;
  run(context: CommandContext, options: Record<string, unknown>, args: string[]): Promise<CommandOutcome>;
}

export interface CliDeps {
  /** The AWS clients for a target; tests inject mocked or simulated ones. */
  clients?: (target: AwsTarget) => AwsClients;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs the command line; resolves to the exit code and never throws. A problem is one line on
 * stderr (`ebs-backup: …`), never a stack trace.
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  commands: readonly CommandSpec[],
  deps: CliDeps = {},
): Promise<number> {
  let outcome: CommandOutcome | undefined;
  const program = new Command(PROGRAM)
    .description(
      'Operate the EBS generation backup deployed in an account: plan, run, inspect, restore, adopt.',
    )
    .addOption(new Option('--region <region>', 'AWS Region (default: the SDK settings, e.g. AWS_REGION)'))
    .addOption(new Option('--profile <profile>', 'named profile of the shared AWS config'))
    .addOption(new Option('--stack <name>', 'the deployment’s stack name').default(DEFAULT_STACK_NAME))
    .addOption(
      new Option('--json', 'print one JSON document (the shape documented in the README)').default(false),
    )
    .addHelpText('afterAll', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout(text),
      writeErr: (text) => io.stderr(text),
      outputError: (text, write) => write(`${PROGRAM}: ${text.replace(/^error: /, '').trim()}\n`),
    })
    .showSuggestionAfterError(true);

  for (const spec of commands) {
    const command = program.command(spec.name).description(spec.summary).exitOverride();
    spec.configure(command);
    command.action(async (...received: unknown[]) => {
      const self = received[received.length - 1] as Command;
      const options = self.optsWithGlobals() as GlobalOptions & Record<string, unknown>;
      const target = { region: options.region, profile: options.profile };
      // One retry strategy for the command's clients: when the command ends, so do their waits.
      const retries = new OperatorRetryStrategy();
      const clients = awsOnlyClients(deps.clients ? deps.clients(target) : awsClients(target, retries));
      let stack: Promise<StackOutputs> | undefined;
      const context: CommandContext = {
        io,
        options,
        clients,
        deployment: (needs) =>
          resolveDeployment(givenDeployment(options), needs, () => {
            stack ??= readStackOutputs(clients, options.stack);
            return stack;
          }),
        now: deps.now ?? Date.now,
        sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      };
      try {
        outcome = await spec.run(context, options, self.args);
      } finally {
        retries.stop();
      }
    });
  }

  try {
    if (argv.length === 0) {
      io.stderr(program.helpInformation());
      return ExitCode.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      const shown = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
      return shown ? ExitCode.ok : ExitCode.usage;
    }
    const problem = await problemOf(error, program.opts().profile);
    io.stderr(`${PROGRAM}: ${problem.message}\n`);
    return problem.exitCode;
  }
  if (!outcome) return ExitCode.ok;
  if (program.opts().json) io.stdout(`${JSON.stringify(outcome.json, null, 2)}\n`);
  else if (outcome.text.length > 0) io.stdout(`${outcome.text.join('\n')}\n`);
  return outcome.exitCode;
}

/**
 * The one line and exit code for an error a command ended with. Every error passes here, so a
 * missing Region or credentials is told the same way (exit 2) whether it surfaced in an AWS call
 * or when a client's settings were read outside one; and a named profile that does not exist
 * is told as such, which the SDK cannot tell from no credentials. Anything else unexpected is
 * its first line, exit 1.
 */
async function problemOf(error: unknown, profile: string | undefined): Promise<CliError> {
  const known = error instanceof CliError ? error : describeSetupError(error);
  if (known instanceof SetupError) return (await missingProfile(profile)) ?? known;
  if (known) return known;
  return new CliError((error as Error).message?.split('\n')[0] ?? String(error), ExitCode.failed);
}
