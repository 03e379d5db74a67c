import type { AslDefinition } from './definition';

/**
 * The adaptations the local runner makes to the definition, each one small function.
 *
 * `adaptForLocalRun`: aws-local-stepfunctions runs a
 * Distributed Map as an inline one: it ignores ItemReader, ResultWriter and failure tolerance,
 * so one failed volume would fail the whole run and nothing would reach S3. Each Distributed
 * Map state therefore becomes a Task state of the same name, keeping every field a Task shares
 * with a Map (paths, selectors, Retry, Catch, Next/End), whose local handler runs the Map's
 * own ItemProcessor for every item, with those semantics (see `local/runner/distributed-map.ts`),
 * and the execution's timeout (a Map has none, a local Task would default to 60 s).
 * Task states without a TimeoutSeconds get AWS's default instead of the local engine's 60 s
 * ("TimeoutSeconds ... default 99999999", https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html),
 * so that a function's own timeout (`lambdas/commons/function-limits.ts`) is what stops it,
 * as on AWS. Every other state is left exactly as it is.
 */
export const LOCAL_DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::local:distributed-map';

/**
 * AWS's default is 99,999,999 s, but a JavaScript timer longer than 2^31-1 ms fires at once
 * (fake timers copy that), so a local run caps it at ~24.8 days: far beyond any run here.
 */
const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

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
  // A state never outlives its execution: the execution's timeout is the tighter bound.
  const taskTimeout = Math.min(definition.TimeoutSeconds ?? MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
  for (const [name, state] of Object.entries(definition.States as Record<string, AslDefinition>)) {
    if (!isDistributedMap(state)) {
      states[name] = withAwsTaskTimeout(state, taskTimeout);
      continue;
    }
    // Child executions have no execution timeout of their own.
    const processor = state.ItemProcessor;
    const processorStates = Object.fromEntries(
      Object.entries(processor.States as Record<string, AslDefinition>).map(([child, s]) => [
        child,
        withAwsTaskTimeout(s, MAX_TIMEOUT_SECONDS),
      ]),
    );
    distributedMaps[name] = { ...state, ItemProcessor: { ...processor, States: processorStates } };
    // A Map state has no timeout of its own; the local engine gives a Task 60 s unless told.
    const task: AslDefinition = {
      Type: 'Task',
      Resource: LOCAL_DISTRIBUTED_MAP_RESOURCE,
      TimeoutSeconds: taskTimeout,
    };
    for (const field of FIELDS_SHARED_WITH_TASK) {
      if (field in state) task[field] = state[field];
    }
    states[name] = task;
  }
  return { definition: { ...definition, States: states }, distributedMaps };
}

function withAwsTaskTimeout(state: AslDefinition, seconds: number): AslDefinition {
  if (state.Type !== 'Task' || 'TimeoutSeconds' in state || 'TimeoutSecondsPath' in state) return state;
  return { ...state, TimeoutSeconds: seconds };
}

/**
 * The definition a redrive runs: the same states, started at the one that did not succeed (the
 * engine is then given that state's recorded input). RedriveExecution "continues the failed
 * execution from the unsuccessful step and uses the same input"
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html).
 * The local engine sets `$$.Execution.Input` and `$$.Execution.StartTime` to what it starts
 * with, which on a redrive would be the state's input and the redrive time, so a definition
 * that reads either is refused rather than run differently from AWS.
 */
export function restartAt(definition: AslDefinition, stateName: string): AslDefinition {
  if (!Object.hasOwn(definition.States, stateName)) {
    throw new Error(`Cannot restart at ${stateName}: the definition has no such state`);
  }
  const text = JSON.stringify(definition);
  for (const field of ['$$.Execution.Input', '$$.Execution.StartTime']) {
    if (text.includes(field)) throw new Error(`Cannot restart a definition that reads ${field} locally`);
  }
  return { ...definition, StartAt: stateName };
}
