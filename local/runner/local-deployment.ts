import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { EnvironmentPace } from '../../lambdas/aws/call-pace';
import { EC2_RETRIES_IN_SDK } from '../../lambdas/commons/clients';
import {
  FUNCTION_LIMITS,
  STEP_NAMES,
  STEP_OF_TASK_STATE,
  type StepName,
  type TaskStateName,
} from '../../lambdas/commons/function-limits';
import {
  type CopyRegion,
  DEFAULT_COPY_CONCURRENCY,
  DEFAULT_COPY_TAG_KEY,
  DEFAULT_PRUNE_CONCURRENCY,
  DEFAULT_SNAPSHOT_CONCURRENCY,
  DEFAULT_STACK_NAME,
} from '../../lambdas/contracts/deployment';
import type { MutatingAction } from '../../lambdas/contracts/ec2-buckets';
import { callIntervalMs, DEFAULT_EC2_RATE_SHARE } from '../../lambdas/contracts/rate-share';
import { DEFAULT_SCRIPT_TIMEOUT_SECONDS } from '../../lambdas/contracts/sets';
import { type CopyVolumeTags, DEFAULT_TARGET_TAG_KEY } from '../../lambdas/core/snapshot-tags';
import * as awaitCopies from '../../lambdas/handlers/await-copies';
import * as awaitSnapshots from '../../lambdas/handlers/await-snapshots';
import * as copySnapshot from '../../lambdas/handlers/copy-snapshot';
import * as createSnapshot from '../../lambdas/handlers/create-snapshot';
import * as discover from '../../lambdas/handlers/discover';
import * as prune from '../../lambdas/handlers/prune';
import * as summarise from '../../lambdas/handlers/summarise';
import { definitionValues, renderDefinition, StateName } from '../../statemachine/definition';
import type { SimulatedAccount } from '../simulated-account';
import { withSdkRetries } from '../simulated-account/sdk-retries';
import {
  type ExecutionEnvironment,
  type FunctionEnvironments,
  type InvocationRecord,
  invokeLocalFunction,
  type LambdaTimeoutError,
  type LocalFunction,
} from './lambda-invocation';
import { asLambdaTask, type TaskHandler } from './lambda-task';

/** What a deployment configures, for a run on this machine. */
export interface LocalDeployment {
  /** The marker tag value (`Backup-Managed-By`); a stack name when deployed. */
  managedBy: string;
  tagKey: string;
  bucket: string;
  waitLimitSeconds: number;
  snapshotConcurrency: number;
  pruneConcurrency: number;
  region: string;
  accountId: string;
  /** Regions copies are kept in (SPEC §10.1); none by default. */
  copyRegions: CopyRegion[];
  copyTagKey: string;
  /** Volume tags carried to snapshots and copies (SPEC §10.7); none by default. */
  copyVolumeTags: CopyVolumeTags;
  copyConcurrency: number;
  copyWaitLimitSeconds: number;
  /** `ec2RateShare`: the percentage of EC2's mutating buckets the functions pace their calls to. */
  ec2RateShare: number;
}

export const DEFAULT_LOCAL_DEPLOYMENT: LocalDeployment = {
  managedBy: DEFAULT_STACK_NAME,
  tagKey: DEFAULT_TARGET_TAG_KEY,
  bucket: 'ebs-generation-backup-work',
  waitLimitSeconds: 24 * 3600,
  snapshotConcurrency: DEFAULT_SNAPSHOT_CONCURRENCY,
  pruneConcurrency: DEFAULT_PRUNE_CONCURRENCY,
  region: 'us-east-1',
  accountId: '123456789012',
  copyRegions: [],
  copyTagKey: DEFAULT_COPY_TAG_KEY,
  copyVolumeTags: [],
  copyConcurrency: DEFAULT_COPY_CONCURRENCY,
  copyWaitLimitSeconds: 24 * 3600,
  ec2RateShare: DEFAULT_EC2_RATE_SHARE,
};

/** The clients the handlers use: the simulated account's, or real ones. */
export interface AccountClients {
  ec2: EC2Client;
  s3: S3Client;
  /**
   * EC2 in another region of the account (the copy regions). Absent: a run that keeps no
   * copies, and any step that needs one fails naming the region.
   */
  ec2In?: (region: string) => EC2Client;
}

/**
 * The clients of a simulated account: its home region's EC2 and its S3, and one EC2 client per
 * other region, made on first use (the copy regions).
 */
export function accountClients(account: SimulatedAccount): Required<AccountClients> {
  const regional = new Map<string, EC2Client>();
  const ec2 = account.ec2Client();
  regional.set(account.region, ec2);
  return {
    ec2,
    s3: account.s3Client(),
    ec2In: (region) => {
      let client = regional.get(region);
      if (!client) {
        client = account.ec2Client(region);
        regional.set(region, client);
      }
      return client;
    },
  };
}

