import type { VolumeTask } from '../contracts/work-items';
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
  for (const field of ['instanceId', 'instanceName'] as const) {
    if (volume[field] !== undefined && typeof volume[field] !== 'string') {
      throw new InvalidInputError(`volume.${field}`, 'must be a string when present');
    }
  }
  if (
    !Number.isInteger(volume.generations) ||
    volume.generations < 1 ||
    volume.generations > MAX_GENERATION
  ) {
    throw new InvalidInputError('volume.generations', `must be a whole number from 1 to ${MAX_GENERATION}`);
  }
  if (typeof task.executionName !== 'string' || task.executionName === '') {
    throw new InvalidInputError('executionName', 'must be the name of the execution');
  }
  if (typeof task.runId !== 'string' || task.runId === '') {
    throw new InvalidInputError('runId', "must be the run's key, as Discover returned it");
  }
  return {
    ...task,
    volume,
    executionName: task.executionName,
    runId: task.runId,
    dryRun: task.dryRun === true,
  };
}
