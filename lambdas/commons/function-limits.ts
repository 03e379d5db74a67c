import { StateName } from '../../statemachine/names';

/**
 * How long each step's function may run and how much memory it gets: one home for the numbers
 * that the deployment configures (`infra/functions.ts`) and that the local runner enforces
 * (`local/runner/lambda-invocation.ts`), so a local run stops a handler exactly where Lambda would.
 * Plain numbers, no aws-cdk-lib: the local runner and the tests import it too.
 *
 * Discover, AwaitSnapshots and Summarise handle the whole fleet (10,000 volumes: paginated EC2
 * calls, S3 documents of a few MB), hence minutes and a GB; the per-volume steps make a handful
 * of EC2 calls. Worst cases, with every request bounded by REQUEST_TIMEOUT_MS (10 s, see
 * `clients.ts`), the SDK's 3 attempts where it retries, and a throttled Describe page retried
 * in the invocation for LISTING_THROTTLE_BUDGET_MS (10 s), so about 40 s a page at worst:
 * - createSnapshot and copySnapshot (SDK retries off): a look-up page (10 s), then throttled calls retried for
 *   THROTTLE_BUDGET_MS (20 s) and a last call (10 s): 40 s.
 * - prune: the family listing (40 s a page of 1,000 snapshots), the look-up of this run's
 *   snapshot by ID (40 s), then deletions for at most DELETION_TIME_BUDGET_MS (20 s) plus the
 *   one in flight (30 s): about 130 s for a family of one page.
 * - discover, awaitSnapshots and awaitCopies: pages of 1,000 (instances, snapshots of the run) and of 500
 *   (volumes): at 10,000 volumes some 20 pages, minutes only when every page is throttled or
 *   times out; they get 10 minutes of Lambda's 15.
 * A timeout is retried (`Sandbox.Timedout`) and every step is safe to run again.
 */
export interface FunctionLimits {
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
}

export const FUNCTION_LIMITS = {
  discover: { timeoutSeconds: 10 * 60, memoryMiB: 1024 },
  createSnapshot: { timeoutSeconds: 45, memoryMiB: 256 },
  awaitSnapshots: { timeoutSeconds: 10 * 60, memoryMiB: 1024 },
  copySnapshot: { timeoutSeconds: 45, memoryMiB: 256 },
  awaitCopies: { timeoutSeconds: 10 * 60, memoryMiB: 1024 },
  prune: { timeoutSeconds: 3 * 60, memoryMiB: 256 },
  summarise: { timeoutSeconds: 5 * 60, memoryMiB: 1024 },
} as const satisfies Record<string, FunctionLimits>;

/** The workflow's steps, one function each. */
export type StepName = keyof typeof FUNCTION_LIMITS;
export const STEP_NAMES = Object.keys(FUNCTION_LIMITS) as StepName[];

/** Which step's function each Task state of the definition invokes. */
export const STEP_OF_TASK_STATE = {
  [StateName.discover]: 'discover',
  [StateName.createSnapshot]: 'createSnapshot',
  [StateName.awaitSnapshots]: 'awaitSnapshots',
  [StateName.pruneSnapshots]: 'prune',
  [StateName.copySnapshot]: 'copySnapshot',
  [StateName.awaitCopies]: 'awaitCopies',
  // The copies' retention is the same rule on another region's client: the same function.
  [StateName.pruneCopySnapshots]: 'prune',
  [StateName.summarise]: 'summarise',
} as const satisfies Record<string, StepName>;

export type TaskStateName = keyof typeof STEP_OF_TASK_STATE;
