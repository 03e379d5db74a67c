/**
 * How a script run by Run Command ends on the instance, scripted by a test or the demo: it exits
 * with `exitCode` after `afterMs` of running, or it `hangs` until the execution timeout kills it.
 * Output is what the script wrote; Run Command reports it once the invocation is over.
 */
export type ScriptOutcome =
  | {
      readonly exitCode: number;
      readonly afterMs: number;
      readonly stdout: string;
      readonly stderr: string;
    }
  | { readonly hangs: true; readonly stdout: string; readonly stderr: string };

interface Output {
  readonly stdout?: string;
  readonly stderr?: string;
}

/** Builders for the outcomes tests and the demo script. */
export const script = {
  /** Exits 0 after `afterMs` (default 1 s). */
  succeeds: (options: Output & { readonly afterMs?: number } = {}): ScriptOutcome => ({
    exitCode: 0,
    afterMs: options.afterMs ?? 1000,
    stdout: options.stdout ?? '',
    stderr: options.stderr ?? '',
  }),
  /** Exits with a non-zero `exitCode` after `afterMs` (default 1 s). */
  fails: (exitCode: number, options: Output & { readonly afterMs?: number } = {}): ScriptOutcome => {
    if (!Number.isInteger(exitCode) || exitCode === 0)
      throw new Error(`A failing script exits non-zero, got ${exitCode}`);
    return {
      exitCode,
      afterMs: options.afterMs ?? 1000,
      stdout: options.stdout ?? '',
      stderr: options.stderr ?? '',
    };
  },
  /** Never exits by itself: the agent stops it at the execution timeout. */
  hangs: (options: Output = {}): ScriptOutcome => ({
    hangs: true,
    stdout: options.stdout ?? '',
    stderr: options.stderr ?? '',
  }),
};

/** Which commands an outcome applies to: all sent to the instance, or only some. */
export interface OutcomeMatch {
  /** Only commands of this document. */
  readonly documentName?: string;
  /** Only commands one of whose parameter values contains this text (say `pre-snapshot`). */
  readonly parameterContains?: string;
}

interface Rule {
  readonly match: OutcomeMatch;
  readonly outcome: ScriptOutcome;
}

/** Outcome rules per instance; the last rule set that matches a command decides it. */
export class ScriptOutcomes {
  private readonly rules = new Map<string, Rule[]>();

  constructor(private readonly fallback: ScriptOutcome) {}

  set(instanceId: string, outcome: ScriptOutcome, match: OutcomeMatch = {}): void {
    const rules = this.rules.get(instanceId) ?? [];
    rules.push({ match, outcome });
    this.rules.set(instanceId, rules);
  }

  /** The outcome of a command as it is sent: fixed then, so later rules never rewrite history. */
  for(
    instanceId: string,
    documentName: string,
    parameters: Readonly<Record<string, readonly string[]>>,
  ): ScriptOutcome {
    const rules = this.rules.get(instanceId) ?? [];
    for (let i = rules.length - 1; i >= 0; i--) {
      const { match, outcome } = rules[i];
      if (match.documentName !== undefined && match.documentName !== documentName) continue;
      const text = match.parameterContains;
      if (
        text !== undefined &&
        !Object.values(parameters).some((values) => values.some((v) => v.includes(text)))
      )
        continue;
      return outcome;
    }
    return this.fallback;
  }
}
