import type { AslDefinition } from '../../statemachine/definition';
import {
  type EngineEvent,
  type ExecutionIdentity,
  type ExecutionStatus,
  type StateEntry,
  startEngineRun,
} from './engine-run';
import type { ExecutionControl } from './execution-control';
import type { TaskHandler } from './lambda-task';

/** How one branch of a Parallel state ended: its output, or where a redrive continues it. */
export interface BranchRecord {
  status: ExecutionStatus;
  output?: unknown;
  error?: string;
  cause?: string;
  unsuccessfulState?: StateEntry;
}

/** What a Parallel state's run leaves behind, for a redrive: how each branch ended, by index. */
export interface ParallelRecord {
  branches: (BranchRecord | undefined)[];
}

export interface ParallelRun {
  /** The Parallel state, its branches adapted for local runs (`adaptForLocalRun`). */
  state: AslDefinition;
  input: unknown;
  /** The execution running it: its branches' `$$.Execution`. */
  execution: ExecutionIdentity;
  /** The execution's (or the enclosing branch's) control: stopping it stops every branch. */
  control: ExecutionControl;
  /**
   * The handlers of the branches' Task states, by state name, for a branch with this control:
   * a Distributed Map or Parallel inside a branch stops with its branch.
   */
  handlers: (control: ExecutionControl) => Record<string, TaskHandler>;
  /** Redrive: the Parallel as the previous attempt left it. */
  previous?: ParallelRecord;
  /** Called at the start with the record, which is then kept up to date. */
  onRecord?: (record: ParallelRecord) => void;
  /** A branch is about to continue at this state of it (a redrive), before the state runs. */
  onResume?: (state: string) => void;
  /** Sees the state events of every branch: they are the execution's own. */
  observe?: (event: EngineEvent) => void;
}

/** Events of a branch's states; its start and end are the Parallel state's, not the execution's. */
const STATE_EVENTS = new Set(['StateEntered', 'StateExited', 'StateRetried', 'StateFailed', 'StateCaught']);

/**
 * Runs a Parallel state as Step Functions does, for local runs: every branch gets the state's
 * input and runs at once; the output is the branches' outputs, in order. "If any branch fails,
 * because of an unhandled error or by transitioning to a Fail state, the entire Parallel state
 * is considered to have failed and all its branches are stopped"
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html): the first failure
 * stops the others and is the state's error.
 *
 * A redrive "reschedules and redrives only the iterations and branches that failed or aborted",
 * continuing "from the unsuccessful step" and not rerunning the steps that succeeded
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_RedriveExecution.html): a
 * branch that succeeded keeps its output; each other branch continues at the state it was in
 * (the state entered without being exited), with the input it had.
 */
export async function runParallel(run: ParallelRun): Promise<unknown[]> {
  const branches = run.state.Branches as AslDefinition[];
  const record: ParallelRecord = { branches: branches.map((_, index) => run.previous?.branches[index]) };
  run.onRecord?.(record);
  const controls = branches.map(() => run.control.branch());
  let failure: BranchRecord | undefined;
  const observe =
    run.observe && ((event: EngineEvent) => STATE_EVENTS.has(event.type) && run.observe?.(event));
  await Promise.all(
    branches.map(async (branch, index) => {
      const previous = record.branches[index];
      if (previous?.status === 'SUCCEEDED') return;
      const restart = previous?.unsuccessfulState;
      if (restart) run.onResume?.(restart.state);
      const control = controls[index];
      const engine = startEngineRun({
        definition: branch,
        input: run.input,
        execution: run.execution,
        handlers: run.handlers(control),
        restart,
        control,
        observe,
      });
      const unsubscribe = control.whenStopped(() => engine.abort());
      const outcome = await engine.outcome;
      unsubscribe();
      record.branches[index] = outcome;
      if (outcome.status !== 'SUCCEEDED' && failure === undefined) {
        failure = outcome;
        for (const other of controls) other.stop();
      }
    }),
  );
  if (failure) throw namedError(failure.error ?? 'States.Aborted', failure.cause ?? 'A branch was stopped');
  return record.branches.map((branch) => branch?.output);
}

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
