import { Duration, Names, Stack, Token } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { CopyRegion } from '../lambdas/contracts/deployment';
import {
  COPY_REGIONS_RECORD_KEY,
  MapRunPrefix,
  PRUNE_PROGRESS_FOLDER,
  WorkPrefix,
} from '../lambdas/contracts/work-bucket';
import { type BackupSettings, ConfigError, checkSettings, copyRegionsOf, resolveSettings } from './config';
import { BackupFunctions, type FunctionFactory } from './functions';
import {
  bucketListing,
  bucketObject,
  bucketObjects,
  copyKeys,
  copySnapshot,
  createSnapshot,
  createSnapshotSet,
  deleteSnapshot,
  ec2Describe,
  grant,
  runScript,
} from './iam';
import { BackupAlerts } from './observability';
import { BackupSchedule } from './schedule';
import { ScriptDocument } from './scripts';
import { WorkBucket } from './storage';
import { BackupWorkflow } from './workflow';

export interface EbsGenerationBackupProps extends Partial<BackupSettings> {
  /** Name of the state machine. Default: a name unique to this construct's path. */
  readonly stateMachineName?: string;
  /** How the functions' code is built. Default: bundled with the local esbuild. */
  readonly functionFactory?: FunctionFactory;
}

/** What Step Functions accepts for a state machine that logs to CloudWatch Logs. */
const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Marker values in use per stack: two deployments sharing one would prune each other's snapshots. */
const markersInUse = new WeakMap<Stack, Set<string>>();

/**
 * Rolling generations of EBS snapshots for EC2 instances tagged `Backup-Generation=N`: the
 * schedule, the workflow, its functions and work bucket, and the alerts. Every prop is
 * optional and validated like the app's context (see config.ts).
 */
export class EbsGenerationBackup extends Construct {
  readonly settings: BackupSettings & { readonly managedBy: string };
  /** The copy regions with their keys (SPEC §10.1), as the functions and the stack outputs give them. */
  readonly copyRegions: readonly CopyRegion[];
  readonly stateMachineName: string;
  readonly bucket: s3.Bucket;
  /** The SSM document that runs the instances' pre- and post-scripts (SPEC §12.4). */
  readonly scripts: ScriptDocument;
  readonly functions: BackupFunctions;
  readonly workflow: BackupWorkflow;
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: BackupSchedule;
  readonly alerts: BackupAlerts;

