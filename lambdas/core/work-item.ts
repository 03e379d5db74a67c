import {
  PRE_SCRIPT_FAILURE_ACTIONS,
  type PreScriptFailureAction,
  type SetState,
  type SetStepEvent,
  type SetWorkItem,
} from '../contracts/sets';
import type { CopyTask, CopyWorkItem, Reentry, VolumeTask } from '../contracts/work-items';
import { InvalidInputError } from './errors';
import { MAX_GENERATION } from './generation-tag';

/** Checks what a fan-out child received; the state machine builds it, so a failure is a wiring bug. */
export function parseVolumeTask(event: unknown): VolumeTask {
  const task = event as Partial<VolumeTask> | null;
  const volume = task?.volume;
  if (!volume || typeof volume.volumeId !== 'string' || typeof volume.description !== 'string') {
    throw new InvalidInputError(
      'volume',
      'must be a work item with volumeId, description, generations and optionally instanceId',
    );
  }
  checkInstance(volume, 'volume');
  checkGenerations(volume.generations, 'volume.generations');
  if (task?.runStartedAt !== undefined && Number.isNaN(Date.parse(task.runStartedAt))) {
    throw new InvalidInputError('runStartedAt', 'must be $$.Execution.StartTime, an ISO 8601 timestamp');
  }
  return {
    ...task,
    volume,
    ...runOf(task ?? {}),
    ...reentryOf(task ?? {}),
    dryRun: task.dryRun === true,
  };
}

/** Checks what a CopyVolumes child received (CopyTask), as `parseVolumeTask` does for the others. */
export function parseCopyTask(event: unknown): CopyTask {
  const task = event as Partial<CopyTask> | null;
  const copy = task?.copy as Partial<CopyWorkItem> | undefined;
  if (!copy || typeof copy.volumeId !== 'string' || typeof copy.description !== 'string') {
    throw new InvalidInputError(
      'copy',
      'must be a copy work item with volumeId, description, region, copyGenerations and source',
    );
  }
  checkInstance(copy, 'copy');
  if (typeof copy.region !== 'string' || copy.region === '') {
    throw new InvalidInputError('copy.region', 'must be the destination region');
  }
  checkGenerations(copy.copyGenerations, 'copy.copyGenerations');
  const source = copy.source;
  if (
    typeof source?.snapshotId !== 'string' ||
    typeof source.region !== 'string' ||
    typeof source.startTime !== 'number' ||
    typeof source.encrypted !== 'boolean'
  ) {
    throw new InvalidInputError(
      'copy.source',
      "must be this run's completed snapshot: snapshotId, startTime, region, encrypted",
    );
  }
  const carried = copy.carriedTags;
  if (
    carried !== undefined &&
    (typeof carried !== 'object' ||
      carried === null ||
      Object.values(carried).some((v) => typeof v !== 'string'))
  ) {
    throw new InvalidInputError('copy.carriedTags', 'must map tag keys to string values when present');
  }
  return { ...task, copy: copy as CopyWorkItem, ...runOf(task ?? {}), ...reentryOf(task ?? {}) };
}

function checkInstance(item: { instanceId?: unknown; instanceName?: unknown }, path: string): void {
  for (const field of ['instanceId', 'instanceName'] as const) {
    if (item[field] !== undefined && typeof item[field] !== 'string') {
      throw new InvalidInputError(`${path}.${field}`, 'must be a string when present');
    }
  }
}

function checkGenerations(value: unknown, field: string): void {
  if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > MAX_GENERATION) {
    throw new InvalidInputError(field, `must be a whole number from 1 to ${MAX_GENERATION}`);
  }
}

