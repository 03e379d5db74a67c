import './node20-compat';
import type { ChildExecutionResult } from '../../lambdas/contracts/map-run';
import type { AslDefinition } from '../../statemachine/definition';
import { adaptForLocalRun } from '../../statemachine/local-adaptation';
import { type MapRunRecord, runDistributedMap } from './distributed-map';
import { type EngineEvent, type ExecutionStatus, type StateEntry, startEngineRun } from './engine-run';
import { ExecutionControl } from './execution-control';
import type { LambdaTimeoutError } from './lambda-invocation';
import type { TaskHandler } from './lambda-task';
import {
  type AccountClients,
  type BilledInvocation,
  type LocalDeployment,
  localDefinition,
  localTaskHandlers,
  stateMachineArn,
} from './local-deployment';
import { type ParallelRecord, runParallel } from './parallel';
import { sdkIntegrationHandlers } from './sdk-integrations';

export type { EngineEvent, ExecutionStatus, StateEntry } from './engine-run';
export type { BilledInvocation } from './local-deployment';
export type { ParallelRecord } from './parallel';

const validatedDefinitions = new Set<string>();

export interface LocalExecutionOptions {
  clients: AccountClients;
  deployment: LocalDeployment;
  executionName: string;
  input: unknown;
  /** Progress: a Task state (a fan-out, a Parallel) started or returned, or a fan-out child ended. */
  onProgress?: (event: ProgressEvent) => void;
  /**
   * Stops the execution, as StopExecution does, as soon as this returns true for a progress
   * event: the result is ABORTED, running children of a Distributed Map are aborted, items not
   * started are not started, and Lambda invocations already running complete (their side
   * effects happen; their results are discarded) before the result is returned.
   */
  stopWhen?: (event: ProgressEvent) => boolean;
  /** Latencies of the services the run uses (virtual time); default none, every step is instant. */
  latency?: LatencyModel;
  /** Sees what Step Functions and Lambda would record and bill (for benchmarks). */
  observer?: ExecutionObserver;
  /** How a timed-out invocation is reported (see LambdaTimeoutError); default `Sandbox.Timedout`. */
  lambdaTimeoutError?: LambdaTimeoutError;
}

/**
 * Modelled latencies, in virtual ms. EC2's own call latency is the simulated account's
 * (`SimulatedEc2Options.callLatencyMs`).
 */
export interface LatencyModel {
  /** Before each Lambda handler runs: Step Functions invoking the function, and the answer back. */
  readonly invokeOverheadMs: number;
  /** INIT phase of a new execution environment, when no warm one of the function is free. */
  readonly initMs: number;
  /** From a Distributed Map starting a child execution to the child's first state. */
  readonly childStartMs: number;
}

export interface ExecutionObserver {
  /** An engine event of the execution (`map` undefined) or of a child of the Distributed Map `map`. */
  onEngineEvent?: (event: EngineEvent, map?: string) => void;
  /** A Distributed Map started (or redrove) a child execution. */
  onChildStarted?: (map: string) => void;
  /** A Lambda invocation ended: what it is billed for. */
  onInvoked?: (invocation: BilledInvocation) => void;
}

export type RedriveOptions = Omit<LocalExecutionOptions, 'executionName' | 'input'>;

export type ProgressEvent =
  | { type: 'state'; name: string }
  | { type: 'output'; name: string; output: unknown }
  /** `finished`: children of this Map Run ended so far in this attempt, this one included. */
  | { type: 'child'; map: string; child: ChildExecutionResult; finished: number };

export interface LocalExecutionResult {
  executionName: string;
  executionArn: string;
  status: ExecutionStatus;
  /** The execution's input (a redrive keeps it). */
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  /**
   * The Task states run in this attempt, in the order they started, one entry per attempt: the
   * execution's own, in Parallel branches too, and its fan-outs and Parallel states (Tasks
   * locally); not those of the fan-outs' children.
   */
  tasks: string[];
  /** `$$.Execution.RedriveCount` of this attempt: 0, then one more per redrive. */
  redriveCount: number;
  /** When the execution first started (ISO 8601); a redrive keeps it. */
  startTime: string;
  /** Unsuccessful executions: the top-level state that did not succeed and its input, where a redrive continues. */
  unsuccessfulState?: StateEntry;
  /**
   * Every Map Run of the execution so far, by Map state name, in the order they started (a Map in
   * a loop starts one per entry): their children, for a redrive, which continues the last one.
   */
  mapRuns: Record<string, MapRunRecord[]>;
  /** How each Parallel state's branches ended, by state name: where a redrive continues each. */
  parallels: Record<string, ParallelRecord>;
}

/**
 * Runs one execution of the real definition with aws-local-stepfunctions and the real handlers
 * in-process. The Distributed Maps run through `runDistributedMap` (see
 * `statemachine/local-adaptation.ts`); everything else is the engine running the deployed ASL.
 * Run it under a `VirtualClock` so that Retry waits and function timeouts take virtual time.
 */
export function runLocalExecution(options: LocalExecutionOptions): Promise<LocalExecutionResult> {
  const arn = `${stateMachineArn(options.deployment).replace(':stateMachine:', ':execution:')}:${options.executionName}`;
  return runAttempt(options, {
    executionName: options.executionName,
    executionArn: arn,
    input: options.input,
    redriveCount: 0,
    startTime: new Date().toISOString(),
    mapRuns: {},
    parallels: {},
  });
}

/**
 * Redrives an unsuccessful execution as RedriveExecution does
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html):
 * same name and ARN, `$$.Execution.RedriveCount` one more, continuing from the state that did
 * not succeed with the input it had; states that succeeded are not run again. A Distributed Map
 * that did not succeed has its Map Run redriven (see `runDistributedMap`), a Parallel state its
 * unsuccessful branches (see `runParallel`).
 */
