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
 * caller), and so has DeleteSnapshot. A child holds its slot for well under a second, so 5 at
 * once keep the bucket busy: a large fleet drains the burst, then runs at the refill rate
 * (10,000 volumes in 33 minutes, 1.001 × the bucket's bound in BENCHMARKS.md, which more
 * concurrency cannot shorten). Raise both only if EC2 has raised your account's limits.
 */
export const DEFAULT_SNAPSHOT_CONCURRENCY = 5;
export const DEFAULT_PRUNE_CONCURRENCY = 5;

/**
 * The most child executions a fan-out may run at once (the synth refuses more). CreateSnapshot
 * and DeleteSnapshot each refill at 5 requests per second per account and region (EC2 request
 * throttling); at the deployed 5 a fan-out already runs at that rate. Children beyond it only
 * queue on throttled calls, retrying inside their invocations and then through the declared
 * Retry. Measured at 10,000 volumes under the latency model (BENCHMARKS.md): at 20, no volume
 * failed (1.002 × the bound, 1.10 EC2 calls and 4.10 transitions per volume); at 100, 2 and 5
 * volumes (two runs) ran out of retries and failed, with 2.37 calls and 5.32 transitions per
 * volume. Step
 * Functions itself would accept 10,000.
 */
export const MAX_FAN_OUT_CONCURRENCY = 20;

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
