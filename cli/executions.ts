import type { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, type DescribeExecutionOutput, type SFNClient } from '@aws-sdk/client-sfn';
import { getJson } from '../lambdas/aws/json-store';
import { parseJsonField } from '../lambdas/aws/map-run-results';
import { executionConsoleUrl } from '../lambdas/contracts/console-links';
import type { RunReport, SummariseOutput } from '../lambdas/contracts/run-documents';
import { runKey } from '../lambdas/contracts/work-bucket';
import type { InvalidTarget } from '../lambdas/contracts/work-items';
import { regionOf } from './arns';
import { awsCall } from './errors';
import { type FailedVolume, failedChildren, type MapRunProgress, mapRunProgress } from './map-runs';

/**
 * A run's counts: SummariseOutput's for a run that succeeded; for a failed one derived from its
 * report, which does not know the skipped targets (then `skippedTargets` is absent).
 */
export type RunCounts = Omit<SummariseOutput['counts'], 'skippedTargets'> & { skippedTargets?: number };

/** What the CLI shows of one execution (`--json` of `status`, and of `run --follow`). */
export interface ExecutionSummary {
  executionArn: string;
  name: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE. */
  status: string;
  /** ISO 8601. */
  startDate: string;
  stopDate?: string;
  /** From start to stop; for a running execution, until now. */
  durationSeconds: number;
  consoleUrl: string;
  dryRun: boolean;
  /** The instances the run was restricted to; absent for a run of every target. */
  instanceIds?: string[];
  /** A run that ended: from its output (SUCCEEDED) or its report. */
  counts?: RunCounts;
  /** A dry run that succeeded: the first planned creations and deletions. */
  plan?: SummariseOutput['plan'];
  /** A running execution: its Distributed Maps so far. */
  progress?: MapRunProgress[];
  /** An execution that did not succeed: its own error and cause. */
  error?: string;
  cause?: string;
  /** Where `failures` and `invalid` come from: the run's report, or (no report) the Map Runs' failed children. */
  failuresFrom?: 'report' | 'map-runs';
  failures?: FailedVolume[];
  invalid?: InvalidTarget[];
}

export async function describeExecution(
  sfn: SFNClient,
  executionArn: string,
): Promise<DescribeExecutionOutput> {
  return awsCall('states:DescribeExecution', () => sfn.send(new DescribeExecutionCommand({ executionArn })));
}

/** The run's report in the work bucket, or undefined when the run wrote none (it failed before Summarise). */
export async function readRunReport(
  s3: S3Client,
  bucket: string,
  executionName: string,
): Promise<RunReport | undefined> {
  return awsCall('s3:GetObject', async () => {
    try {
      return await getJson<RunReport>(s3, { bucket, key: runKey(executionName, 'report') });
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  });
}

/** A failed run's counts, from its report: the volumes pruned plus those that failed. */
export function countsOfReport(report: RunReport): RunCounts {
  return {
    volumes: report.volumes.length + report.failures.length,
    volumesFailed: report.failures.length,
    volumesSuperseded: report.superseded.length,
    invalid: report.invalid.length,
    snapshotsDeleted: report.dryRun ? 0 : report.volumes.reduce((n, v) => n + v.deletedCount, 0),
    // A result lists the first refusals; its count has them all (absent in older reports: the list).
    deletionsSkipped: report.volumes.reduce((n, v) => n + (v.skippedCount ?? v.skipped.length), 0),
  };
}

/**
 * Everything the CLI shows of an execution: the outcome and counts of a run that ended (from
 * its output, else its report), the progress of a running one, and for one that did not succeed
 * every failed volume — from the report, or from the Map Runs when the run wrote no report.
 */
export async function summariseExecution(
  clients: { sfn: SFNClient; s3: S3Client },
  workBucket: string,
  execution: DescribeExecutionOutput,
  now: number,
): Promise<ExecutionSummary> {
  const executionArn = execution.executionArn ?? '';
  const name = execution.name ?? executionArn.split(':').pop() ?? '';
  const status = execution.status ?? 'RUNNING';
  const start = execution.startDate?.getTime() ?? now;
  const input = parseJsonField<{ dryRun?: unknown; instanceIds?: unknown }>(execution.input) ?? {};
  const summary: ExecutionSummary = {
    executionArn,
    name,
    status,
    startDate: new Date(start).toISOString(),
    ...(execution.stopDate && { stopDate: execution.stopDate.toISOString() }),
    durationSeconds: Math.round(((execution.stopDate?.getTime() ?? now) - start) / 1000),
    consoleUrl: executionConsoleUrl(regionOf(executionArn), executionArn),
    dryRun: input.dryRun === true,
    ...(Array.isArray(input.instanceIds) && { instanceIds: input.instanceIds.map(String) }),
  };
  if (status === 'SUCCEEDED') {
    const output = parseJsonField<SummariseOutput>(execution.output);
    return {
      ...summary,
      ...(output?.counts && { counts: output.counts }),
      ...(output?.plan && { plan: output.plan }),
    };
  }
  if (status === 'RUNNING') return { ...summary, progress: await mapRunProgress(clients.sfn, executionArn) };
  const ended = {
    ...summary,
    ...(execution.error && { error: execution.error }),
    ...(execution.cause && { cause: execution.cause }),
  };
  const report = await readRunReport(clients.s3, workBucket, name);
  if (report) {
    return {
      ...ended,
      counts: countsOfReport(report),
      failuresFrom: 'report',
      failures: report.failures,
      invalid: report.invalid,
    };
  }
  return { ...ended, failuresFrom: 'map-runs', failures: await failedChildren(clients.sfn, executionArn) };
}