  constructor(scope: Construct, id: string, props: EbsGenerationBackupProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const resolved = resolveSettings({ ...props }, 'property');
    // An environment-agnostic stack's region is only known at deployment.
    checkSettings(
      resolved,
      'property',
      Token.isUnresolved(stack.region)
        ? undefined
        : { regions: [stack.region], named: `the region of stack ${stack.stackName}` },
    );
    const settings = { ...resolved, managedBy: resolved.managedBy ?? stack.stackName };
    this.settings = settings;
    const copyRegions = copyRegionsOf(settings);
    this.copyRegions = copyRegions;
    claimMarker(stack, settings.managedBy);
    const stateMachineName =
      props.stateMachineName ?? Names.uniqueResourceName(this, { maxLength: 80, separator: '-' });
    if (!STATE_MACHINE_NAME.test(stateMachineName)) {
      throw new ConfigError([
        `Invalid property "stateMachineName": ${JSON.stringify(stateMachineName)} is not 1 to 80 letters, digits, - or _`,
      ]);
    }
    this.stateMachineName = stateMachineName;
    const waitLimit = Duration.hours(settings.waitLimitHours);
    const copyWaitLimit = Duration.hours(settings.copyWaitLimitHours);

    this.bucket = new WorkBucket(this, 'Work').bucket;
    this.scripts = new ScriptDocument(this, 'Scripts', { existing: settings.scriptDocument });

    this.functions = new BackupFunctions(this, 'Functions', {
      functionFactory: props.functionFactory,
      settings: {
        managedBy: settings.managedBy,
        tagKey: settings.tagKey,
        bucketName: this.bucket.bucketName,
        waitLimitSeconds: waitLimit.toSeconds(),
        logRetention: settings.logRetentionDays,
        stateMachineName,
        copyRegions,
        copyTagKey: settings.copyTagKey,
        copyVolumeTags: settings.copyVolumeTags,
        copyWaitLimitSeconds: copyWaitLimit.toSeconds(),
        ec2RateShare: settings.ec2RateShare,
        snapshotConcurrency: settings.snapshotConcurrency,
        pruneConcurrency: settings.pruneConcurrency,
        copyConcurrency: settings.copyConcurrency,
        consistencyTagKey: settings.consistencyTagKey,
        preScriptFailure: settings.preScriptFailure,
        scriptDocument: this.scripts.documentName,
        scriptTimeoutSeconds: settings.scriptTimeoutSeconds,
      },
    });
    const {
      discover,
      createSnapshot: create,
      snapshotSet,
      runScript: script,
      awaitSnapshots,
      copySnapshot: copy,
      awaitCopies,
      prune,
      summarise,
    } = this.functions.steps;
    grant(
      discover.role,
      // DescribeSnapshots counts the copies left in regions no longer configured (SPEC §10.6).
      ec2Describe('ec2:DescribeInstances', 'ec2:DescribeVolumes', 'ec2:DescribeSnapshots'),
      bucketObjects(this.bucket, ['s3:PutObject'], [WorkPrefix.runs]),
      // The regions this deployment ever kept copies in, read and rewritten every live run.
      bucketObject(this.bucket, ['s3:GetObject', 's3:PutObject'], COPY_REGIONS_RECORD_KEY),
      // Until a first run writes the record, reading it must say "absent", not "denied".
      bucketListing(this.bucket, [WorkPrefix.state]),
    );
    grant(
      create.role,
      ec2Describe('ec2:DescribeSnapshots'),
      ...createSnapshot(stack, settings.managedBy, settings.copyVolumeTags),
    );
    grant(
      snapshotSet.role,
      // Looks for the run's set by its tags before taking it again (SPEC §12.3).
      ec2Describe('ec2:DescribeSnapshots'),
      ...createSnapshotSet(stack, settings.managedBy, settings.copyVolumeTags),
    );
    grant(script.role, ...runScript(stack, this.scripts.documentArn, settings.consistencyTagKey));
    grant(
      awaitSnapshots.role,
      ec2Describe('ec2:DescribeSnapshots'),
      bucketObjects(this.bucket, ['s3:GetObject'], [WorkPrefix.runs, WorkPrefix.mapRuns]),
      bucketObjects(this.bucket, ['s3:PutObject'], [WorkPrefix.runs]),
      // The first poll looks for the list it keeps of SnapshotVolumes' results.
      bucketListing(this.bucket, [WorkPrefix.runs]),
    );
    grant(
      copy.role,
      // Looks for the run's copy in the copy region before copying again (SPEC §10.3).
      ec2Describe('ec2:DescribeSnapshots'),
      ...copySnapshot(stack, settings.managedBy, copyRegions, settings.copyVolumeTags),
      ...copyKeys(copyRegions),
    );
    grant(
      awaitCopies.role,
      ec2Describe('ec2:DescribeSnapshots'),
      bucketObjects(this.bucket, ['s3:GetObject'], [WorkPrefix.runs, `${MapRunPrefix.copy}/`]),
      bucketObjects(this.bucket, ['s3:PutObject'], [WorkPrefix.runs]),
      // The first poll looks for the list it keeps of CopyVolumes' results.
      bucketListing(this.bucket, [WorkPrefix.runs]),
    );
    grant(
      prune.role,
      ec2Describe('ec2:DescribeSnapshots'),
      ...deleteSnapshot(stack, settings.managedBy, copyRegions),
      // A backlog's progress between slices, in each run's own folder for it and nowhere else. No
      // listing: a slice reads only what the slice before it wrote, so "absent" is never an answer.
      bucketObjects(
        this.bucket,
        ['s3:GetObject', 's3:PutObject'],
        [`${WorkPrefix.runs}*/${PRUNE_PROGRESS_FOLDER}`],
      ),
    );
    grant(
      summarise.role,
      bucketObjects(this.bucket, ['s3:GetObject'], [WorkPrefix.runs, WorkPrefix.mapRuns]),
      bucketObjects(this.bucket, ['s3:PutObject'], [WorkPrefix.runs]),
    );

    this.workflow = new BackupWorkflow(this, 'Workflow', {
      stateMachineName,
      functions: {
        discover: discover.function,
        createSnapshot: create.function,
        snapshotSet: snapshotSet.function,
        runScript: script.function,
        awaitSnapshots: awaitSnapshots.function,
        copySnapshot: copy.function,
        awaitCopies: awaitCopies.function,
        prune: prune.function,
        summarise: summarise.function,
      },
      bucket: this.bucket,
      snapshotConcurrency: settings.snapshotConcurrency,
      pruneConcurrency: settings.pruneConcurrency,
      copyConcurrency: settings.copyConcurrency,
      waitLimit,
      copyWaitLimit,
      scriptTimeout: Duration.seconds(settings.scriptTimeoutSeconds),
      logRetention: settings.logRetentionDays,
    });
    this.stateMachine = this.workflow.stateMachine;

    this.schedule = new BackupSchedule(this, 'Schedule', {
      stateMachine: this.stateMachine,
      expression: settings.schedule,
      timeZone: settings.timezone,
    });

    this.alerts = new BackupAlerts(this, 'Alerts', {
      stateMachine: this.stateMachine,
      name: stateMachineName,
      notificationEmails: settings.notificationEmails,
      alertTopicArn: settings.alertTopicArn,
      failureMessage: settings.failureMessage,
      successWindowHours: settings.successWindowHours,
      schedule: { expression: settings.schedule, timeZone: settings.timezone },
      logRetention: settings.logRetentionDays,
    });
  }
}

function claimMarker(stack: Stack, managedBy: string): void {
  const used = markersInUse.get(stack) ?? new Set<string>();
  if (used.has(managedBy)) {
    throw new Error(
      `Two EbsGenerationBackup constructs in stack ${stack.stackName} use managedBy "${managedBy}": ` +
        'give each its own managedBy so that neither prunes the other’s snapshots',
    );
  }
  used.add(managedBy);
  markersInUse.set(stack, used);
}
