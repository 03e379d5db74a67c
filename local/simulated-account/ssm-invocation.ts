import type { CommandInvocationStatus } from '@aws-sdk/client-ssm';
import type { AgentTimeline } from './ssm-agents';
import type { ScriptOutcome } from './ssm-script-outcome';

// One command invocation (a command on one managed node) and the state Run Command reports for it
// at a given moment, computed afresh on every read from what was fixed when the command was sent,
// the node's agent timeline and the clock. Sources:
// statuses https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html
// ("Understanding command statuses" and "Understanding command timeout values"), fields
// https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetCommandInvocation.html.

export interface InvocationRecord {
  readonly commandId: string;
  readonly instanceId: string;
  readonly documentName: string;
  readonly documentVersion: string;
  readonly pluginName: string;
  readonly comment: string;
  readonly requestedAt: number;
  /** Before this, GetCommandInvocation and ListCommandInvocations do not see the invocation. */
  readonly visibleAt: number;
  /** SendCommand's TimeoutSeconds ends here: "If this time is reached and the command hasn't already started running, it won't run." */
  readonly deliveryDeadline: number;
  /** The command's ExpiresAfter: requested + TimeoutSeconds + execution timeout (the "total timeout"). */
  readonly expiresAt: number;
  readonly executionTimeoutMs: number;
  /** What the script does once it runs, fixed when the command was sent. */
  readonly outcome: ScriptOutcome;
  readonly stoppedExitCode: number;
  /** When CancelCommand asked to cancel it. */
  cancelledAt: number | undefined;
}

/** What GetCommandInvocation reports of an invocation now. */
export interface InvocationView {
  readonly status: CommandInvocationStatus;
  readonly statusDetails: string;
  /** -1 while "the command hasn't started running on the managed node, or it wasn't received by the node". */
  readonly responseCode: number;
  readonly startedAt: number | undefined;
  readonly endedAt: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly terminal: boolean;
}

const NOT_RUN = -1;

/**
 * The invocation as Run Command reports it at `now`:
 * - Not yet delivered: `Pending` while the agent is online (delivery is under way), `Delayed`
 *   while it is not ("The system attempted to send the command to the managed node but wasn't
 *   successful. The system retries again"). Delivery happens at the first moment the agent is
 *   online before TimeoutSeconds runs out; after that the command "won't run", and it stays
 *   undelivered until the command expires: `TimedOut` / `DeliveryTimedOut` ("If the command isn't
 *   received by the agent before the length of time passes that's equal to the sum of the Timeout
 *   (seconds) parameter and the Execution timeout parameter, the status changes to Delivery Timed
 *   Out"). A node that stops being managed before delivery makes it `Undeliverable` ("The command
 *   can't be delivered to the instance. The instance might not exist or might not be responding");
 *   its Status is `Failed` (assumption: the Status enum has no Undeliverable, StatusDetails does).
 * - Delivered: `InProgress` while the script runs. It ends with its exit code: 0 is `Success`
 *   ("returned an exit code of zero"), anything else `Failed`, the exit code as ResponseCode. A
 *   script still running at the execution timeout is stopped: `TimedOut` / `ExecutionTimedOut`,
 *   ResponseCode the agent's stopped-process code.
 * - The service learns the end only from the agent: while the agent is offline the invocation
 *   stays `InProgress` ("If the agent isn't running or available on the instance, the command
 *   status remains at In Progress until the agent is available again, or until the execution
 *   timeout limit is reached"); if no terminal answer arrives before the command expires it is
 *   `TimedOut` / `DeliveryTimedOut` ("If Run Command doesn't receive a document terminal response
 *   from SSM Agent, the command invocation is marked as deliveryTimeout").
 * - Cancelled (CancelCommand): before delivery it is `Cancelled` at once; while running, the agent
 *   stops the script when it gets the cancel (at once if online, else when it is back):
 *   `Cancelling` until then, `Cancelled` after, ResponseCode the stopped-process code. A script
 *   that had already ended is not affected ("There is no guarantee that the command will be
 *   terminated").
 */