/** The re-entry fields a Task's Parameters add (see `Reentry`), checked when present. */
function reentryOf(task: Reentry): Reentry {
  const { redriveCount, absenceConfirmed, confirmSince } = task;
  if (redriveCount !== undefined && !(Number.isInteger(redriveCount) && redriveCount >= 0)) {
    throw new InvalidInputError('redriveCount', 'must be $$.Execution.RedriveCount, a whole number');
  }
  if (absenceConfirmed !== undefined && typeof absenceConfirmed !== 'boolean') {
    throw new InvalidInputError('absenceConfirmed', 'must be true or false when present');
  }
  if (confirmSince !== undefined && Number.isNaN(Date.parse(confirmSince))) {
    throw new InvalidInputError('confirmSince', 'must be $$.State.EnteredTime, an ISO 8601 timestamp');
  }
  return {
    ...(redriveCount !== undefined && { redriveCount }),
    ...(absenceConfirmed !== undefined && { absenceConfirmed }),
    ...(confirmSince !== undefined && { confirmSince }),
  };
}

function runOf(task: { executionName?: unknown; runId?: unknown }): { executionName: string; runId: string } {
  if (typeof task.executionName !== 'string' || task.executionName === '') {
    throw new InvalidInputError('executionName', 'must be the name of the execution');
  }
  if (typeof task.runId !== 'string' || task.runId === '') {
    throw new InvalidInputError('runId', "must be the run's key, as Discover returned it");
  }
  return { executionName: task.executionName, runId: task.runId };
}

/**
 * Checks what a set Task received (SetStepEvent, SPEC §12): the child's state with its set, as the
 * definition builds it, so a failure is a wiring bug, named by field.
 */
export function parseSetStepEvent(event: unknown): SetStepEvent {
  const input = event as Partial<SetStepEvent> | null;
  const state = input?.state as Partial<SetState> | undefined;
  const set = state?.set as Partial<SetWorkItem> | undefined;
  if (!set || typeof set.instanceId !== 'string' || !Array.isArray(set.volumes) || set.volumes.length === 0) {
    throw new InvalidInputError(
      'state.set',
      'must be a set work item with instanceId, mode, volumes (at least one), excludeBootVolume, excludeDataVolumeIds and onPreScriptFailure',
    );
  }
  if (set.mode !== 'instance' && set.mode !== 'application') {
    throw new InvalidInputError('state.set.mode', 'must be "instance" or "application"');
  }
  if (typeof set.excludeBootVolume !== 'boolean' || !Array.isArray(set.excludeDataVolumeIds)) {
    throw new InvalidInputError(
      'state.set.excludeBootVolume',
      'and excludeDataVolumeIds must be a boolean and an array of volume IDs',
    );
  }
  if (!PRE_SCRIPT_FAILURE_ACTIONS.includes(set.onPreScriptFailure as PreScriptFailureAction)) {
    throw new InvalidInputError(
      'state.set.onPreScriptFailure',
      `must be one of ${PRE_SCRIPT_FAILURE_ACTIONS.join(', ')}`,
    );
  }
  set.volumes.forEach((volume, i) => {
    if (typeof volume?.volumeId !== 'string') {
      throw new InvalidInputError(`state.set.volumes[${i}].volumeId`, 'must be a volume ID');
    }
    checkGenerations(volume.generations, `state.set.volumes[${i}].generations`);
  });
  const run = runOf(state ?? {});
  const { retryCount, enteredTime, phase } = input ?? {};
  if (retryCount !== undefined && !(Number.isInteger(retryCount) && retryCount >= 0)) {
    throw new InvalidInputError('retryCount', 'must be $$.State.RetryCount, a whole number');
  }
  if (enteredTime !== undefined && Number.isNaN(Date.parse(enteredTime))) {
    throw new InvalidInputError('enteredTime', 'must be $$.State.EnteredTime, an ISO 8601 timestamp');
  }
  const { executionStartTime } = input ?? {};
  if (executionStartTime !== undefined && Number.isNaN(Date.parse(executionStartTime))) {
    throw new InvalidInputError(
      'executionStartTime',
      'must be $$.Execution.StartTime, an ISO 8601 timestamp',
    );
  }
  if (phase !== undefined && phase !== 'pre' && phase !== 'post') {
    throw new InvalidInputError('phase', 'must be "pre" or "post" when present');
  }
  return {
    ...input,
    ...reentryOf(input ?? {}),
    state: {
      ...(state as SetState),
      ...run,
      set: set as SetWorkItem,
      absenceConfirmed: state?.absenceConfirmed === true,
    },
  };
}
