import { type ExecutionListItem, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { executionsConsoleUrl } from '../../lambdas/contracts/console-links';
import { regionOf } from '../arns';
import { addDeploymentOptions } from '../deployment-options';
import { awsCall, CliError, ExitCode } from '../errors';
import { formatDuration, formatTime, outcomeText, runKind } from '../execution-text';
import { describeExecution, type ExecutionSummary, summariseExecution } from '../executions';
import { count } from '../plural';
import type { CommandSpec } from '../program';
import { table } from '../table';

const DEFAULT_LIMIT = 10;
/** ListExecutions' largest page. */
const MAX_LIMIT = 1000;

/**
 * `ebs-backup status`: the last runs, newest first, with their outcome and counts; for each one
 * that did not succeed, every failed volume with its step, error and cause, and console links.
 * It reports: its exit code is 0 whatever the runs' outcomes.
 */
export const statusCommand: CommandSpec = {
  name: 'status',
  summary: 'The last runs: outcome, start, duration, counts, and every failed volume of a failed run',
  configure: (command) =>
    addDeploymentOptions(
      command.option(
        '--limit <n>',
        `how many executions to show, newest first (1 to ${MAX_LIMIT})`,
        String(DEFAULT_LIMIT),
      ),
      ['stateMachineArn', 'workBucket', 'tagKey'],
    ).addHelpText('after', '\nWith --state-machine-arn, --work-bucket and --tag-key, no stack is needed.'),
  run: async (context, options) => {
    const limit = parseLimit(options.limit);
    const deployment = await context.deployment(['stateMachineArn', 'workBucket', 'tagKey']);
    const sfn = context.clients.sfn();
    const clients = { sfn, s3: context.clients.s3() };
    const executions: ExecutionSummary[] = [];
    for (const listed of await lastExecutions(sfn, deployment.stateMachineArn, limit)) {
      const execution = await describeExecution(sfn, listed.executionArn ?? '');
      executions.push(await summariseExecution(clients, deployment.workBucket, execution, context.now()));
    }
    return {
      exitCode: ExitCode.ok,
      json: { stateMachineArn: deployment.stateMachineArn, executions },
      text: statusText(deployment.stateMachineArn, executions, deployment.tagKey),
    };
  },
};

function parseLimit(value: unknown): number {
  const text = String(value);
  const limit = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw new CliError(`--limit: give a whole number from 1 to ${MAX_LIMIT}, got "${text}"`);
  }
  return limit;
}

/** The newest `limit` executions (ListExecutions lists the most recent first), page by page. */
async function lastExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  limit: number,
): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('states:ListExecutions', () =>
      sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: limit - found.length, nextToken })),
    );
    found.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken && found.length < limit);
  return found.slice(0, limit);
}

/** A table of the runs, then a paragraph for each run a reader has to look at. */
function statusText(stateMachineArn: string, executions: ExecutionSummary[], tagKey: string): string[] {
  const name = stateMachineArn.split(':').pop();
  const link = `  ${executionsConsoleUrl(regionOf(stateMachineArn), stateMachineArn)}`;
  if (executions.length === 0) return [`No executions of ${name} yet.`, link];
  const cell = (summary: ExecutionSummary, key: 'volumes' | 'volumesFailed' | 'snapshotsDeleted') =>
    summary.counts ? String(summary.counts[key]) : '-';
  const rows = executions.map((e) => [
    formatTime(e.startDate),
    e.status,
    formatDuration(e.durationSeconds),
    runKind(e),
    cell(e, 'volumes'),
    cell(e, 'volumesFailed'),
    cell(e, 'snapshotsDeleted'),
    e.name,
  ]);
  const lines = [
    `Last ${count(executions.length, 'execution')} of ${name}:`,
    link,
    '',
    ...table([['STARTED', 'STATUS', 'DURATION', 'RUN', 'VOLUMES', 'FAILED', 'DELETED', 'NAME'], ...rows]),
  ];
  for (const execution of executions) {
    const outcome = outcomeText(execution, tagKey);
    if (execution.status === 'SUCCEEDED' && outcome.length === 1) continue;
    lines.push(
      '',
      `${execution.name} (started ${formatTime(execution.startDate)})`,
      `  ${execution.consoleUrl}`,
    );
    lines.push(...outcome.map((line) => `  ${line}`));
  }
  return lines;
}
