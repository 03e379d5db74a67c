/**
 * What a deployment and its functions agree on: the stack name (and so the default marker), the
 * environment variables the construct sets and the functions read.
 */

/**
 * The stack's name in every region, and so the default `Backup-Managed-By` marker: snapshots are
 * marked alike everywhere, and the operator CLI finds the deployment by it.
 */
export const DEFAULT_STACK_NAME = 'EbsGenerationBackup';

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
