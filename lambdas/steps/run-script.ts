import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  paginateListCommandInvocations,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import {
  COMMAND_PAGES,
  SCRIPT_DELIVERY_TIMEOUT_SECONDS,
  SCRIPT_PHASE_PARAMETER,
  SCRIPT_TIMEOUT_PARAMETER,
  type ScriptOutcome,
  type ScriptPhase,
  type SetState,
  type SetStepEvent,
  SSM_LISTING_LAG_TOLERANCE_MS,
  setLabel,
} from '../contracts/sets';
import { InvalidInputError, ScriptPendingError } from '../core/errors';

export interface RunScriptDeps {
  ssm: SSMClient;
  /** The SSM Command document that runs the scripts (the stack's own, or the one configured). */
  document: string;
  /** How long a script may run, in seconds (SCRIPT_TIMEOUT_RANGE_SECONDS). */
  scriptTimeoutSeconds: number;
  now: () => number;
}

/** The comment that names this run's command of one phase: how a re-entry finds it (SendCommand has no client token). */
export function scriptComment(runId: string, phase: ScriptPhase): string {
  return `ebs-backup ${phase}-snapshot ${runId}`;
}

/**
 * PreScript and PostScript (SPEC §12.4): the instance's script of one phase, through SSM Run
 * Command, waited for by the state machine. Each invocation does one thing and returns or throws
 * `ScriptPending`, which the definition retries at short intervals for as long as a script may
 * take (its delivery, then its timeout): no Lambda sleeps while a script runs.
 * - The first entry sends the command (the document, the phase, the script timeout; the phase and
 *   run in its Comment). Every later entry (a retry, a redrive) looks for that command first, and
 *   sends only when none was listed SSM_LISTING_LAG_TOLERANCE_MS after the state was entered.
 * - An instance that is no managed node (`InvalidInstanceId`) is `NotManaged`; a command its agent
 *   has not taken (`Delayed`: the agent is offline) is cancelled and reported `AgentOffline` at
 *   once, not waited for; neither ran the script.
 * - The invocation's end is the outcome: `Success`, `Failed` with the exit code and the end of
 *   the script's error output, `TimedOut` (the script's own timeout, or delivery), `Cancelled`.
 * - PostScript after a pre-script that never ran (`ran` false) is `NotRun`, sending nothing.
 * Script failures are outcomes, not errors: FinishSet decides what they mean for the set.
 */
export async function runScript(deps: RunScriptDeps, event: SetStepEvent): Promise<ScriptOutcome> {
  const phase = event.phase;
  if (phase !== 'pre' && phase !== 'post') {
    throw new InvalidInputError('phase', 'must be "pre" or "post"');
  }
  const { state } = event;
  const instanceId = state.set.instanceId;
  if (phase === 'post' && !preScriptMayHaveRun(state)) {
    return {
      phase,
      status: 'NotRun',
      ran: false,
      message: 'the pre-script never ran, so there is nothing to undo',
    };
  }
  const comment = scriptComment(state.runId, phase);
  const firstEntry = (event.retryCount ?? 0) === 0 && (event.redriveCount ?? 0) === 0;
  const entered = Date.parse(event.enteredTime ?? '');
  const started = Date.parse(event.executionStartTime ?? '');
  // From the child's start (a redriven phase's command may predate its entry); without either
  // time (a wiring bug), as far back as a run can last.
  const since = !Number.isNaN(started)
    ? started
    : Number.isNaN(entered)
      ? deps.now() - 7 * 24 * 3_600_000
      : entered;
  const commandId = firstEntry ? undefined : await findCommand(deps, instanceId, comment, since);
  if (commandId) return follow(deps, phase, state, commandId);
  if (!firstEntry) {
    if (Number.isNaN(entered) || deps.now() - entered < SSM_LISTING_LAG_TOLERANCE_MS) {
      throw new ScriptPendingError(
        `${phase}-script of ${setLabel(state.set)}: no command of this run listed yet; looking again before sending one`,
      );
    }
  }
  return send(deps, phase, state, comment);
}

/** The post-script follows whenever the pre-script ran or may have (SPEC §12.4: always, once it ran). */
export function preScriptMayHaveRun(state: SetState): boolean {
  if (state.preScriptError) return true;
  return state.preScript?.ran === true;
}

/**
 * Runs an SSM call; one SSM throttled or could not answer (or whose answer was lost) is
 * `ScriptPending`: the state's Retry takes it again, a bounded number of times, and a SendCommand
 * whose outcome is unknown is looked for before any other is sent.
 */
async function ssmCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const e = error as Error & { $fault?: string; $metadata?: { httpStatusCode?: number } };
    const transient =
      /Throttl|TooManyRequests|TimeoutError|RequestTimeout|ECONNRESET|ETIMEDOUT|ECONNREFUSED/.test(e.name) ||
      e.$fault === 'server' ||
      (e.$metadata?.httpStatusCode ?? 0) >= 500;
    if (transient) throw new ScriptPendingError(`${what}: ${e.name}: ${e.message}; trying again`);
    throw error;
  }
}

/**
 * This run's command of the phase on the instance, by its Comment, among the commands of the
 * document sent to it since the state was entered (less a minute for clocks): the filters keep it
 * to a page or two, whatever else runs on the instance, and at most COMMAND_PAGES are read.
 */
