import type { InstanceStateName } from '@aws-sdk/client-ec2';
import { type AgentStatus, AgentTimeline } from './ssm-agents';
import { AWS_RUN_POWERSHELL_SCRIPT, AWS_RUN_SHELL_SCRIPT, type SsmDocument } from './ssm-documents';
import { type InvocationRecord, type InvocationView, invocationView } from './ssm-invocation';
import { type ScriptOutcome, ScriptOutcomes } from './ssm-script-outcome';

/** What an SsmState is made with; see SimulatedSsmOptions. */
export interface SsmStateSettings {
  readonly now: () => number;
  readonly region: string;
  readonly lagMs: number;
  readonly seed: number;
  readonly instanceState: (instanceId: string) => InstanceStateName | undefined;
  readonly defaultOutcome: ScriptOutcome;
}

const UUID_SCRAMBLE = 0x9e3779b97f4a7c15f39cc0605cedc835n;
const UUID_MASK = (1n << 128n) - 1n;

/**
 * One Region's Run Command: managed nodes' agents, documents, scripted outcomes and every
 * invocation sent. Internal to the simulator, shared by SimulatedSsm's seeding API and the actions.
 */
export class SsmState {
  readonly now: () => number;
  readonly region: string;
  /** How long after SendCommand its invocations stay unseen (SimulatedSsmOptions.invocationVisibilityLagMs). */
  readonly lagMs: number;
  readonly documents = new Map<string, SsmDocument>([
    [AWS_RUN_SHELL_SCRIPT.name, AWS_RUN_SHELL_SCRIPT],
    [AWS_RUN_POWERSHELL_SCRIPT.name, AWS_RUN_POWERSHELL_SCRIPT],
  ]);
  readonly outcomes: ScriptOutcomes;
  /** Every invocation, in the order SendCommand made them. */
  readonly invocations: InvocationRecord[] = [];
  private readonly agents = new Map<string, AgentTimeline>();
  private readonly instanceState: (instanceId: string) => InstanceStateName | undefined;
  private readonly seed: number;
  private commandCount = 0;

  constructor(settings: SsmStateSettings) {
    this.now = settings.now;
    this.region = settings.region;
    this.lagMs = settings.lagMs;
    this.seed = settings.seed;
    this.instanceState = settings.instanceState;
    this.outcomes = new ScriptOutcomes(settings.defaultOutcome);
  }

  setAgentStatus(instanceId: string, status: AgentStatus): void {
    let timeline = this.agents.get(instanceId);
    if (!timeline) {
      timeline = new AgentTimeline();
      this.agents.set(instanceId, timeline);
    }
    timeline.set(status, this.now());
  }

  agentStatus(instanceId: string): AgentStatus {
    return this.agents.get(instanceId)?.statusAt(this.now()) ?? 'not-managed';
  }

  viewOf(record: InvocationRecord, now: number): InvocationView {
    return invocationView(record, this.agents.get(record.instanceId) ?? new AgentTimeline(), now);
  }

  /** A managed node SendCommand may target: registered, and not shutting down or terminated in EC2. */
  isValidTarget(instanceId: string): boolean {
    const state = this.instanceState(instanceId);
    if (state === 'terminated' || state === 'shutting-down') return false;
    return this.agentStatus(instanceId) !== 'not-managed';
  }

  /** A command ID of SSM's form (a UUID), from a seeded counter so a rerun gives the same IDs. */
  nextCommandId(): string {
    this.commandCount += 1;
    // An odd multiplier is a bijection modulo 2^128: each (seed, count) gets its own ID.
    const value = (((BigInt(this.seed) << 40n) + BigInt(this.commandCount)) * UUID_SCRAMBLE) & UUID_MASK;
    const hex = value.toString(16).padStart(32, '0');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}