/** `clients.ec2In`, or one that refuses every region. */
function ec2InOf(clients: AccountClients): (region: string) => EC2Client {
  return (
    clients.ec2In ??
    ((region) => {
      throw new Error(`This local run has no EC2 client for region ${region}: it keeps no copies`);
    })
  );
}

export function stateMachineArn(deployment: LocalDeployment): string {
  return `arn:aws:states:${deployment.region}:${deployment.accountId}:stateMachine:${deployment.managedBy}`;
}

/** The deployed definition, with this deployment's values (the Lambda ARNs are not called locally). */
export function localDefinition(deployment: LocalDeployment) {
  const lambda = (step: string) =>
    `arn:aws:lambda:${deployment.region}:${deployment.accountId}:function:${step}`;
  const values = definitionValues({
    functionArns: Object.fromEntries(STEP_NAMES.map((step) => [step, lambda(step)])) as Record<
      StepName,
      string
    >,
    bucketName: deployment.bucket,
    snapshotConcurrency: deployment.snapshotConcurrency,
    pruneConcurrency: deployment.pruneConcurrency,
    waitLimitSeconds: deployment.waitLimitSeconds,
    copyConcurrency: deployment.copyConcurrency,
    copyWaitLimitSeconds: deployment.copyWaitLimitSeconds,
    // Placeholder for the merge with the set steps (SPEC §12), which give a local run its own.
    scriptTimeoutSeconds: DEFAULT_SCRIPT_TIMEOUT_SECONDS,
  });
  return renderDefinition(values);
}

/**
 * The real functions, by the name of the Task state that invokes them: each with its deployed
 * timeout, and built per invocation on the clients it is given (see `invokeLocalFunction`).
 */
export function localFunctions(
  deployment: LocalDeployment,
): Record<TaskStateName, LocalFunction<AccountClients>> {
  const { managedBy, bucket } = deployment;
  const now = () => Date.now();
  const fn = (
    state: TaskStateName,
    build: (clients: AccountClients, environment: ExecutionEnvironment) => (event: never) => Promise<unknown>,
  ): LocalFunction<AccountClients> => ({
    timeoutSeconds: FUNCTION_LIMITS[STEP_OF_TASK_STATE[state]].timeoutSeconds,
    build: (clients, environment) =>
      asLambdaTask(build(asDeployed(clients, STEP_OF_TASK_STATE[state]), environment)),
  });
  // The pace of each function's mutating calls: from its environment variables when deployed
  // (callIntervalEnv), and what its module keeps of the last invocation of its environment.
  const pace = (action: MutatingAction, concurrency: number, environment: ExecutionEnvironment) => ({
    callIntervalMs: callIntervalMs(action, concurrency, deployment.ec2RateShare),
    environmentPace: environment.keep('pace', () => new EnvironmentPace()),
  });
  const createHandler = ({ ec2 }: AccountClients, environment: ExecutionEnvironment) =>
    createSnapshot.createHandler({
      ec2,
      managedBy,
      ...pace('CreateSnapshot', deployment.snapshotConcurrency, environment),
    });
  const copyHandler = (clients: AccountClients, environment: ExecutionEnvironment) =>
    copySnapshot.createHandler({
      ec2In: ec2InOf(clients),
      region: deployment.region,
      copyRegions: deployment.copyRegions,
      managedBy,
      ...pace('CopySnapshot', deployment.copyConcurrency, environment),
    });
  const pruningLoopHandler = ({ ec2, s3 }: AccountClients) =>
    awaitSnapshots.createHandler({
      ec2,
      s3,
      bucket,
      managedBy,
      waitLimitSeconds: deployment.waitLimitSeconds,
      copyRegions: deployment.copyRegions,
      region: deployment.region,
      now,
    });
  const pruneHandler = (clients: AccountClients, environment: ExecutionEnvironment) =>
    prune.createHandler({
      ec2: clients.ec2,
      ec2In: ec2InOf(clients),
      s3: clients.s3,
      bucket,
      region: deployment.region,
      managedBy,
      now,
      ...pace('DeleteSnapshot', deployment.pruneConcurrency, environment),
    });
  return {
    [StateName.discover]: fn(StateName.discover, (clients) =>
      discover.createHandler({
        ec2: clients.ec2,
        s3: clients.s3,
        tagKey: deployment.tagKey,
        bucket,
        managedBy,
        copyTagKey: deployment.copyTagKey,
        copyRegions: deployment.copyRegions,
        copyVolumeTags: deployment.copyVolumeTags,
        ec2In: ec2InOf(clients),
        region: deployment.region,
      }),
    ),
    [StateName.createSnapshot]: fn(StateName.createSnapshot, createHandler),
    // Looking for a snapshot an attempt of unknown outcome may have made: the same function.
    [StateName.confirmSnapshot]: fn(StateName.confirmSnapshot, createHandler),
    [StateName.awaitSnapshots]: fn(StateName.awaitSnapshots, pruningLoopHandler),
    // The pruning loop's turn after the wait failed: the same function.
    [StateName.listUnprunedVolumes]: fn(StateName.listUnprunedVolumes, pruningLoopHandler),
    [StateName.pruneSnapshots]: fn(StateName.pruneSnapshots, pruneHandler),
    [StateName.copySnapshot]: fn(StateName.copySnapshot, copyHandler),
    [StateName.confirmCopy]: fn(StateName.confirmCopy, copyHandler),
    [StateName.awaitCopies]: fn(StateName.awaitCopies, (clients) =>
      awaitCopies.createHandler({
        ec2In: ec2InOf(clients),
        s3: clients.s3,
        bucket,
        managedBy,
        region: deployment.region,
        copyWaitLimitSeconds: deployment.copyWaitLimitSeconds,
        now,
      }),
    ),
    // The copies' retention is the same function as the snapshots' (STEP_OF_TASK_STATE).
    [StateName.pruneCopySnapshots]: fn(StateName.pruneCopySnapshots, pruneHandler),
    [StateName.summarise]: fn(StateName.summarise, ({ s3 }) => summarise.createHandler({ s3, bucket })),
    // Placeholders for the merge with the set steps (SPEC §12): a local run that reaches one fails loudly.
    [StateName.preScript]: fn(StateName.preScript, setStepPending),
    [StateName.postScript]: fn(StateName.postScript, setStepPending),
    [StateName.createSnapshotSet]: fn(StateName.createSnapshotSet, setStepPending),
    [StateName.confirmSnapshotSet]: fn(StateName.confirmSnapshotSet, setStepPending),
    [StateName.finishSet]: fn(StateName.finishSet, setStepPending),
  };
}

