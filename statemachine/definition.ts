import type { StepName } from '../lambdas/commons/function-limits';
import { SCRIPT_DELIVERY_TIMEOUT_SECONDS, SSM_LISTING_LAG_TOLERANCE_MS } from '../lambdas/contracts/sets';
import { MapRunPrefix } from '../lambdas/contracts/work-bucket';
import template from './ebs-generation-backup.asl.json';
import { StateName } from './names';

export { StateName };

/**
 * The workflow definition lives in `ebs-generation-backup.asl.json`: the single source that the
 * CDK stack deploys and the local runner and tests execute. It holds `${Name}` placeholders for
 * what differs per deployment; `renderDefinition` fills them in. It is imported as a module,
 * not read from disk, so bundles (the Lambda-free local runner, the CLI) carry it along.
 */

export interface DefinitionValues {
  DiscoverFunctionArn: string;
  CreateSnapshotFunctionArn: string;
  /** CreateSnapshotSet, ConfirmSnapshotSet and FinishSet (SPEC §12). */
  SnapshotSetFunctionArn: string;
  /** PreScript and PostScript (SPEC §12.4). */
  RunScriptFunctionArn: string;
  AwaitSnapshotsFunctionArn: string;
  PruneFunctionArn: string;
  SummariseFunctionArn: string;
  CopySnapshotFunctionArn: string;
  AwaitCopiesFunctionArn: string;
  WorkBucketName: string;
  /** Where each Distributed Map's ResultWriter puts its results (see MapRunPrefix). */
  SnapshotResultsPrefix: string;
  SetResultsPrefix: string;
  PruneResultsPrefix: string;
  CopyResultsPrefix: string;
  CopyPruneResultsPrefix: string;
  /** Child executions of the snapshot fan-out running at once. */
  SnapshotConcurrency: number;
  /** Child executions of the prune fan-out running at once. */
  PruneConcurrency: number;
  /** Child executions of the copy fan-out running at once. */
  CopyConcurrency: number;
  /** Retries of AwaitSnapshots on `SnapshotsPending`: see `waitMaxAttempts`. */
  WaitMaxAttempts: number;
  /** Retries of AwaitCopies on `CopiesPending`, the same way. */
  CopyWaitMaxAttempts: number;
  /** Retries of PreScript and PostScript on `ScriptPending`: see `scriptWaitMaxAttempts`. */
  ScriptWaitMaxAttempts: number;
  ExecutionTimeoutSeconds: number;
}

/** What a deployment decides about its workflow; `definitionValues` turns it into the placeholders. */
export interface WorkflowSettings {
  /** Each step's function, by step name. */
  functionArns: Record<StepName, string>;
  bucketName: string;
  snapshotConcurrency: number;
  pruneConcurrency: number;
  /** How long a snapshot may stay pending (SPEC §4.3). */
  waitLimitSeconds: number;
  copyConcurrency: number;
  /** How long a copy may stay pending, from its StartTime. */
  copyWaitLimitSeconds: number;
  /**
   * How long a set's pre- or post-script may run on its instance (SPEC §12.4,
   * SCRIPT_TIMEOUT_RANGE_SECONDS): what PreScript and PostScript wait for it.
   */
  scriptTimeoutSeconds: number;
}

/**
 * Time a run may take besides waiting for its snapshots: discovery, the snapshot fan-out of
 * 10,000 volumes at the CreateSnapshot refill rate (about 35 minutes), pruning (beside it, or
 * after it) and the summary, with room for throttling retries.
 */
export const RUN_TIME_BESIDES_WAIT_SECONDS = 6 * 3600;

