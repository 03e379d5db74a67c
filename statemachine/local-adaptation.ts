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
 *
 * A Parallel state becomes a Task the same way (it shares every field with a Task, Parameters
 * included), whose local handler runs each of its branches (see `local/runner/parallel.ts`),
 * adapted like the top level: a Distributed Map inside a branch is run as one at the top is.
 * The engine can run a Parallel itself, but not as a redrive does: RedriveExecution "redrives
 * only the iterations and branches that failed or aborted", each from its unsuccessful step,
 * keeping what succeeded
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html),
 * where the engine restarts every branch from its start; and it forwards a branch's events
 * without saying which branch they came from, so where each branch stopped is not known.
 *
 * Task states without a TimeoutSeconds get AWS's default instead of the local engine's 60 s
 * ("TimeoutSeconds ... default 99999999", https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html),
 * so that a function's own timeout (`lambdas/commons/function-limits.ts`) is what stops it,
 * as on AWS. Every other state is left exactly as it is.
 */
export const LOCAL_DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::local:distributed-map';
export const LOCAL_PARALLEL_RESOURCE = 'arn:aws:states:::local:parallel';

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

/** A Parallel's Parameters are its branches' input, as a Task's are its handler's. (A Map's are its ItemSelector's old name.) */
const PARALLEL_FIELDS_SHARED_WITH_TASK = [...FIELDS_SHARED_WITH_TASK, 'Parameters'] as const;

export interface LocalAdaptation {
  definition: AslDefinition;
  /**
   * The original Distributed Map states, by state name, wherever they are (state names are unique
   * in the whole state machine, branches included).
   */
  distributedMaps: Record<string, AslDefinition>;
  /** The Parallel states, by state name, their branches adapted as the top level is. */
  parallels: Record<string, AslDefinition>;
}

export function isDistributedMap(state: AslDefinition): boolean {
  return state.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

export function adaptForLocalRun(definition: AslDefinition): LocalAdaptation {
  const adaptation: LocalAdaptation = { definition, distributedMaps: {}, parallels: {} };
  // A state never outlives its execution: the execution's timeout is the tighter bound.
  const taskTimeout = Math.min(definition.TimeoutSeconds ?? MAX_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS);
  const states = adaptStates(definition.States, taskTimeout, adaptation, new Set());
  return { ...adaptation, definition: { ...definition, States: states } };
}

/** The states of the top level or of a branch, adapted; what was replaced is recorded in `found`. */
function adaptStates(
  original: Record<string, AslDefinition>,
  taskTimeout: number,
  found: LocalAdaptation,
  names: Set<string>,
): Record<string, AslDefinition> {
  const states: Record<string, AslDefinition> = {};
  for (const [name, state] of Object.entries(original)) {
    // The runner finds a nested state's original by its name alone.
    if (names.has(name)) throw new Error(`State name ${name} is used twice: names must be unique`);
    names.add(name);
    if (isDistributedMap(state)) {
      found.distributedMaps[name] = withChildTimeouts(state);
      states[name] = localTask(state, LOCAL_DISTRIBUTED_MAP_RESOURCE, FIELDS_SHARED_WITH_TASK, taskTimeout);
    } else if (state.Type === 'Parallel') {
      found.parallels[name] = {
        ...state,
        Branches: state.Branches.map((branch: AslDefinition) => ({
          ...branch,
          States: adaptStates(branch.States, taskTimeout, found, names),
        })),
      };
      states[name] = localTask(state, LOCAL_PARALLEL_RESOURCE, PARALLEL_FIELDS_SHARED_WITH_TASK, taskTimeout);
    } else {
      states[name] = withAwsTaskTimeout(state, taskTimeout);
    }
  }
  return states;
}

/** A Distributed Map's children have no execution timeout of their own: AWS's Task default. */
function withChildTimeouts(map: AslDefinition): AslDefinition {
  const processor = map.ItemProcessor;
  const processorStates = Object.fromEntries(
    Object.entries(processor.States as Record<string, AslDefinition>).map(([child, s]) => [
      child,
      withAwsTaskTimeout(s, MAX_TIMEOUT_SECONDS),
    ]),
  );
  return { ...map, ItemProcessor: { ...processor, States: processorStates } };
}

/**
 * The Task a Map or Parallel state becomes: the fields it shares with a Task, and the execution's
 * timeout (neither state has a timeout of its own; the local engine gives a Task 60 s unless told).
 */
function localTask(
  state: AslDefinition,
  resource: string,
  shared: readonly string[],
  timeoutSeconds: number,
): AslDefinition {
  const task: AslDefinition = { Type: 'Task', Resource: resource, TimeoutSeconds: timeoutSeconds };
  for (const field of shared) {
    if (field in state) task[field] = state[field];
  }
  return task;
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
