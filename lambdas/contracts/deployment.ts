/**
 * What a deployment and its functions agree on: the stack name (and so the default marker), the
 * environment variables the construct sets and the functions read.
 */

/**
 * The stack's name in every region, and so the default `Backup-Managed-By` marker: snapshots are
 * marked alike everywhere, and the operator CLI finds the deployment by it.
 */
export const DEFAULT_STACK_NAME = 'EbsGenerationBackup';

/**
 * The fan-outs' default MaxConcurrency: one home for the deployment (`infra/config.ts`) and the
 * local runner (`local/runner/local-deployment.ts`). CreateSnapshot has its own EC2 request
 * bucket (100 burst, refilled at 5 per second per account and region, shared with every other
 * caller). A child execution takes about a second, so 5 at once matches the refill rate: a
 * large fleet drains the burst, then runs at the refill rate (10,000 volumes in about 35
 * minutes, which more concurrency cannot shorten) instead of piling up throttling retries that
 * could exhaust their attempts. The prune fan-out calls DescribeSnapshots (refilled at 20 per
 * second) and DeleteSnapshot, another mutating call, so it uses the same default. Raise both if
 * EC2 has raised your account's limits.
 */
export const DEFAULT_SNAPSHOT_CONCURRENCY = 5;
export const DEFAULT_PRUNE_CONCURRENCY = 5;

/** Names of the environment variables the functions read (set by the CDK construct). */
export const EnvName = {
  managedBy: 'MANAGED_BY',
  targetTagKey: 'TARGET_TAG_KEY',
  workBucket: 'WORK_BUCKET',
  waitLimitSeconds: 'WAIT_LIMIT_SECONDS',
  stateMachineName: 'STATE_MACHINE_NAME',
} as const;

/**
 * The stack's outputs, by key: how the operator CLI finds the deployment's state machine, work
 * bucket, marker and tag key from the stack name alone.
 */
export const StackOutput = {
  stateMachineArn: 'StateMachineArn',
  workBucket: 'WorkBucketName',
  managedBy: 'ManagedBy',
  tagKey: 'TagKey',
} as const;
