import './node20-compat';
import { ExecutionError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition } from '../../statemachine/definition';
import { restartAt } from '../../statemachine/local-adaptation';
import type { ExecutionControl } from './execution-control';
import type { TaskHandler } from './lambda-task';

export type ExecutionStatus = 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** A state and the input it was entered with: where a redrive continues, and with what. */
export interface StateEntry {
  state: string;
  input: unknown;
}

export interface ExecutionIdentity {
  name: string;
  arn: string;
  redriveCount: number;
  /** `$$.Execution.StartTime`: when the execution first started (a redrive keeps it). */
  startTime: string;
}

export interface EngineRunOptions {
  definition: AslDefinition;
  input: unknown;
  execution: ExecutionIdentity;
  /** Local handlers of the Task states, by state name. */
  handlers: Record<string, TaskHandler>;
  /** Redrive: continue at this state with its recorded input, instead of at StartAt. */
  restart?: StateEntry;
  /** Handler calls are tracked there: they outlive a stop. */
  control?: ExecutionControl;
  /** Validate the definition (once per process is enough: it costs the engine ~0.5 s). */
  validate?: boolean;
  /** Sees each of the engine's events as it happens (e.g. to count transitions for a benchmark). */
  observe?: (event: EngineEvent) => void;
}

export interface EngineOutcome {
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  /** The state the execution was in when it ended unsuccessfully. */
  unsuccessfulState?: StateEntry;
}

export interface EngineRun {
  /** Stops the execution (StopExecution): running handlers go on, nothing new starts. */
  abort(): void;
  outcome: Promise<EngineOutcome>;
}

/**
 * An event of the engine's log: `ExecutionStarted`, `StateEntered`, `StateExited`,
 * `StateRetried`, `StateFailed`, `StateCaught`, `ExecutionSucceeded`, … (aws-local-stepfunctions'
 * EventLogger). `index` marks the events of an inline Map's iterations.
 */
export interface EngineEvent {
  type: string;
  index?: number;
  state?: { name: string; type?: string; input: unknown; output?: unknown };
}

/**
 * Runs one execution of a definition with aws-local-stepfunctions, keeping what Step Functions
 * keeps and the engine does not: the state being run and its input (for redrive), and
 * `$$.State.RetryCount`, the retries of the current entry of the current state (0 whenever a
 * state is entered, including again through a loop), and `$$.State.EnteredTime`, when the
 * current state was entered (its retries do not enter it again).
 */
export function startEngineRun(options: EngineRunOptions): EngineRun {
  const { execution } = options;
  let current: StateEntry | undefined;
  let retryCount = 0;
  let enteredTime = new Date().toISOString();
  let aborted = false;
  const definition = options.restart
    ? restartAt(options.definition, options.restart.state)
    : options.definition;
  const machine = new StateMachine(definition as never, {
    validationOptions: options.validate ? { checkArn: false } : { noValidate: true },
  });
  observeSynchronously(machine, (event) => {
    options.observe?.(event);
    if (event.index !== undefined || !event.state) return; // an inline Map's iteration
    if (event.type === 'StateEntered') {
      current = { state: event.state.name, input: event.state.input };
      retryCount = 0;
      enteredTime = new Date().toISOString();
    } else if (event.type === 'StateRetried') {
      retryCount += 1;
    }
  });
  const handlers = Object.fromEntries(
    Object.entries(options.handlers).map(([name, handler]) => [
      name,
      (input: unknown) => {
        // After an abort the engine may still wake from a Retry wait: nothing new is invoked.
        if (aborted) return Promise.reject(new Error('The execution was stopped'));
        const work = handler(input);
        options.control?.track(work);
        return work;
      },
    ]),
  );
  const run = machine.run((options.restart ? options.restart.input : options.input) as never, {
    overrides: { taskResourceLocalHandlers: handlers as never },
    noThrowOnAbort: true,
    context: {
      Execution: {
        Name: execution.name,
        Id: execution.arn,
        RedriveCount: execution.redriveCount,
        StartTime: execution.startTime,
      },
      State: {
        get RetryCount() {
          return retryCount;
        },
        get EnteredTime() {
          return enteredTime;
        },
      },
    },
  });
  const outcome = run.result.then(
    (output): EngineOutcome =>
      aborted ? { status: 'ABORTED', unsuccessfulState: current } : { status: 'SUCCEEDED', output },
    (error): EngineOutcome => {
      if (error instanceof ExecutionTimeoutError) {
        return { status: 'TIMED_OUT', error: 'States.Timeout', unsuccessfulState: current };
      }
      const cause = error instanceof ExecutionError ? (error.cause as Error) : (error as Error);
      return { status: 'FAILED', error: cause.name, cause: cause.message, unsuccessfulState: current };
    },
  );
  return {
    abort: () => {
      aborted = true;
      run.abort();
    },
    outcome,
  };
}

/**
 * The engine publishes state entries and retries only through an asynchronous event log, read
 * after the state has already evaluated its Parameters. Its (private) `execute` is handed the
 * event logger; wrapping the logger's `dispatch` there shows each event as it happens. This
 * leans on aws-local-stepfunctions' internals: the RetryCount and redrive tests fail if an
 * upgrade changes them.
 */
function observeSynchronously(machine: StateMachine, observe: (event: EngineEvent) => void): void {
  type Logger = { dispatch(event: EngineEvent): void };
  type Execute = (input: unknown, options: { eventLogger: Logger }, cleanup: () => void) => Promise<unknown>;
  const internals = machine as unknown as { execute: Execute };
  const execute = internals.execute.bind(machine);
  internals.execute = (input, options, cleanup) => {
    const logger = options.eventLogger;
    const dispatch = logger.dispatch.bind(logger);
    logger.dispatch = (event) => {
      observe(event);
      dispatch(event);
    };
    return execute(input, options, cleanup);
  };
}
