/**
 * Consistent backups of multi-volume instances (SPEC §12): the settings a deployment agrees on
 * with its functions, the work items of the set fan-out (SnapshotSets) and what its steps pass
 * between them. Declared here only: discovery, the set steps, the pruning loop, Summarise, the
 * local runner, the operator CLI and the tests read them.
 */
import type { CaughtError, CreatedSnapshot } from './run-documents';
import type { Reentry, VolumeWorkItem } from './work-items';

/**
 * How an instance's volumes are snapshotted (SPEC §12.1), from its consistency tag:
 * - `volume`: each volume on its own (CreateSnapshot per volume), the default and what no tag means;
 * - `instance`: crash-consistent, every targeted volume of the instance by one EC2
 *   `CreateSnapshots` call, one point in time;
 * - `application`: `instance`, between the instance's own pre- and post-scripts (SSM Run Command).
 */
export type ConsistencyMode = 'volume' | 'instance' | 'application';
export const CONSISTENCY_MODES: readonly ConsistencyMode[] = ['volume', 'instance', 'application'];

/** The modes taken as a set, by one CreateSnapshots call. */
export type SetMode = Exclude<ConsistencyMode, 'volume'>;

/** Default key of the instance tag that names the mode (`consistencyTagKey`). */
export const DEFAULT_CONSISTENCY_TAG_KEY = 'Backup-Consistency';

/**
 * What a set does when its pre-script failed, timed out, or could not run (SPEC §12.4):
 * `crash-consistent` (the default, as Data Lifecycle Manager's `ExecuteOperationOnScriptFailure`,
 * "Default: true", https://docs.aws.amazon.com/dlm/latest/APIReference/API_Script.html): the set is
 * still taken, without the application's help, and reported; `skip` (DLM's `false`: "skip the
 * instance for snapshot creation"): no set is taken this run, reported.
 */
export type PreScriptFailureAction = 'crash-consistent' | 'skip';
export const PRE_SCRIPT_FAILURE_ACTIONS: readonly PreScriptFailureAction[] = ['crash-consistent', 'skip'];
export const DEFAULT_PRE_SCRIPT_FAILURE: PreScriptFailureAction = 'crash-consistent';

/**
 * How long a pre- or post-script may run, in seconds: Data Lifecycle Manager's range for its
 * scripts, 10 to 120 s (https://docs.aws.amazon.com/ebs/latest/userguide/automate-app-consistent-backups.html).
 * A script that freezes an application must be quick: the application waits for the snapshot call.
 */
export const SCRIPT_TIMEOUT_RANGE_SECONDS = { min: 10, max: 120 } as const;
export const DEFAULT_SCRIPT_TIMEOUT_SECONDS = 30;

/**
 * How long SSM may take to deliver a command to a connected agent before the script's own time
 * counts (SendCommand's `TimeoutSeconds`, at least 30). An agent that does not take the command in
 * this time is reported offline: a run never waits for an instance that cannot answer.
 */
export const SCRIPT_DELIVERY_TIMEOUT_SECONDS = 30;

/**
 * How long an invocation may take to show in ListCommandInvocations after SendCommand returned.
 * SSM's API is eventually consistent: an invocation is not found for about a second after its
 * command was sent (GetCommandInvocation answers `InvocationDoesNotExist`, which is why the SDK's
 * own `waitUntilCommandExecuted` retries that code;
 * https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetCommandInvocation.html).
 * A re-entry that finds none looks again for this long before it sends, so a lost SendCommand
 * answer does not run the script twice.
 */
export const SSM_LISTING_LAG_TOLERANCE_MS = 10_000;

/** Pages of ListCommandInvocations a script phase's look-up for its command reads at most (50 invocations each). */
export const COMMAND_PAGES = 3;

/** The scripts the stack's own SSM document runs on the instance, if present and executable. */
export const SCRIPT_PATHS = {
  linux: { pre: '/etc/ebs-backup/pre-snapshot', post: '/etc/ebs-backup/post-snapshot' },
  windows: {
    pre: 'C:\\ProgramData\\ebs-backup\\pre-snapshot.ps1',
    post: 'C:\\ProgramData\\ebs-backup\\post-snapshot.ps1',
  },
} as const;

/** The document's parameter naming the phase: `pre` or `post`. */
export const SCRIPT_PHASE_PARAMETER = 'phase';
/** The document's parameter bounding the script's run, in seconds. */
export const SCRIPT_TIMEOUT_PARAMETER = 'timeoutSeconds';

export type ScriptPhase = 'pre' | 'post';

/**
 * One instance taken as a set (an item of SnapshotSets, written by Discover): the volumes in it,
 * each with its own N and description as a per-volume item would have, and what CreateSnapshots
 * must leave out to take exactly those.
 */
