import type { DescribeExecutionOutput } from '@aws-sdk/client-sfn';
import { formatDuration, phaseText } from './execution-text';
import { describeExecution } from './executions';
import type { CliIo } from './io';
import { type MapRunProgress, mapRunProgress } from './map-runs';
import type { CommandContext } from './program';

/** Between two looks at a running execution: three calls (and one per Map Run still running) every 10 s. */
export const POLL_INTERVAL_MS = 10_000;

/**
 * Polls an execution until it ends, showing where it is: the Distributed Map running and its
 * item counts. On a terminal one line updates in place; otherwise a line is printed only when
 * something changed, so a log stays short. Nothing is shown with `--json`.
 */
export async function followExecution(
  context: CommandContext,
  executionArn: string,
): Promise<DescribeExecutionOutput> {
  const sfn = context.clients.sfn();
  const display = progressDisplay(context.io, context.options.json);
  const endedMapRuns = new Map<string, MapRunProgress>();
  for (;;) {
    const execution = await describeExecution(sfn, executionArn);
    if (execution.status !== 'RUNNING') {
      display.end();
      return execution;
    }
    const elapsed = (context.now() - (execution.startDate?.getTime() ?? context.now())) / 1000;
    display.show(formatDuration(elapsed), phaseText(await mapRunProgress(sfn, executionArn, endedMapRuns)));
    await context.sleep(POLL_INTERVAL_MS);
  }
}

function progressDisplay(io: CliIo, quiet: boolean) {
  let previous: string | undefined;
  let width = 0;
  return {
    show(elapsed: string, phase: string) {
      if (quiet) return;
      if (io.isTTY) {
        const line = `RUNNING ${elapsed}  ${phase}`;
        // Spaces wipe what is left of a longer previous line.
        io.stdout(`\r${line}${' '.repeat(Math.max(0, width - line.length))}`);
        width = line.length;
      } else if (phase !== previous) {
        io.stdout(`${elapsed.padStart(6)}  ${phase}\n`);
      }
      previous = phase;
    },
    end() {
      if (!quiet && io.isTTY && width > 0) io.stdout('\n');
    },
  };
}