/** The one mapping from a deployment's settings to the definition's placeholders (infra and local runs). */
export function definitionValues(settings: WorkflowSettings): DefinitionValues {
  const { functionArns, waitLimitSeconds } = settings;
  return {
    DiscoverFunctionArn: functionArns.discover,
    CreateSnapshotFunctionArn: functionArns.createSnapshot,
    SnapshotSetFunctionArn: functionArns.snapshotSet,
    RunScriptFunctionArn: functionArns.runScript,
    AwaitSnapshotsFunctionArn: functionArns.awaitSnapshots,
    PruneFunctionArn: functionArns.prune,
    SummariseFunctionArn: functionArns.summarise,
    CopySnapshotFunctionArn: functionArns.copySnapshot,
    AwaitCopiesFunctionArn: functionArns.awaitCopies,
    WorkBucketName: settings.bucketName,
    SnapshotResultsPrefix: MapRunPrefix.snapshot,
    SetResultsPrefix: MapRunPrefix.set,
    PruneResultsPrefix: MapRunPrefix.prune,
    CopyResultsPrefix: MapRunPrefix.copy,
    CopyPruneResultsPrefix: MapRunPrefix.copyPrune,
    SnapshotConcurrency: settings.snapshotConcurrency,
    PruneConcurrency: settings.pruneConcurrency,
    CopyConcurrency: settings.copyConcurrency,
    WaitMaxAttempts: waitMaxAttempts(waitLimitSeconds),
    CopyWaitMaxAttempts: waitMaxAttempts(settings.copyWaitLimitSeconds, PendingWait.copies),
    ScriptWaitMaxAttempts: scriptWaitMaxAttempts(settings.scriptTimeoutSeconds),
    ExecutionTimeoutSeconds:
      waitLimitSeconds +
      settings.copyWaitLimitSeconds +
      copyLimitBackoffSeconds() +
      RUN_TIME_BESIDES_WAIT_SECONDS,
  };
}

/**
 * How long PreScript or PostScript waits for its script, at most, in seconds: SSM's delivery to a
 * connected agent, the script's own timeout, the time a re-entry gives SSM's listing to show a
 * command already sent, and a margin for the invocations' own time. SSM stops the script at its
 * timeout, so the retries only need to outlast it; when they run out, the phase fails (caught,
 * reported), and the post-script still runs.
 */
export function scriptWaitSeconds(scriptTimeoutSeconds: number): number {
  return SCRIPT_DELIVERY_TIMEOUT_SECONDS + scriptTimeoutSeconds + SSM_LISTING_LAG_TOLERANCE_MS / 1000 + 30;
}

/** Retries of `ScriptPending` that cover `scriptWaitSeconds`, at the retrier's interval as written. */
export function scriptWaitMaxAttempts(
  scriptTimeoutSeconds: number,
  template = loadDefinitionTemplate(),
): number {
  const sets = findState(template.States, StateName.snapshotSets) as AslDefinition;
  const retrier = retrierOf(sets.ItemProcessor.States, PendingWait.script);
  let attempts = 0;
  while (retriesSeconds(retrier, attempts) < scriptWaitSeconds(scriptTimeoutSeconds)) attempts += 1;
  return attempts;
}

// biome-ignore lint/suspicious/noExplicitAny: ASL is free-form JSON
export type AslDefinition = Record<string, any>;

export function loadDefinitionTemplate(): AslDefinition {
  return structuredClone(template) as AslDefinition;
}

const WHOLE_PLACEHOLDER = /^\$\{(\w+)\}$/;
const ANY_PLACEHOLDER = /\$\{(\w+)\}/g;

/**
 * Fills every `${Name}` placeholder. A string that is exactly one placeholder takes the value
 * with its type (so numbers stay numbers); placeholders inside longer strings are spliced in.
 * An unknown or missing placeholder is an error, so the definition and this list cannot drift.
 */
export function renderDefinition(
  values: DefinitionValues,
  template = loadDefinitionTemplate(),
): AslDefinition {
  const lookup = (name: string): string | number => {
    if (!Object.hasOwn(values, name)) {
      throw new Error(`The state machine definition uses \${${name}}, which renderDefinition was not given`);
    }
    return values[name as keyof DefinitionValues];
  };
  const visit = (node: unknown): unknown => {
    if (typeof node === 'string') {
      const whole = WHOLE_PLACEHOLDER.exec(node);
      if (whole) return lookup(whole[1]);
      return node.replace(ANY_PLACEHOLDER, (_, name: string) => String(lookup(name)));
    }
    if (Array.isArray(node)) return node.map(visit);
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, visit(value)]));
    }
    return node;
  };
  return visit(template) as AslDefinition;
}

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds: number;
  MaxAttempts?: number | string;
  BackoffRate: number;
  MaxDelaySeconds: number;
  /** Step Functions' default is NONE. */
  JitterStrategy?: 'FULL' | 'NONE';
}

/** A polling wait of the definition: the Task state and the error its Retry paces the polls on. */
export interface PendingWaitState {
  state: string;
  error: string;
}

export const PendingWait = {
  snapshots: { state: StateName.awaitSnapshots, error: 'SnapshotsPending' },
  copies: { state: StateName.awaitCopies, error: 'CopiesPending' },
  /** A set's scripts (SPEC §12.4): PostScript's retrier is PreScript's. */
  script: { state: StateName.preScript, error: 'ScriptPending' },
} as const satisfies Record<string, PendingWaitState>;

