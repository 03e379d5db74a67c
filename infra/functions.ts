import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FUNCTION_LIMITS, STEP_NAMES, type StepName } from '../lambdas/commons/function-limits';
import { type CopyRegion, EnvName } from '../lambdas/contracts/deployment';
import type { PreScriptFailureAction } from '../lambdas/contracts/sets';
import type { CopyVolumeTags } from '../lambdas/core/snapshot-tags';

export { STEP_NAMES, type StepName };

const PROJECT_ROOT = join(__dirname, '..');
const HANDLERS_DIR = join(PROJECT_ROOT, 'lambdas', 'handlers');

/** The newest Node.js runtime this aws-cdk-lib knows (cdk-nag AwsSolutions-L1 asks for it). */
export const FUNCTION_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** Everything about a function except how its code is built. */
export interface HandlerFunctionProps extends Omit<lambda.FunctionProps, 'code' | 'handler'> {
  /** The handler module (a TypeScript file exporting `handler`). */
  readonly entry: string;
}

/**
 * Builds a function from its handler module. The default bundles with the local esbuild (no
 * Docker); infrastructure tests inject one that skips bundling.
 */
export type FunctionFactory = (scope: Construct, id: string, props: HandlerFunctionProps) => lambda.Function;

export const bundledFunction: FunctionFactory = (scope, id, props) =>
  new NodejsFunction(scope, id, {
    ...props,
    // Stack traces in the logs point at the TypeScript sources.
    environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    handler: 'handler',
    projectRoot: PROJECT_ROOT,
    depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
    bundling: {
      format: OutputFormat.CJS,
      target: 'node24',
      minify: true,
      // Step Functions matches `ErrorEquals` against error class names: minifying must keep them.
      keepNames: true,
      sourceMap: true,
      sourcesContent: false,
      // The SDK version the tests ran against, not whatever the runtime ships.
      bundleAwsSDK: true,
    },
  });

/** Values the functions read from their environment (lambdas/commons/env.ts). */
export interface FunctionSettings {
  readonly managedBy: string;
  readonly tagKey: string;
  readonly bucketName: string;
  readonly waitLimitSeconds: number;
  readonly logRetention: logs.RetentionDays;
  /** Names the deployment in the FullRunsSucceeded metric the no-success alarm watches. */
  readonly stateMachineName: string;
  readonly copyRegions: readonly CopyRegion[];
  readonly copyTagKey: string;
  readonly copyVolumeTags: CopyVolumeTags;
  readonly copyWaitLimitSeconds: number;
  /** `ec2RateShare` and the fan-outs' MaxConcurrency: the pace of the mutating calls (EnvName.fanOutConcurrency). */
  readonly ec2RateShare: number;
  readonly snapshotConcurrency: number;
  readonly pruneConcurrency: number;
  readonly copyConcurrency: number;
  /** Consistent sets (SPEC §12): the instance tag naming the mode, and the scripts' document and bounds. */
  readonly consistencyTagKey: string;
  readonly preScriptFailure: PreScriptFailureAction;
  /** SendCommand's DocumentName: the stack's own document, or the one the deployment names. */
  readonly scriptDocument: string;
  readonly scriptTimeoutSeconds: number;
}

/** What a function that makes mutating calls paces them by (`callIntervalEnv`): the share, and its fan-out's concurrency. */
function pace(settings: FunctionSettings, concurrency: number): Record<string, string> {
  return {
    [EnvName.ec2RateShare]: String(settings.ec2RateShare),
    [EnvName.fanOutConcurrency]: String(concurrency),
  };
}

interface HandlerSpec {
  readonly file: string;
  readonly description: string;
  readonly environment: (settings: FunctionSettings) => Record<string, string>;
}

/**
 * The steps of the workflow. Their timeout and memory live in
 * `lambdas/commons/function-limits.ts`, which the local runner enforces too.
 */