export function redriveLocalExecution(
  previous: LocalExecutionResult,
  options: RedriveOptions,
): Promise<LocalExecutionResult> {
  if (previous.status === 'SUCCEEDED') {
    throw new Error(
      `Execution ${previous.executionName} succeeded: only unsuccessful executions can be redriven`,
    );
  }
  return runAttempt(
    { ...options, executionName: previous.executionName, input: previous.input },
    {
      executionName: previous.executionName,
      executionArn: previous.executionArn,
      input: previous.input,
      redriveCount: previous.redriveCount + 1,
      startTime: previous.startTime,
      mapRuns: structuredClone(previous.mapRuns),
      parallels: structuredClone(previous.parallels),
      restart: previous.unsuccessfulState,
    },
  );
}

interface Attempt {
  executionName: string;
  executionArn: string;
  input: unknown;
  redriveCount: number;
  startTime: string;
  mapRuns: Record<string, MapRunRecord[]>;
  parallels: Record<string, ParallelRecord>;
  restart?: StateEntry;
}

async function runAttempt(options: LocalExecutionOptions, attempt: Attempt): Promise<LocalExecutionResult> {
  const { clients, deployment } = options;
  const definition = localDefinition(deployment);
  const adaptation = adaptForLocalRun(definition);
  const { latency, observer } = options;
  const runtime =
    latency || observer?.onInvoked
      ? {
          invokeOverheadMs: latency?.invokeOverheadMs,
          initMs: latency?.initMs,
          onInvoked: observer?.onInvoked,
        }
      : undefined;
  const functions = {
    ...localTaskHandlers(clients, deployment, runtime, options.lambdaTimeoutError),
    ...sdkIntegrationHandlers(definition, clients),
  };
  const control = new ExecutionControl();
  const execution = {
    name: attempt.executionName,
    arn: attempt.executionArn,
    redriveCount: attempt.redriveCount,
    startTime: attempt.startTime,
  };
  const parent = { ...execution, stateMachineArn: stateMachineArn(deployment) };
  const { mapRuns, parallels } = attempt;
  const tasks: string[] = [];
  const emit = (event: ProgressEvent) => {
    options.onProgress?.(event);
    if (!control.stopped && options.stopWhen?.(event)) control.stop();
  };
  const track =
    (name: string, handler: TaskHandler): TaskHandler =>
    async (input) => {
      tasks.push(name);
      emit({ type: 'state', name });
      const output = await handler(input);
      // A stopped execution discards what a running invocation returns.
      if (!control.stopped) emit({ type: 'output', name, output });
      return output;
    };
  // The states a redrive continues at: the top-level one, and in a Parallel each branch's. A
  // Distributed Map among them redrives its last Map Run, once; any later entry starts a new one.
  const resuming = new Set(attempt.restart ? [attempt.restart.state] : []);
  const observe = observer?.onEngineEvent && ((event: EngineEvent) => observer.onEngineEvent?.(event));
  const distributedMap =
    (name: string, mapState: AslDefinition, scope: ExecutionControl): TaskHandler =>
    (input) => {
      let finished = 0;
      const runs = mapRuns[name] ?? [];
      mapRuns[name] = runs;
      const previous = resuming.delete(name) ? runs.at(-1) : undefined;
      const runNumber = previous ? runs.length : runs.length + 1;
      return runDistributedMap({
        mapState,
        stateName: name,
        runNumber,
        input,
        parent,
        s3: clients.s3,
        handlers: functions,
        control: scope,
        previous,
        onMapRun: (record) => {
          runs[runNumber - 1] = record;
        },
        onChildDone: (child) => emit({ type: 'child', map: name, child, finished: ++finished }),
        onChildStarted: observer?.onChildStarted && (() => observer.onChildStarted?.(name)),
        observeChild: observer?.onEngineEvent && ((event) => observer.onEngineEvent?.(event, name)),
        childStartMs: latency?.childStartMs,
      });
    };
  /** The handler of every Task state (as adapted), for states running under `scope`. */
  const handlersFor = (scope: ExecutionControl): Record<string, TaskHandler> => {
    const handlers: Record<string, TaskHandler> = {};
    for (const [name, handler] of Object.entries(functions)) handlers[name] = track(name, handler);
    for (const [name, mapState] of Object.entries(adaptation.distributedMaps)) {
      handlers[name] = track(name, distributedMap(name, mapState, scope));
    }
    for (const [name, state] of Object.entries(adaptation.parallels)) {
      handlers[name] = track(name, (input) =>
        runParallel({
          state,
          input,
          execution,
          control: scope,
          handlers: handlersFor,
          previous: resuming.delete(name) ? parallels[name] : undefined,
          onRecord: (record) => {
            parallels[name] = record;
          },
          onResume: (state) => resuming.add(state),
          observe,
        }),
      );
    }
    return handlers;
  };
  const key = JSON.stringify(adaptation.definition);
  const engine = startEngineRun({
    definition: adaptation.definition,
    input: attempt.input,
    execution,
    handlers: handlersFor(control),
    restart: attempt.restart,
    control,
    validate: !attempt.restart && !validatedDefinitions.has(key),
    observe,
  });
  validatedDefinitions.add(key);
  control.whenStopped(() => engine.abort());
  const outcome = await engine.outcome;
  await control.settled();
  return {
    executionName: attempt.executionName,
    executionArn: attempt.executionArn,
    input: attempt.input,
    redriveCount: attempt.redriveCount,
    startTime: attempt.startTime,
    tasks,
    mapRuns,
    parallels,
    ...outcome,
  };
}
