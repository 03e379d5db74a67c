import type { InstanceStateName } from '@aws-sdk/client-ec2';
import type {
  CancelCommandRequest,
  CancelCommandResult,
  CommandInvocation,
  GetCommandInvocationRequest,
  GetCommandInvocationResult,
  ListCommandInvocationsRequest,
  ListCommandInvocationsResult,
  SendCommandRequest,
  SendCommandResult,
} from '@aws-sdk/client-ssm';
import { type CallCounts, CallLog, type CallOutcome } from './call-log';
import { DEFAULT_REGION } from './ec2-records';
import { FaultInjector, type FaultSpec, HungResponse } from './fault-injector';
import { SSM_ACTIONS, type SsmAction } from './ssm-actions';
import type { AgentStatus } from './ssm-agents';
import { cancelCommand } from './ssm-cancel-command';
import type { SsmDocument } from './ssm-documents';
import { ssmError } from './ssm-errors';
import { getCommandInvocation, listCommandInvocations, toCommandInvocation } from './ssm-invocation-reads';
import { type OutcomeMatch, type ScriptOutcome, script } from './ssm-script-outcome';
import { sendCommand } from './ssm-send-command';
import { SsmState } from './ssm-state';

export interface SimulatedSsmOptions {
  /** Epoch ms, read on every use (the account's shared clock). Default Date.now(). */
  readonly now?: () => number;
  readonly region?: string;
  /** The EC2 state of an instance in this Region, undefined if EC2 has none (SimulatedAccount links it). */
  readonly instanceState?: (instanceId: string) => InstanceStateName | undefined;
  /**
   * SSM is eventually consistent about invocations: right after SendCommand, GetCommandInvocation
   * answers `InvocationDoesNotExist` and ListCommandInvocations an empty list. Both are reported
   * for AWS (boto/boto3#2701: "Waiter unable to access SSM Run Command ID right after send_command
   * is invoked", worked around with a 0.5–1 s sleep; aws/aws-cli#3546: list-command-invocations
   * "returning a 200 and an empty list because the commandID was not found yet. If I sleep for a
   * second it works"), and AWS's own CommandExecuted waiter retries on InvocationDoesNotExist
   * (@aws-sdk/client-ssm waitForCommandExecuted). For this long after SendCommand the invocations
   * are not seen. Default 1000 ms; 0 turns it off.
   */
  readonly invocationVisibilityLagMs?: number;
  /** Seed of the generator behind probabilistic faults and of command IDs. Default 1. */
  readonly seed?: number;
  /** The outcome of a command no setScriptOutcome rule matches. Default: succeeds after 1 s. */
  readonly defaultScriptOutcome?: ScriptOutcome;
}

/**
 * A stateful in-memory SSM Run Command, one Region of an account, answering the real SSMClient
 * through `connectSsm`: managed nodes and their agent over time, SendCommand, GetCommandInvocation,
 * ListCommandInvocations and CancelCommand with Run Command's statuses, timeouts and errors (see
 * ssm-invocation.ts), on the account's shared clock, with faults and call counts like EC2's.
 *
 * Seeding, for tests and the demo:
 * ```ts
 * account.ssm.registerInstance(instanceId);                        // agent online
 * account.ssm.setScriptOutcome(instanceId, script.fails(3, { stderr: 'db busy' }), { parameterContains: 'pre-snapshot' });
 * account.ssm.setAgentStatus(instanceId, 'connection-lost');       // from now on
 * account.ssm.invocationsTo(instanceId);                           // what was sent, as Run Command reports it now
 * ```
 * An instance is not managed until registered: SendCommand refuses it, as SSM refuses an instance
 * without a running, registered agent.
 */
export class SimulatedSsm {
  readonly region: string;
  private readonly state: SsmState;
  private readonly faults: FaultInjector<SsmAction>;
  private readonly log = new CallLog<SsmAction>(SSM_ACTIONS);

  constructor(options: SimulatedSsmOptions = {}) {
    this.region = options.region ?? DEFAULT_REGION;
    const lagMs = options.invocationVisibilityLagMs ?? 1000;
    if (!(lagMs >= 0 && Number.isFinite(lagMs))) {
      throw new Error(`invocationVisibilityLagMs must be a finite number >= 0, got ${lagMs}`);
    }
    const seed = options.seed ?? 1;
    this.state = new SsmState({
      now: options.now ?? (() => Date.now()),
      region: this.region,
      lagMs,
      seed,
      instanceState: options.instanceState ?? (() => undefined),
      defaultOutcome: options.defaultScriptOutcome ?? script.succeeds(),
    });
    this.faults = new FaultInjector<SsmAction>(seed, ssmError);
  }