const HANDLERS = {
  discover: {
    file: 'discover.ts',
    description: 'Finds the targeted volumes and writes the work list (SPEC §1, §4.1)',
    environment: (s) => ({
      [EnvName.targetTagKey]: s.tagKey,
      [EnvName.workBucket]: s.bucketName,
      [EnvName.copyRegions]: JSON.stringify(s.copyRegions),
      [EnvName.copyTagKey]: s.copyTagKey,
      [EnvName.copyVolumeTags]: JSON.stringify(s.copyVolumeTags),
      [EnvName.consistencyTagKey]: s.consistencyTagKey,
      [EnvName.preScriptFailure]: s.preScriptFailure,
    }),
  },
  createSnapshot: {
    file: 'create-snapshot.ts',
    description: 'Snapshots one volume, tagged at creation; idempotent per execution (SPEC §2)',
    // The tags it carries from the volume travel in the work item.
    environment: (s) => pace(s, s.snapshotConcurrency),
  },
  snapshotSet: {
    file: 'snapshot-set.ts',
    description:
      "Snapshots an instance's volumes as one set, tagged per volume; idempotent per execution (SPEC §12)",
    // SnapshotSets runs at the snapshot fan-out's concurrency; the volumes travel in the work item.
    environment: (s) => pace(s, s.snapshotConcurrency),
  },
  runScript: {
    file: 'run-script.ts',
    description: "Runs an instance's pre- or post-snapshot script through SSM Run Command (SPEC §12.4)",
    environment: (s) => ({
      [EnvName.scriptDocument]: s.scriptDocument,
      [EnvName.scriptTimeoutSeconds]: String(s.scriptTimeoutSeconds),
      [EnvName.consistencyTagKey]: s.consistencyTagKey,
    }),
  },
  awaitSnapshots: {
    file: 'await-snapshots.ts',
    description: 'Waits for the snapshots this run created, then writes the prune work list (SPEC §4.3)',
    environment: (s) => ({
      [EnvName.waitLimitSeconds]: String(s.waitLimitSeconds),
      [EnvName.workBucket]: s.bucketName,
      [EnvName.copyRegions]: JSON.stringify(s.copyRegions),
    }),
  },
  copySnapshot: {
    file: 'copy-snapshot.ts',
    description:
      "Copies one volume's snapshot of this run to one copy region, tagged at creation (SPEC §10.3)",
    environment: (s) => ({
      [EnvName.copyRegions]: JSON.stringify(s.copyRegions),
      ...pace(s, s.copyConcurrency),
    }),
  },
  awaitCopies: {
    file: 'await-copies.ts',
    description: "Waits for the copies this run made, then writes the copies' prune work list (SPEC §10.4)",
    environment: (s) => ({
      [EnvName.workBucket]: s.bucketName,
      [EnvName.copyWaitLimitSeconds]: String(s.copyWaitLimitSeconds),
    }),
  },
  prune: {
    file: 'prune.ts',
    description: "Applies one volume's retention (SPEC §3)",
    // A backlog's progress between slices lives in the work bucket.
    environment: (s) => ({ [EnvName.workBucket]: s.bucketName, ...pace(s, s.pruneConcurrency) }),
  },
  summarise: {
    file: 'summarise.ts',
    description: 'Names every failed volume and invalid instance of the run (SPEC §4.5)',
    environment: (s) => ({
      [EnvName.workBucket]: s.bucketName,
      [EnvName.stateMachineName]: s.stateMachineName,
    }),
  },
} satisfies Record<StepName, HandlerSpec>;

/** Powertools settings shared by every function. */
export const POWERTOOLS_ENVIRONMENT = {
  POWERTOOLS_SERVICE_NAME: 'ebs-generation-backup',
  POWERTOOLS_METRICS_NAMESPACE: 'EbsGenerationBackup',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

export interface StepFunction {
  readonly function: lambda.Function;
  /** The function's own role: each step gets only the permissions it uses (see iam.ts). */
  readonly role: iam.Role;
}

export interface BackupFunctionsProps {
  readonly settings: FunctionSettings;
  readonly functionFactory?: FunctionFactory;
}

/** One function per workflow step, each with its own role and log group. */
export class BackupFunctions extends Construct {
  readonly steps: Record<StepName, StepFunction>;

  constructor(scope: Construct, id: string, props: BackupFunctionsProps) {
    super(scope, id);
    const create = props.functionFactory ?? bundledFunction;
    const entries = STEP_NAMES.map((name): [StepName, StepFunction] => {
      const spec: HandlerSpec = HANDLERS[name];
      const scope = new Construct(this, name);
      const role = new iam.Role(scope, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `${spec.description}: runs the ${name} step`,
      });
      const logGroup = new logs.LogGroup(scope, 'Logs', { retention: props.settings.logRetention });
      // The function's own log group only: no CreateLogGroup, no other group.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );
      const fn = create(scope, 'Function', {
        entry: join(HANDLERS_DIR, spec.file),
        description: spec.description,
        runtime: FUNCTION_RUNTIME,
        architecture: lambda.Architecture.ARM_64,
        timeout: Duration.seconds(FUNCTION_LIMITS[name].timeoutSeconds),
        memorySize: FUNCTION_LIMITS[name].memoryMiB,
        role,
        logGroup,
        environment: {
          ...POWERTOOLS_ENVIRONMENT,
          [EnvName.managedBy]: props.settings.managedBy,
          ...spec.environment(props.settings),
        },
      });
      return [name, { function: fn, role }];
    });
    this.steps = Object.fromEntries(entries) as Record<StepName, StepFunction>;
  }
}
