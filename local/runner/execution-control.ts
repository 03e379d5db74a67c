/**
 * What stopping an execution reaches, shared by the execution and its Map Runs. StopExecution
 * ends the execution and aborts its running child executions, and starts nothing more; it does
 * not cancel a Lambda invocation already running, which completes (its side effects happen)
 * with its result discarded. `settled()` waits for those invocations, so that a caller sees
 * what they did.
 */
export class ExecutionControl {
  private stoppedFlag = false;
  private readonly onStop = new Set<() => void>();
  private readonly inFlight = new Set<Promise<unknown>>();

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

  /** Records work that runs to completion even if the execution is stopped. */
  track(work: Promise<unknown>): void {
    const done = work.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(done);
    done.then(() => this.inFlight.delete(done));
  }

  /** Resolves once no tracked work is running (work started meanwhile included). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