export interface SetWorkItem {
  instanceId: string;
  instanceName?: string;
  mode: SetMode;
  /** Every volume of the set, sorted by ID; each keeps its own generations (SPEC §12.2). */
  volumes: VolumeWorkItem[];
  /** The root volume is not in the set (`ExcludeBootVolume`). */
  excludeBootVolume: boolean;
  /** Attached data volumes not in the set (`ExcludeDataVolumeIds`), sorted. */
  excludeDataVolumeIds: string[];
  /** `windows` when EC2 says so: the document runs the PowerShell scripts there. */
  platform?: 'windows';
  /** SPEC §12.4: what a failed pre-script means for this set (the deployment's setting). */
  onPreScriptFailure: PreScriptFailureAction;
}

/** What a script phase came to, as the script step reports it (never thrown). */
export interface ScriptOutcome {
  phase: ScriptPhase;
  /**
   * `Success`; `Failed` (non-zero exit), `TimedOut` (past the script timeout), `Cancelled`;
   * `AgentOffline` (SSM could not deliver it in SCRIPT_DELIVERY_TIMEOUT_SECONDS), `NotManaged`
   * (the instance is no SSM managed node); `NotRun` (post only: the pre-script never ran).
   */
  status: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled' | 'AgentOffline' | 'NotManaged' | 'NotRun';
  /** The script ran, or may have, on the instance: the post-script must follow (SPEC §12.4). */
  ran: boolean;
  commandId?: string;
  responseCode?: number;
  /** One line for people: what happened, with the end of the script's error output. */
  message: string;
}

/** One volume's snapshot in a set: CreateSnapshot's output shape, so the pruning loop joins it alike. */
export type SetSnapshot = CreatedSnapshot;

/** What CreateSnapshotSet (or ConfirmSnapshotSet) returns: the set, every volume's snapshot. */
export interface CreatedSet {
  instanceId: string;
  /** The set id tag every snapshot of the set carries (`setId`). */
  setId: string;
  /** `application` only when the pre-script succeeded; otherwise `crash`. */
  consistency: 'application' | 'crash';
  /** Epoch milliseconds: the one StartTime of the set. */
  startTime: number;
  volumes: SetSnapshot[];
  /** True when an earlier attempt of this run had already made the set. */
  reused: boolean;
}

/** What CreateSnapshotSet returns when it took no set: the pre-script failed and the setting is `skip`. */
export interface SkippedSet {
  instanceId: string;
  skipped: true;
  reason: string;
}

/**
 * The state of a SnapshotSets child as it goes: the item and the run (from the ItemSelector),
 * then each step's result. The set steps receive it whole (`state`), with their context fields.
 */
export interface SetState {
  set: SetWorkItem;
  executionName: string;
  runId: string;
  /** As in Reentry: true once ConfirmSnapshotSet found that an attempt of unknown outcome made nothing. */
  absenceConfirmed: boolean;
  preScript?: ScriptOutcome;
  /** PreScript's own failure (after its retries): the script may have run. */
  preScriptError?: CaughtError;
  created?: CreatedSet | SkippedSet;
  createError?: CaughtError;
  postScript?: ScriptOutcome;
  postScriptError?: CaughtError;
}

/** What each set Task receives: the child's state and the Task's own context fields. */
export interface SetStepEvent extends Pick<Reentry, 'redriveCount' | 'confirmSince'> {
  state: SetState;
  /** PreScript and PostScript only. */
  phase?: ScriptPhase;
  /** FinishSet only: the set's outcome is decided, nothing is called. */
  finish?: boolean;
  /** PreScript and PostScript: `$$.State.EnteredTime`, when the state was entered (its retries keep it). */
  enteredTime?: string;
  /** PreScript and PostScript: `$$.State.RetryCount`, 0 on the state's first attempt. */
  retryCount?: number;
  /**
   * PreScript and PostScript: `$$.Execution.StartTime` of the set's child (a redrive keeps it): a
   * look-up for the phase's command goes back to it, so a redriven phase finds the command its
   * first entry sent.
   */
  executionStartTime?: string;
}

/** The set id every snapshot of one instance's set carries: one per run and instance, so re-entries find it. */
export function setId(runId: string, instanceId: string): string {
  return `${instanceId}/${runId}`;
}

/**
 * The description every snapshot of a set shares (CreateSnapshots applies one `Description` to the
 * whole set, so §2.1's per-volume form cannot be had): `Auto Snapshot set <instance-id>(<Name>)`,
 * or without the name when the instance has none, cut to EC2's 255 characters. The volume is in
 * each snapshot's `Backup-Volume-Id` tag and EC2's own VolumeId; the prune family (marker + volume
 * id) and `adopt` (which looks only at snapshots without a marker) are unaffected.
 */
export function setDescription(instanceId: string, instanceName: string | undefined): string {
  const name = instanceName?.trim();
  return `Auto Snapshot set ${instanceId}${name ? `(${name})` : ''}`.slice(0, 255);
}

/** A line of what the set holds, for causes and logs: `i-… (web): vol-a, vol-b`. */
export function setLabel(set: Pick<SetWorkItem, 'instanceId' | 'instanceName' | 'volumes'>): string {
  const name = set.instanceName?.trim() ? ` (${set.instanceName})` : '';
  return `${set.instanceId}${name}: ${set.volumes.map((v) => v.volumeId).join(', ')}`;
}