export function invocationView(record: InvocationRecord, agent: AgentTimeline, now: number): InvocationView {
  const { requestedAt, deliveryDeadline, expiresAt, cancelledAt } = record;
  const deliveredAt = agent.firstOnline(requestedAt, deliveryDeadline);
  const lostAt = agent.firstUnmanaged(requestedAt, deliveredAt ?? expiresAt);
  const cancelledBeforeDelivery =
    cancelledAt !== undefined && (deliveredAt === undefined || cancelledAt <= deliveredAt);
  if (deliveredAt === undefined || deliveredAt > now || cancelledBeforeDelivery) {
    const ends = [
      {
        at: cancelledBeforeDelivery ? cancelledAt : undefined,
        view: ended('Cancelled', 'Cancelled', NOT_RUN),
      },
      { at: lostAt, view: ended('Failed', 'Undeliverable', NOT_RUN) },
      { at: expiresAt, view: ended('TimedOut', 'DeliveryTimedOut', NOT_RUN) },
    ]
      .filter((end): end is { at: number; view: EndedView } => end.at !== undefined)
      .sort((a, b) => a.at - b.at);
    const first = ends[0];
    if (first && first.at <= now) return first.view(first.at);
    const status = agent.statusAt(now) === 'online' ? 'Pending' : 'Delayed';
    return waiting(status);
  }
  return deliveredView(record, agent, deliveredAt, now);
}

function deliveredView(
  record: InvocationRecord,
  agent: AgentTimeline,
  startedAt: number,
  now: number,
): InvocationView {
  const { outcome, expiresAt, cancelledAt, stoppedExitCode } = record;
  const killedAt = startedAt + record.executionTimeoutMs;
  const exitsAt = 'hangs' in outcome ? Number.POSITIVE_INFINITY : startedAt + outcome.afterMs;
  const finishedAt = Math.min(exitsAt, killedAt);
  // The agent acts on a cancel when it next hears from the service.
  const cancelSeenAt = cancelledAt === undefined ? undefined : agent.firstOnline(cancelledAt, expiresAt);
  const cancelled = cancelSeenAt !== undefined && cancelSeenAt < finishedAt;
  const endedAt = cancelled ? cancelSeenAt : finishedAt;
  const reportedAt = agent.firstOnline(endedAt, expiresAt);
  const running = { startedAt, stdout: '', stderr: '' };
  if (reportedAt === undefined || reportedAt > now) {
    if (now >= expiresAt) return { ...ended('TimedOut', 'DeliveryTimedOut', NOT_RUN)(expiresAt), startedAt };
    if (cancelledAt !== undefined && cancelledAt <= now && cancelledAt < finishedAt) {
      return { ...waiting('Cancelling'), ...running };
    }
    return { ...waiting('InProgress'), ...running };
  }
  const output = { startedAt, endedAt, stdout: outcome.stdout, stderr: outcome.stderr, terminal: true };
  if (cancelled)
    return { status: 'Cancelled', statusDetails: 'Cancelled', responseCode: stoppedExitCode, ...output };
  if (exitsAt >= killedAt) {
    return {
      status: 'TimedOut',
      statusDetails: 'ExecutionTimedOut',
      responseCode: stoppedExitCode,
      ...output,
    };
  }
  const exitCode = 'hangs' in outcome ? stoppedExitCode : outcome.exitCode;
  return exitCode === 0
    ? { status: 'Success', statusDetails: 'Success', responseCode: 0, ...output }
    : { status: 'Failed', statusDetails: 'Failed', responseCode: exitCode, ...output };
}

type EndedView = (at: number) => InvocationView;

function ended(status: CommandInvocationStatus, statusDetails: string, responseCode: number): EndedView {
  return (at) => ({
    status,
    statusDetails,
    responseCode,
    startedAt: undefined,
    endedAt: at,
    stdout: '',
    stderr: '',
    terminal: true,
  });
}

function waiting(status: 'Pending' | 'Delayed' | 'InProgress' | 'Cancelling'): InvocationView {
  return {
    status,
    statusDetails: status,
    responseCode: NOT_RUN,
    startedAt: undefined,
    endedAt: undefined,
    stdout: '',
    stderr: '',
    terminal: false,
  };
}