/**
 * The state of that name, wherever it is: at the top level or in a Parallel state's branch (state
 * names are unique in the whole state machine).
 */
export function findState(states: Record<string, AslDefinition>, name: string): AslDefinition | undefined {
  if (Object.hasOwn(states, name)) return states[name];
  for (const state of Object.values(states)) {
    for (const branch of state.Branches ?? []) {
      const found = findState(branch.States, name);
      if (found) return found;
    }
  }
  return undefined;
}

function retrierOf(states: Record<string, AslDefinition>, wait: PendingWaitState): Retrier {
  const retriers: Retrier[] = findState(states, wait.state)?.Retry ?? [];
  const retrier = retriers.find((r) => r.ErrorEquals.includes(wait.error));
  if (!retrier) throw new Error(`${wait.state} has no retrier for ${wait.error}`);
  return retrier;
}

/** Seconds a retrier waits in all over `attempts` retries (before any jitter). */
export function retriesSeconds(retrier: Retrier, attempts: number): number {
  const { IntervalSeconds, BackoffRate, MaxDelaySeconds } = retrier;
  let waited = 0;
  for (let attempt = 0; attempt < attempts; attempt++) {
    waited += Math.min(IntervalSeconds * BackoffRate ** attempt, MaxDelaySeconds);
  }
  return waited;
}

/**
 * Seconds a retrier is sure to wait in all over `attempts` retries. FULL jitter picks each wait
 * at random "between 0 and" the interval it computes
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html,
 * `JitterStrategy`), so it guarantees no wait at all, and on average half of `retriesSeconds`;
 * NONE waits each interval in full.
 */
export function guaranteedRetriesSeconds(retrier: Retrier, attempts: number): number {
  return retrier.JitterStrategy === 'FULL' ? 0 : retriesSeconds(retrier, attempts);
}

/** Seconds the `SnapshotsPending` (or `wait`'s) retries wait in all, over `attempts` retries. */
export function waitBudgetSeconds(
  attempts: number,
  template = loadDefinitionTemplate(),
  wait: PendingWaitState = PendingWait.snapshots,
): number {
  return retriesSeconds(retrierOf(template.States, wait), attempts);
}

/**
 * How many `SnapshotsPending` (or `wait`'s) retries cover the wait limit, given the retrier's
 * own interval, backoff and cap as written in the definition. The handler decides when the
 * limit is reached (per snapshot, from its StartTime); the retries only need to last at least
 * that long, plus one more poll after every snapshot's own deadline.
 */
export function waitMaxAttempts(
  waitLimitSeconds: number,
  wait: PendingWaitState = PendingWait.snapshots,
  template = loadDefinitionTemplate(),
): number {
  let attempts = 0;
  while (waitBudgetSeconds(attempts, template, wait) < waitLimitSeconds) attempts += 1;
  return attempts + 1;
}

function copyLimitRetrier(template: AslDefinition): Retrier {
  const copyStates = template.States[StateName.copyVolumes].ItemProcessor.States;
  return retrierOf(copyStates, { state: StateName.copySnapshot, error: 'CopyLimitExceeded' });
}

/**
 * The longest a CopySnapshot child backs off on `CopyLimitExceeded` (the destination's
 * concurrent-copy limit, CONCURRENT_COPY_LIMIT), as its retrier is written: part of the run's
 * time budget.
 */
export function copyLimitBackoffSeconds(template = loadDefinitionTemplate()): number {
  const retrier = copyLimitRetrier(template);
  return retriesSeconds(retrier, Number(retrier.MaxAttempts));
}

/**
 * How long a copy is sure to wait for a slot at its destination before that volume and region
 * fail: the README's promise. The retrier has no jitter, so this is the whole backoff, not an
 * average. Children refused together then retry together, which costs nothing that matters: at
 * most one fan-out's MaxConcurrency (MAX_FAN_OUT_CONCURRENCY, 20) CopySnapshot requests a minute
 * or more apart, within CopySnapshot's own request bucket of 50 (EC2's mutating actions,
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html), and a refused
 * request starts nothing.
 */
export function copyLimitWaitGuaranteeSeconds(template = loadDefinitionTemplate()): number {
  const retrier = copyLimitRetrier(template);
  return guaranteedRetriesSeconds(retrier, Number(retrier.MaxAttempts));
}
