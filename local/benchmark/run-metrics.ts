import type { BilledInvocation, EngineEvent, ExecutionObserver } from '../runner/local-execution';

/**
 * What one execution costs in Step Functions' and Lambda's terms, gathered from the local
 * runner's events as they happen (no per-child bookkeeping beyond counters).
 *
 * Transitions, as Step Functions bills them (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-transitions.html):
 * one per state entered, one per retry, and one per child execution a Distributed Map starts;
 * parent and children alike.
 */
export class RunMetrics implements ExecutionObserver {
  transitions = 0;
  childStarts = 0;
  /** Largest state input or output, in UTF-8 bytes of its JSON, parent and children. */
  maxPayloadBytes = 0;
  maxPayloadState = '';
  parentHistoryEvents = 0;
  readonly invocations: BilledInvocation[] = [];
  /**
   * Virtual time each state of the parent was first entered and last exited: a state in a loop
   * (PruneVolumes, once per batch) spans all its entries.
   */
  readonly parentStates: Record<string, { entered?: number; exited?: number }> = {};

  constructor(
    private readonly distributedMaps: ReadonlySet<string>,
    private readonly parallels: ReadonlySet<string> = new Set(),
  ) {}

  readonly onEngineEvent = (event: EngineEvent, map?: string): void => {
    if (event.type === 'StateEntered' || event.type === 'StateRetried') this.transitions += 1;
    if (event.type === 'StateEntered') this.payload(event.state?.input, event.state?.name);
    if (event.type === 'StateExited') this.payload(event.state?.output, event.state?.name);
    if (map !== undefined) return;
    const name = event.state?.name;
    this.parentHistoryEvents += historyEventsOf(
      event,
      name !== undefined && this.distributedMaps.has(name),
      name !== undefined && this.parallels.has(name),
    );
    if (name === undefined) return;
    const window = this.parentStates[name] ?? {};
    this.parentStates[name] = window;
    if (event.type === 'StateEntered') window.entered ??= Date.now();
    if (event.type === 'StateExited') window.exited = Date.now();
  };

  readonly onChildStarted = (): void => {
    this.childStarts += 1;
    this.transitions += 1;
  };

  readonly onInvoked = (invocation: BilledInvocation): void => {
    this.invocations.push(invocation);
  };

  private payload(value: unknown, state: string | undefined): void {
    const bytes = Buffer.byteLength(JSON.stringify(value) ?? '');
    if (bytes > this.maxPayloadBytes) {
      this.maxPayloadBytes = bytes;
      this.maxPayloadState = state ?? '';
    }
  }
}

/**
 * The events AWS records in an execution's history for one engine event, an estimate from the
 * event types of the history API (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html):
 * - ExecutionStarted / ExecutionSucceeded / ExecutionFailed / …: 1 each;
 * - a Task state (Lambda) entered: TaskStateEntered and its first attempt, LambdaFunctionScheduled,
 *   LambdaFunctionStarted and LambdaFunctionSucceeded or …Failed / …TimedOut: 4;
 * - each retry of a Task: another attempt, 3;
 * - a Distributed Map entered: MapStateEntered, MapStateStarted, MapRunStarted, MapRunSucceeded
 *   (or …Failed) and MapStateSucceeded (or …Failed): 5 (its children have their own histories);
 * - a Parallel state entered: ParallelStateEntered, ParallelStateStarted and ParallelStateSucceeded
 *   (or …Failed): 3; the states of its branches are the execution's, each counted as it comes;
 * - any other state entered (Choice, Succeed, Fail, Pass): 1; every state exited: 1.
 * A Task calling an AWS SDK integration records TaskScheduled, TaskStarted, TaskSucceeded as a
 * Lambda Task records its Lambda events: 4 as well.
 */
export function historyEventsOf(event: EngineEvent, isDistributedMap: boolean, isParallel = false): number {
  switch (event.type) {
    case 'ExecutionStarted':
    case 'ExecutionSucceeded':
    case 'ExecutionFailed':
    case 'ExecutionAborted':
    case 'ExecutionTimeout':
    case 'StateExited':
      return 1;
    case 'StateEntered':
      if (isDistributedMap) return 5;
      if (isParallel) return 3;
      return event.state?.type === 'Task' ? 4 : 1;
    case 'StateRetried':
      return isDistributedMap ? 4 : 3;
    default:
      return 0;
  }
}
