/**
 * What stopping an execution reaches, shared by the execution and its Map Runs. StopExecution
 * ends the execution and aborts its running child executions, and starts nothing more; it does
 * not cancel a Lambda invocation already running, which completes (its side effects happen)
 * with its result discarded. `settled()` waits for those invocations, so that a caller sees
 * what they did.
 *
 * A Parallel state's branch has a control of its own (`branch()`): the branch stops with the
 * execution, and alone when a sibling branch fails, as AWS stops the other branches of a
 * Parallel state that failed.
 */
export class ExecutionControl {
  private stoppedFlag = false;
  private readonly onStop = new Set<() => void>();
  private readonly inFlight = new Set<Promise<unknown>>();

  /** Set for a branch's control: the control whose work includes this one's. */
  private parent?: ExecutionControl;

  get stopped(): boolean {
    return this.stoppedFlag;
  }

  stop(): void {
    if (this.stoppedFlag) return;
    this.stoppedFlag = true;
    for (const listener of [...this.onStop]) listener();
  }

  /** Calls `listener` when the execution is stopped; returns how to unsubscribe. */
  whenStopped(listener: () => void): () => void {
    this.onStop.add(listener);
    return () => this.onStop.delete(listener);
  }

  /**
   * The control of one branch of a Parallel state: stopped when this one is (the execution is
   * stopped, or the branch's own Parallel failed), and on its own when a sibling fails. Work it
   * tracks is this one's work too, so the execution's `settled()` waits for it.
   */
  branch(): ExecutionControl {
    const child = new ExecutionControl();
    child.parent = this;
    if (this.stopped) child.stop();
    else this.whenStopped(() => child.stop());
    return child;
  }

  /** Records work that runs to completion even if the execution is stopped. */
  track(work: Promise<unknown>): void {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(done);
    done.then(() => this.inFlight.delete(done));
    this.parent?.track(work);
  }

  /** Resolves once no tracked work is running (work started meanwhile included). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