/** Placeholder for the merge with the set steps (SPEC §12). */
const setStepPending = () => async (): Promise<never> => {
  throw new Error('The set steps (SPEC §12) are not in this build');
};

/**
 * The clients as the step's deployed function has them: where the step lets the SDK retry
 * (EC2_RETRIES_IN_SDK), each EC2 call is retried as the SDK's standard strategy would, which a
 * connected client skips (see `withSdkRetries`). Built per invocation, on the invocation's
 * gated clients, so that no retry outlives a timed-out invocation.
 */
function asDeployed(clients: AccountClients, step: StepName): AccountClients {
  if ((EC2_RETRIES_IN_SDK as Partial<Record<StepName, boolean>>)[step] !== true) return clients;
  const { ec2In } = clients;
  return {
    ...clients,
    ec2: withSdkRetries(clients.ec2),
    ...(ec2In && { ec2In: (region: string) => withSdkRetries(ec2In(region)) }),
  };
}

/** One invocation of a step's function as Lambda bills it: its duration and memory. */
export interface BilledInvocation extends InvocationRecord {
  readonly step: StepName;
  readonly memoryMiB: number;
}

/** How the functions run: Lambda's modelled latency, and who is told of each invocation. */
export interface FunctionRuntime {
  readonly invokeOverheadMs?: number;
  readonly initMs?: number;
  readonly onInvoked?: (invocation: BilledInvocation) => void;
}

/**
 * The real handlers on the given clients, by Task state name, each invoked as Lambda would.
 * With a runtime, each function has its own execution environments (see `FunctionEnvironments`).
 */
export function localTaskHandlers(
  clients: AccountClients,
  deployment: LocalDeployment,
  runtime?: FunctionRuntime,
  timeoutError?: LambdaTimeoutError,
): Record<string, TaskHandler> {
  return Object.fromEntries(
    Object.entries(localFunctions(deployment)).map(([state, fn]) => {
      const step = STEP_OF_TASK_STATE[state as TaskStateName];
      const { memoryMiB } = FUNCTION_LIMITS[step];
      const onInvoked = runtime?.onInvoked;
      const environments: FunctionEnvironments | undefined = runtime && {
        invokeOverheadMs: runtime.invokeOverheadMs ?? 0,
        initMs: runtime.initMs ?? 0,
        idle: [],
        onInvoked: onInvoked && ((record) => onInvoked({ ...record, step, memoryMiB })),
      };
      return [state, (input: unknown) => invokeLocalFunction(fn, clients, input, environments, timeoutError)];
    }),
  );
}
