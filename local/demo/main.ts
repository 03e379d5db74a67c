// `npm start`: the real workflow on this machine, against a simulated account (the demo) or the
// account of the SDK's settings. `npm start -- --help` lists the options and the exit codes.
// The entry script is bin/ebs-backup-local.ts.
import { CliError } from '../../cli/errors';
import type { ConnectEc2 } from './account-clients';
import { HELP, PROGRAM, parseCommandLine, UsageError } from './cli-options';
import type { RunnerIo } from './demo-run';

export type { RunnerIo } from './demo-run';

export interface CliDeps {
  /**
   * Where `--target aws` sends its EC2 requests, every region's: by default the network, as the
   * SDK settings say; tests connect a simulated endpoint (`simulatedEc2Endpoint`).
   */
  connectEc2?: ConnectEc2;
}

/** Runs the command; resolves to the exit code. Never throws. */
export async function main(argv: readonly string[], io: RunnerIo, deps: CliDeps = {}): Promise<number> {
  const parsed = parseCommandLine(argv);
  if (parsed.kind === 'help') {
    io.stdout(HELP);
    return 0;
  }
  if (parsed.kind === 'usage-error') return refuse(io, parsed.message);
  const { options } = parsed;
  if (options.live && !options.yes && !io.isTTY) {
    return refuse(io, '--live needs a typed confirmation but stdin is not a terminal; add --yes to confirm');
  }
  quietHandlerOutput();
  // Loaded only now: the handlers build their logger and metrics when loaded, from the variables above.
  const runner: typeof import('./demo-run') = require('./demo-run');
  try {
    const result =
      options.target === 'aws'
        ? await runner.runOnAccount(options, io, deps.connectEc2)
        : await runner.runSimulatedDemo(options, io);
    if (options.json) io.stdout(`${JSON.stringify(result.json, null, 2)}\n`);
    // The demo fleet fails each run on purpose; against an account, a failed run is a failure.
    const failedCounts = options.strict || options.target === 'aws';
    return failedCounts && result.failed ? 1 : 0;
  } catch (error) {
    if (error instanceof UsageError) return refuse(io, error.message);
    // The plan's and the confirmation's errors: the same exit codes as `ebs-backup`.
    if (error instanceof CliError) {
      io.stderr(`${PROGRAM}: ${error.message}\n`);
      return error.exitCode;
    }
    io.stderr(`${PROGRAM}: ${(error as Error).message}\n`);
    return 1;
  }
}

function refuse(io: RunnerIo, message: string): number {
  io.stderr(`${PROGRAM}: ${message}\n`);
  return 2;
}

/** The handlers log JSON and emit metrics for CloudWatch; here they would bury the tables. */
function quietHandlerOutput(): void {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
