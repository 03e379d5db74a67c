import type { AslDefinition } from './definition';

/**
 * The one adaptation the local runner makes to the definition. aws-local-stepfunctions runs a
 * Distributed Map as an inline one: it ignores ItemReader, ResultWriter and failure tolerance,
 * so one failed volume would fail the whole run and nothing would reach S3. Each Distributed
 * Map state therefore becomes a Task state of the same name, keeping every field a Task shares
 * with a Map (paths, selectors, Retry, Catch, Next/End), whose local handler runs the Map's
 * own ItemProcessor for every item, with those semantics (see `bin/local/distributed-map.ts`),
 * and the execution's timeout (a Map has none, a local Task would default to 60 s).
 * Every other state is left exactly as it is.
 */
export const LOCAL_DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::local:distributed-map';

const MAX_TIMEOUT_SECONDS = 99_999_999;

const FIELDS_SHARED_WITH_TASK = [
  'Comment',
  'InputPath',
  'ResultSelector',
  'ResultPath',
  'OutputPath',
  'Retry',
  'Catch',
  'Next',
  'End',
] as const;

export interface LocalAdaptation {
  definition: AslDefinition;
  /** The original Distributed Map states, by state name. */
  distributedMaps: Record<string, AslDefinition>;
}

export function isDistributedMap(state: AslDefinition): boolean {
  return state.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

export function adaptForLocalRun(definition: AslDefinition): LocalAdaptation {
  const distributedMaps: Record<string, AslDefinition> = {};
  const states: Record<string, AslDefinition> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, AslDefinition>)) {
    if (!isDistributedMap(state)) {
      states[name] = state;
      continue;
    }
    distributedMaps[name] = state;
    // A Map state has no timeout of its own; the local engine gives a Task 60 s unless told.
    const task: AslDefinition = {
      Type: 'Task',
      Resource: LOCAL_DISTRIBUTED_MAP_RESOURCE,
      TimeoutSeconds: definition.TimeoutSeconds ?? MAX_TIMEOUT_SECONDS,
    };
    for (const field of FIELDS_SHARED_WITH_TASK) {
      if (field in state) task[field] = state[field];
    }
    states[name] = task;
  }
  return { definition: { ...definition, States: states }, distributedMaps };
}
