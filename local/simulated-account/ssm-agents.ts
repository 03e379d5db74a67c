/**
 * What Systems Manager knows of a node's SSM Agent: `online` (it answers; DescribeInstanceInformation's
 * PingStatus `Online`), `connection-lost` (registered, but not answering: the agent stopped, the
 * instance stopped or lost its network; PingStatus `ConnectionLost`), or `not-managed` (never
 * registered, or deregistered: no agent or no instance profile, so not a managed node at all).
 */
export type AgentStatus = 'online' | 'connection-lost' | 'not-managed';

interface Change {
  readonly at: number;
  readonly status: AgentStatus;
}

/**
 * A node's agent status over the shared clock. Run Command's answers are computed from it on every
 * read, as snapshot states are, so an agent that goes offline in the middle of a script, or comes
 * back before the command expires, changes what later reads say without any timer.
 */
export class AgentTimeline {
  private readonly changes: Change[] = [];

  /** Records a change from `at` on; changes come in clock order. */
  set(status: AgentStatus, at: number): void {
    const last = this.changes.at(-1);
    if (last && at < last.at)
      throw new Error(`Agent status changes must come in clock order (${at} < ${last.at})`);
    this.changes.push({ at, status });
  }

  statusAt(time: number): AgentStatus {
    let status: AgentStatus = 'not-managed';
    for (const change of this.changes) {
      if (change.at > time) break;
      status = change.status;
    }
    return status;
  }

  /** The first moment in [from, until) the agent is online, if any. */
  firstOnline(from: number, until: number): number | undefined {
    if (from >= until) return undefined;
    if (this.statusAt(from) === 'online') return from;
    return this.changes.find((change) => change.at > from && change.at < until && change.status === 'online')
      ?.at;
  }

  /** The first moment in [from, until) the node stops being managed, if any. */
  firstUnmanaged(from: number, until: number): number | undefined {
    if (from >= until) return undefined;
    if (this.statusAt(from) === 'not-managed') return from;
    return this.changes.find(
      (change) => change.at > from && change.at < until && change.status === 'not-managed',
    )?.at;
  }
}
