import { StateName } from '../../statemachine/names';
import { MAX_CALL_INTERVAL_MS } from '../contracts/rate-share';
import { COMMAND_PAGES } from '../contracts/sets';

/**
 * How long each step's function may run and how much memory it gets, and the time budgets that
 * must fit inside: one home for the numbers that the deployment configures
 * (`infra/functions.ts`), that the functions spend (clients, throttle retries, deletion slices)
 * and that the local runner enforces (`local/runner/lambda-invocation.ts`), so a local run stops
 * a handler exactly where Lambda would, and no step can outlive its timeout by design: a Lambda
 * timeout is the least informative failure there is. Plain numbers, no aws-cdk-lib and no SDK:
 * the deployment, the local runner and the tests import it too.
 */
export interface FunctionLimits {
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
}

/**
 * Every request gives up after this long without an answer. The SDK's default has no timeout
 * at all, so a response lost on the network would hang the invocation until the Lambda
 * timeout; this way it fails with `TimeoutError` (our `Ec2Transient`).
 */
export const REQUEST_TIMEOUT_MS = 10_000;
/** Connecting to a regional endpoint takes milliseconds; a refused or black-holed one fails fast. */
export const CONNECTION_TIMEOUT_MS = 3_000;
/** The longest one attempt of one request can take: connecting, then waiting for the answer. */
export const ATTEMPT_MS = CONNECTION_TIMEOUT_MS + REQUEST_TIMEOUT_MS;
/**
 * Attempts per call of a client that lets the SDK retry (its standard retry mode: 3,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html). The create and
 * copy steps turn the SDK's retries off (`retryInSdk: false`): one attempt.
 */
export const SDK_ATTEMPTS = 3;
/**
 * The SDK's waits between those attempts, at most: its standard strategy backs off from a base
 * of 50 ms (1 s for throttling) doubling with full jitter, so under 1 s then 2 s
 * (`DefaultRetryBackoffStrategy` and `Retry` in @smithy/core/retry).
 */
export const SDK_RETRY_WAITS_MS = 3_000;
/** How long one Describe call (one page) is retried in the invocation while EC2 throttles it. */
export const LISTING_THROTTLE_BUDGET_MS = 10_000;
/**
 * How long the create and copy steps retry a throttled CreateSnapshot or CopySnapshot in the
 * invocation before handing over to the declared Retry. A throttled request did nothing, so
 * trying again in the invocation costs no transition and no look-up.
 */
export const THROTTLE_BUDGET_MS = 20_000;
/** How long one prune invocation goes on deleting before it hands the rest to the next slice. */
export const DELETION_TIME_BUDGET_MS = 20_000;
/**
 * Pages of a volume's family the prune step's budget allows for (1,000 snapshots a page): a
 * family of up to 10,000 snapshots, far beyond N ≤ 1,000 plus any adopted backlog seen.
 */
export const MAX_FAMILY_PAGES = 10;

/** A call that is retried in the invocation while throttled, for `budgetMs`: the last attempt may start just before it ends. */
const throttled = (budgetMs: number, attempt: number) => budgetMs + attempt;
/** One Describe page as the steps read it: retried while throttled, each attempt by the SDK too. */
const sdkCall = SDK_ATTEMPTS * ATTEMPT_MS + SDK_RETRY_WAITS_MS;
const listingPage = throttled(LISTING_THROTTLE_BUDGET_MS, sdkCall);
/** A look-up without the SDK's retries (the create and copy steps' clients). */
const singleAttemptLookUp = throttled(LISTING_THROTTLE_BUDGET_MS, ATTEMPT_MS);

/**
 * The longest path through each per-item step, in ms, from the budgets above. Discover, the
 * waits and Summarise handle the whole fleet (some 20 pages of 1,000 at 10,000 volumes, and S3
 * documents of a few MB): they are given 10 of Lambda's 15 minutes and bounded by pages, not by
 * a single path.
 */