  // ---- Seeding: managed nodes, documents and what their scripts do. Errors here are test bugs. ----

  /** Makes the instance a managed node from now on, its agent `online` unless told otherwise. */
  registerInstance(instanceId: string, agentStatus: Exclude<AgentStatus, 'not-managed'> = 'online'): void {
    this.state.setAgentStatus(instanceId, agentStatus);
  }

  /**
   * The agent's status from now on: `connection-lost` when it stops answering (the agent stopped,
   * the instance stopped or lost its network), `online` when it is back, `not-managed` when the
   * node is deregistered. Invocations already sent see the change from this moment on.
   */
  setAgentStatus(instanceId: string, status: AgentStatus): void {
    this.state.setAgentStatus(instanceId, status);
  }

  agentStatus(instanceId: string): AgentStatus {
    return this.state.agentStatus(instanceId);
  }

  /** Adds a Command document (the stack's own), usable by name in SendCommand. */
  createDocument(document: SsmDocument): void {
    if (this.state.documents.has(document.name)) throw new Error(`Document ${document.name} already exists`);
    this.state.documents.set(document.name, document);
  }

  /**
   * What scripts sent to the instance from now on do (see `script`): all of them, or only those of
   * a document or whose parameters contain some text. The latest matching rule decides; a command
   * keeps the outcome it got when it was sent.
   */
  setScriptOutcome(instanceId: string, outcome: ScriptOutcome, match: OutcomeMatch = {}): void {
    this.state.outcomes.set(instanceId, outcome, match);
  }

  // ---- Faults and call accounting, as for EC2. ----

  injectFault(spec: FaultSpec<SsmAction>): void {
    this.faults.add(spec);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  calls(): Record<SsmAction, CallCounts> {
    return this.log.snapshot();
  }

  resetCalls(): void {
    this.log.reset();
  }

  // ---- Queries for assertions: ground truth, no visibility lag. ----

  /** Every invocation sent to the instance, oldest first, as ListCommandInvocations (Details) would show it now. */
  invocationsTo(instanceId: string): CommandInvocation[] {
    const now = this.state.now();
    return this.state.invocations
      .filter((record) => record.instanceId === instanceId)
      .map((record) => toCommandInvocation(this.state, record, now, true));
  }

  // ---- The API actions, as connectSsm routes them. ----

  sendCommand(input: SendCommandRequest): SendCommandResult {
    return this.invoke('SendCommand', input.InstanceIds?.[0], () => sendCommand(this.state, input));
  }

  getCommandInvocation(input: GetCommandInvocationRequest): GetCommandInvocationResult {
    return this.invoke('GetCommandInvocation', input.InstanceId, () =>
      getCommandInvocation(this.state, input),
    );
  }

  listCommandInvocations(input: ListCommandInvocationsRequest): ListCommandInvocationsResult {
    return this.invoke('ListCommandInvocations', input.InstanceId, () =>
      listCommandInvocations(this.state, input),
    );
  }

  cancelCommand(input: CancelCommandRequest): CancelCommandResult {
    return this.invoke('CancelCommand', input.InstanceIds?.[0], () => cancelCommand(this.state, input));
  }

  /**
   * As SimulatedEc2's: injected faults first (the call never happens), then the action, then
   * lost-response and hang faults (it happened, the caller is not told); each call counted by what
   * its caller saw. A fault may aim at one instance (`instanceId`: the call's first instance).
   */
  private invoke<T>(action: SsmAction, instanceId: string | undefined, perform: () => T): T {
    try {
      const injected = this.faults.before(action, { instanceId });
      if (injected) throw injected;
      const result = perform();
      const lost = this.faults.after(action, { instanceId });
      if (lost) throw lost;
      this.log.record(action, 'succeeded');
      return result;
    } catch (error) {
      this.log.record(action, outcomeOf(error as Error));
      throw error;
    }
  }
}

function outcomeOf(error: Error): CallOutcome {
  if (error instanceof HungResponse) return 'succeeded';
  return error.name === 'ThrottlingException' ? 'throttled' : 'failed';
}
