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
 * caller), and so has DeleteSnapshot. Each child paces its call to its part of the deployment's
 * share of that refill (`ec2RateShare`, rate-share.ts): 5 children at 1.25 s a call run at 4 a
 * second at the default 80 %, the whole share (BENCHMARKS.md: 1.008 × the bound at that share at
 * 10,000 volumes). More children only wait longer each, at more Lambda time.
 */
export const DEFAULT_SNAPSHOT_CONCURRENCY = 5;
export const DEFAULT_PRUNE_CONCURRENCY = 5;

/**
 * The most child executions a fan-out may run at once (the synth refuses more). CreateSnapshot
 * and DeleteSnapshot each refill at 5 requests per second per account and region (EC2 request
 * throttling) and the children pace their calls to the deployment's share of that, so at the
 * deployed 5 a fan-out already runs at its share: more children only wait longer each, which
 * costs Lambda time (BENCHMARKS.md, 10,000 volumes under the latency model: $0.13 per 1,000
 * volumes at 20 against $0.11 at 5, the same speed). Before the pacing, children beyond 5 queued
 * on throttled calls and at 100 some ran out of retries. Step Functions itself would accept
 * 10,000.
 */
export const MAX_FAN_OUT_CONCURRENCY = 20;

/** Names of the environment variables the functions read (set by the CDK construct). */
export const EnvName = {
  managedBy: 'MANAGED_BY',
  targetTagKey: 'TARGET_TAG_KEY',
  workBucket: 'WORK_BUCKET',
  waitLimitSeconds: 'WAIT_LIMIT_SECONDS',
  stateMachineName: 'STATE_MACHINE_NAME',
  /** JSON array of CopyRegion (SPEC §10.1); `[]` or unset: no copies. */
  copyRegions: 'COPY_REGIONS',
  /** Tag key that asks for copies (SPEC §10.2). */
  copyTagKey: 'COPY_TAG_KEY',
  /** JSON: an array of tag keys, or the string "*" (SPEC §10.7); unset: none. */
  copyVolumeTags: 'COPY_VOLUME_TAGS',
  /** How long a run waits for its copies to leave `pending`. */
  copyWaitLimitSeconds: 'COPY_WAIT_LIMIT_SECONDS',
  /** `ec2RateShare`: the percentage of each mutating bucket's refill the deployment may use (rate-share.ts). */
  ec2RateShare: 'EC2_RATE_SHARE',
  /**
   * The MaxConcurrency of the fan-out that runs the function (create: SnapshotVolumes; copy:
   * CopyVolumes; prune: PruneVolumes and PruneCopies, one after the other): the most invocations
   * that make its mutating call at once, which the pace of each one's calls divides the share by.
   */
  fanOutConcurrency: 'FAN_OUT_CONCURRENCY',
  /** The instance tag key naming an instance's consistency mode (SPEC §12.1). */
  consistencyTagKey: 'CONSISTENCY_TAG_KEY',
  /** What a set does when its pre-script failed (PreScriptFailureAction). */
  preScriptFailure: 'PRE_SCRIPT_FAILURE',
  /** The SSM document that runs the pre- and post-scripts (SPEC §12.4). */
  scriptDocument: 'SCRIPT_DOCUMENT',
  /** How long a script may run, in seconds (SCRIPT_TIMEOUT_RANGE_SECONDS). */
  scriptTimeoutSeconds: 'SCRIPT_TIMEOUT_SECONDS',
} as const;

/**
 * A region copies are kept in (SPEC §10.1), as the deployment configures it and the functions
 * read it (EnvName.copyRegions).
 */
export interface CopyRegion {
  /** The destination region, never the deployment's own. */
  region: string;
  /**
   * KMS key (ARN, in `region`) that copies of encrypted snapshots are encrypted with. Absent:
   * EC2 uses the destination region's default EBS key. Copies of unencrypted snapshots stay
   * unencrypted (unless the destination encrypts by default).
   */
  kmsKeyArn?: string;
}

/**
 * At most this many copy regions, as Data Lifecycle Manager allows per schedule
 * (https://docs.aws.amazon.com/ebs/latest/userguide/snapshot-ami-policy.html): each region
 * multiplies the copy fan-out and the destination's concurrent-copy limit applies per region.
 */
export const MAX_COPY_REGIONS = 3;

/**
 * The copy fan-out's default MaxConcurrency. A CopySnapshot call returns at once; the copy
 * itself runs for minutes to hours and counts against EC2's limit of concurrent snapshot copies
 * per destination region (CONCURRENT_COPY_LIMIT), which refuses the call beyond it: a child
 * that meets the limit backs off (CopyLimitExceeded) while the copies in flight finish.
 */
export const DEFAULT_COPY_CONCURRENCY = 5;

/**
 * EC2's limit of snapshot copies in progress at once into one destination region
 * (Amazon EBS quotas, "Concurrent snapshot copies per destination Region": 20, not adjustable:
 * https://docs.aws.amazon.com/general/latest/gr/ebs-service.html).
 * Beyond it CopySnapshot fails with `ResourceLimitExceeded`.
 */
export const CONCURRENT_COPY_LIMIT = 20;

/** Default tag key that asks for copies (SPEC §10.2). */
export const DEFAULT_COPY_TAG_KEY = 'Backup-Copy-Generation';

/**
 * The stack's outputs, by key: how the operator CLI finds the deployment's state machine, work
 * bucket, marker and tag key from the stack name alone.
 */
export const StackOutput = {
  stateMachineArn: 'StateMachineArn',
  workBucket: 'WorkBucketName',
  managedBy: 'ManagedBy',
  tagKey: 'TagKey',
  /** JSON array of CopyRegion; `[]` when the deployment keeps no copies. */
  copyRegions: 'CopyRegions',
  copyTagKey: 'CopyTagKey',
  consistencyTagKey: 'ConsistencyTagKey',
} as const;