export const WORST_CASE_MS = {
  /**
   * The longest of: creating (throttled for THROTTLE_BUDGET_MS, then one last attempt, then the
   * rest of its pace interval, MAX_CALL_INTERVAL_MS at most), the redrive's look-up, and
   * ConfirmSnapshot's look-up. No path both looks up and creates.
   */
  createSnapshot: Math.max(
    throttled(THROTTLE_BUDGET_MS, ATTEMPT_MS) + MAX_CALL_INTERVAL_MS,
    singleAttemptLookUp,
  ),
  /** As createSnapshot, in the copy region. */
  copySnapshot: Math.max(
    throttled(THROTTLE_BUDGET_MS, ATTEMPT_MS) + MAX_CALL_INTERVAL_MS,
    singleAttemptLookUp,
  ),
  /**
   * A set (SPEC §12): the longest of creating (CreateSnapshots throttled for THROTTLE_BUDGET_MS,
   * then its last attempt, then the rest of its pace interval) and the redrive's or
   * ConfirmSnapshotSet's look-up, each followed by the per-volume CreateTags of every snapshot of
   * the set, all at once within one throttle budget. FinishSet calls nothing.
   */
  snapshotSet:
    Math.max(throttled(THROTTLE_BUDGET_MS, ATTEMPT_MS) + MAX_CALL_INTERVAL_MS, singleAttemptLookUp) +
    throttled(THROTTLE_BUDGET_MS, ATTEMPT_MS),
  /**
   * A script phase: the look-up of its command (COMMAND_PAGES pages of ListCommandInvocations),
   * then either SendCommand, or GetCommandInvocation and, for an offline agent, CancelCommand;
   * one attempt each (the SSM client does not retry: a throttled call is `ScriptPending`).
   */
  runScript: COMMAND_PAGES * ATTEMPT_MS + 2 * ATTEMPT_MS,
  /**
   * A backlog's progress read from the work bucket, the family listing (MAX_FAMILY_PAGES pages),
   * the look-up of this run's snapshot by ID, deletions for DELETION_TIME_BUDGET_MS (their pace
   * included) and the one in flight, the rest of its pace interval, then the progress written
   * back (each S3 call with the SDK's attempts).
   */
  prune:
    sdkCall +
    MAX_FAMILY_PAGES * listingPage +
    listingPage +
    DELETION_TIME_BUDGET_MS +
    sdkCall +
    MAX_CALL_INTERVAL_MS +
    sdkCall,
} as const;

/** What Lambda itself takes of an invocation's time beyond the handler's paths (INIT excluded: it has its own budget). */
export const INVOCATION_MARGIN_MS = 5_000;

export const FUNCTION_LIMITS = {
  discover: { timeoutSeconds: 10 * 60, memoryMiB: 1024 },
  createSnapshot: { timeoutSeconds: 60, memoryMiB: 256 },
  snapshotSet: { timeoutSeconds: 120, memoryMiB: 256 },
  runScript: { timeoutSeconds: 90, memoryMiB: 256 },
  awaitSnapshots: { timeoutSeconds: 10 * 60, memoryMiB: 1024 },
  copySnapshot: { timeoutSeconds: 60, memoryMiB: 256 },
  awaitCopies: { timeoutSeconds: 10 * 60, memoryMiB: 1024 },
  prune: { timeoutSeconds: 13 * 60, memoryMiB: 256 },
  summarise: { timeoutSeconds: 5 * 60, memoryMiB: 1024 },
} as const satisfies Record<string, FunctionLimits>;

/** The workflow's steps, one function each. */
export type StepName = keyof typeof FUNCTION_LIMITS;
export const STEP_NAMES = Object.keys(FUNCTION_LIMITS) as StepName[];

/** Which step's function each Task state of the definition invokes. */
export const STEP_OF_TASK_STATE = {
  [StateName.discover]: 'discover',
  [StateName.createSnapshot]: 'createSnapshot',
  // Looking for the snapshot an attempt of unknown outcome may have made is the create step's.
  [StateName.confirmSnapshot]: 'createSnapshot',
  // A set's steps (SPEC §12): the scripts on SSM, the set and its outcome on EC2.
  [StateName.preScript]: 'runScript',
  [StateName.postScript]: 'runScript',
  [StateName.createSnapshotSet]: 'snapshotSet',
  [StateName.confirmSnapshotSet]: 'snapshotSet',
  [StateName.finishSet]: 'snapshotSet',
  [StateName.awaitSnapshots]: 'awaitSnapshots',
  // The pruning loop's turn after the wait failed: the same function, not polling.
  [StateName.listUnprunedVolumes]: 'awaitSnapshots',
  [StateName.pruneSnapshots]: 'prune',
  [StateName.copySnapshot]: 'copySnapshot',
  [StateName.confirmCopy]: 'copySnapshot',
  [StateName.awaitCopies]: 'awaitCopies',
  // The copies' retention is the same rule on another region's client: the same function.
  [StateName.pruneCopySnapshots]: 'prune',
  [StateName.summarise]: 'summarise',
} as const satisfies Record<string, StepName>;

export type TaskStateName = keyof typeof STEP_OF_TASK_STATE;