async function findCommand(
  deps: RunScriptDeps,
  instanceId: string,
  comment: string,
  enteredAt: number,
): Promise<string | undefined> {
  return ssmCall(`ListCommandInvocations of ${instanceId}`, async () => {
    const pages = paginateListCommandInvocations(
      { client: deps.ssm },
      {
        InstanceId: instanceId,
        Filters: [
          { key: 'InvokedAfter', value: new Date(enteredAt - 60_000).toISOString() },
          { key: 'DocumentName', value: deps.document },
        ],
      },
    );
    let read = 0;
    for await (const page of pages) {
      const found = (page.CommandInvocations ?? []).find(
        (i) => i.Comment === comment && i.DocumentName === deps.document,
      );
      if (found?.CommandId) return found.CommandId;
      read += 1;
      if (read >= COMMAND_PAGES) break;
    }
    return undefined;
  });
}

async function send(
  deps: RunScriptDeps,
  phase: ScriptPhase,
  state: SetState,
  comment: string,
): Promise<ScriptOutcome> {
  const instanceId = state.set.instanceId;
  try {
    const { Command } = await ssmCall(`SendCommand to ${instanceId}`, () =>
      deps.ssm.send(
        new SendCommandCommand({
          InstanceIds: [instanceId],
          DocumentName: deps.document,
          Parameters: {
            [SCRIPT_PHASE_PARAMETER]: [phase],
            [SCRIPT_TIMEOUT_PARAMETER]: [String(deps.scriptTimeoutSeconds)],
          },
          TimeoutSeconds: SCRIPT_DELIVERY_TIMEOUT_SECONDS,
          Comment: comment,
        }),
      ),
    );
    throw new ScriptPendingError(
      `${phase}-script of ${setLabel(state.set)}: command ${Command?.CommandId ?? '(unknown)'} sent; waiting for it`,
    );
  } catch (error) {
    if ((error as Error).name === 'InvalidInstanceId') {
      return {
        phase,
        status: 'NotManaged',
        ran: false,
        message: `${instanceId} is not an SSM managed node (no agent, no instance profile allowing SSM, or not running): ${(error as Error).message}`,
      };
    }
    throw error;
  }
}

async function follow(
  deps: RunScriptDeps,
  phase: ScriptPhase,
  state: SetState,
  commandId: string,
): Promise<ScriptOutcome> {
  const instanceId = state.set.instanceId;
  let invocation: GetCommandInvocationCommandOutput;
  try {
    invocation = await ssmCall(`GetCommandInvocation ${commandId}`, () =>
      deps.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })),
    );
  } catch (error) {
    if ((error as Error).name === 'InvocationDoesNotExist') {
      throw new ScriptPendingError(
        `${phase}-script of ${setLabel(state.set)}: command ${commandId} not visible yet`,
      );
    }
    throw error;
  }
  const base = { phase, commandId };
  switch (invocation.Status) {
    case 'Pending':
    case 'InProgress':
    case 'Cancelling':
      throw new ScriptPendingError(
        `${phase}-script of ${setLabel(state.set)}: command ${commandId} ${invocation.Status}`,
      );
    case 'Delayed':
      // The agent did not take the command: offline. Reported, not waited for (SPEC §12.4).
      await ssmCall(`CancelCommand ${commandId}`, () =>
        deps.ssm.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] })),
      );
      return {
        ...base,
        status: 'AgentOffline',
        ran: false,
        message: `the SSM agent of ${instanceId} is offline (command ${commandId} Delayed, cancelled)`,
      };
    case 'Success':
      return {
        ...base,
        status: 'Success',
        ran: true,
        responseCode: invocation.ResponseCode,
        message: 'succeeded',
      };
    case 'TimedOut': {
      const undelivered = invocation.StatusDetails === 'DeliveryTimedOut';
      return {
        ...base,
        status: undelivered ? 'AgentOffline' : 'TimedOut',
        ran: !undelivered,
        message: undelivered
          ? `the SSM agent of ${instanceId} did not take command ${commandId} within ${SCRIPT_DELIVERY_TIMEOUT_SECONDS} s`
          : `ran past its ${deps.scriptTimeoutSeconds} s timeout and was stopped${errorTail(invocation)}`,
      };
    }
    case 'Cancelled':
      return { ...base, status: 'Cancelled', ran: true, message: `command ${commandId} was cancelled` };
    default: {
      // Failed (non-zero exit), or Failed/Undeliverable: the node stopped being managed before delivery.
      const undelivered = invocation.StatusDetails === 'Undeliverable';
      return {
        ...base,
        status: undelivered ? 'AgentOffline' : 'Failed',
        ran: !undelivered,
        ...(invocation.ResponseCode !== undefined && { responseCode: invocation.ResponseCode }),
        message: undelivered
          ? `command ${commandId} could not be delivered to ${instanceId} (${invocation.StatusDetails})`
          : `exited ${invocation.ResponseCode ?? '?'}${errorTail(invocation)}`,
      };
    }
  }
}

/** The end of the script's error output, on one line, for the console and the email. */
function errorTail(invocation: GetCommandInvocationCommandOutput): string {
  const text = (invocation.StandardErrorContent ?? '').trim().replace(/\s+/g, ' ');
  return text ? `: ${text.slice(-200)}` : '';
}
