import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { SetStepEvent } from '../contracts/sets';
import type { CopyTask, VolumeTask } from '../contracts/work-items';
import { parseCopyTask, parseSetStepEvent, parseVolumeTask } from '../core/work-item';

/**
 * One logger and one metrics buffer per container (Powertools; service name and namespace come
 * from POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE). Logs are JSON and carry the
 * execution name and, in the fan-outs, the volume ID.
 */
export const logger = new Logger();
export const metrics = new Metrics();

/** Metric names are API: dashboards and alarms may use them. */
export const MetricName = {
  snapshotsCreated: 'SnapshotsCreated',
  snapshotsDeleted: 'SnapshotsDeleted',
  /** Copies made in the copy regions (SPEC §10.3), and deleted there by their retention. */
  copiesCreated: 'CopiesCreated',
  copiesDeleted: 'CopiesDeleted',
  deletionsSkipped: 'DeletionsSkipped',
  volumesFailed: 'VolumesFailed',
  invalidTags: 'InvalidTags',
  /** 1 per full live run that succeeded; the no-success alarm watches it (SPEC §5.3). */
  fullRunsSucceeded: 'FullRunsSucceeded',
} as const;

/** The dimension that tells deployments apart in FullRunsSucceeded (state machine names are unique). */
export const STATE_MACHINE_DIMENSION = 'StateMachineName';

/** Emits FullRunsSucceeded at once, with this deployment's state machine as its dimension. */
export function recordFullRunSucceeded(stateMachineName: string): void {
  const single = metrics.singleMetric();
  single.addDimension(STATE_MACHINE_DIMENSION, stateMachineName);
  single.addMetric(MetricName.fullRunsSucceeded, MetricUnit.Count, 1);
}

export function countMetric(name: string, value: number): void {
  if (value > 0) metrics.addMetric(name, MetricUnit.Count, value);
}

/**
 * Runs one invocation with its log keys, logs a failure with its name before rethrowing it
 * (Step Functions matches that name), and flushes the metrics.
 */
export async function observe<T>(
  keys: { executionName?: string; volumeId?: string; region?: string; instanceId?: string },
  context: Context | undefined,
  work: () => Promise<T>,
): Promise<T> {
  logger.resetKeys();
  logger.appendKeys(keys);
  if (context) logger.addContext(context);
  try {
    return await work();
  } catch (error) {
    logger.error('step failed', error as Error);
    throw error;
  } finally {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}

/** `observe` for a fan-out child: checks the work item, then logs with its volume ID. */
export function observeVolumeTask<T>(
  event: unknown,
  context: Context | undefined,
  work: (task: VolumeTask) => Promise<T>,
): Promise<T> {
  const task = parseVolumeTask(event);
  const { volumeId, region } = task.volume;
  return observe({ executionName: task.executionName, volumeId, ...(region && { region }) }, context, () =>
    work(task),
  );
}

/** `observe` for a CopyVolumes child: checks the copy work item, then logs with its volume and region. */
export function observeCopyTask<T>(
  event: unknown,
  context: Context | undefined,
  work: (task: CopyTask) => Promise<T>,
): Promise<T> {
  const task = parseCopyTask(event);
  const { volumeId, region } = task.copy;
  return observe({ executionName: task.executionName, volumeId, region }, context, () => work(task));
}

/** `observe` for a SnapshotSets child's step: checks the set's state, then logs with its instance. */
export function observeSetStep<T>(
  event: unknown,
  context: Context | undefined,
  work: (event: SetStepEvent) => Promise<T>,
): Promise<T> {
  const parsed = parseSetStepEvent(event);
  const { executionName, set } = parsed.state;
  return observe({ executionName, instanceId: set.instanceId }, context, () => work(parsed));
}

/**
 * Builds the real handler on first use, so that importing a handler module (in tests, or the
 * local runner) neither reads the environment nor creates SDK clients.
 */
export function lazyHandler<E, R>(build: () => (event: E, context?: Context) => Promise<R>) {
  let built: ((event: E, context?: Context) => Promise<R>) | undefined;
  return (event: E, context?: Context): Promise<R> => {
    built ??= build();
    return built(event, context);
  };
}
