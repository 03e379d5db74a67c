import { existsSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { EbsGenerationBackupStack } from '../../infra/ebs-generation-backup-stack';
import type { HandlerFunctionProps } from '../../infra/functions';
import { EnvName, StackOutput } from '../../lambdas/contracts/deployment';
import { COPY_REGIONS_RECORD_KEY } from '../../lambdas/contracts/work-bucket';
import { inlineFunction, type Json, logicalId, roleStatements, synthesize } from '../fixtures/infra';

/**
 * The default deployment's schedule, work bucket and functions. GIVEN the app with no context,
 * WHEN synthesized, THEN each resource has the documented settings.
 */
const { template, backup } = synthesize();
const stateMachineRef = { Ref: logicalId(backup.stateMachine) };

describe('schedule (SPEC §4, §6.1)', () => {
  const [schedule] = Object.values(template.findResources('AWS::Scheduler::Schedule'));

  test('starts a full run ({}) of the state machine daily at 03:00 UTC', () => {
    expect(schedule.Properties).toEqual(
      expect.objectContaining({
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'UTC',
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
      }),
    );
    expect(schedule.Properties.Target).toEqual(
      expect.objectContaining({ Arn: stateMachineRef, Input: '{}' }),
    );
    expect(JSON.parse(schedule.Properties.Target.Input)).toEqual({});
  });

  test('retries a failed start for two hours at most', () => {
    expect(schedule.Properties.Target.RetryPolicy).toEqual({
      MaximumEventAgeInSeconds: 7200,
      MaximumRetryAttempts: 10,
    });
  });

  test('its role may start this state machine and nothing else', () => {
    const roleId = schedule.Properties.Target.RoleArn['Fn::GetAtt'][0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      policy.Properties.Roles.some((role: Json) => role.Ref === roleId),
    );
    expect(policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'states:StartExecution', Effect: 'Allow', Resource: stateMachineRef },
    ]);
  });
});

describe('work bucket (SPEC §8.3)', () => {
  const bucketId = logicalId(backup.bucket);

  test('is private, encrypted, owner-enforced and unversioned', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId];
    expect(bucket.Properties).toEqual(
      expect.objectContaining({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
    expect(bucket.Properties.VersioningConfiguration).toBeUndefined();
  });

  test('expires the run documents and map-run results after 30 days, never state/, and aborts stale multipart uploads', () => {
    const bucket = template.findResources('AWS::S3::Bucket')[bucketId];
    expect(bucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        { Id: 'expire-runs', Prefix: 'runs/', Status: 'Enabled', ExpirationInDays: 30 },
        { Id: 'expire-map-runs', Prefix: 'map-runs/', Status: 'Enabled', ExpirationInDays: 30 },
        {
          Id: 'abort-incomplete-uploads',
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
    // What the deployment remembers between runs (SPEC §10.6) lives under a prefix no rule expires.
    expect(COPY_REGIONS_RECORD_KEY.startsWith('state/')).toBe(true);
  });

  test('refuses every request without SSL', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 's3:*',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            Resource: [
              { 'Fn::GetAtt': [bucketId, 'Arn'] },
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
            ],
          },
        ]),
      },
    });
  });
});

describe('functions', () => {
  // The steps' functions (the custom resource's provider is tested with the alerts).
  const stepIds = new Set(Object.values(backup.functions.steps).map((step) => logicalId(step.function)));
  const functions = Object.fromEntries(
    Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => stepIds.has(id)),
  );
  const fn = (step: keyof typeof backup.functions.steps): Json =>
    functions[logicalId(backup.functions.steps[step].function)].Properties;
  const common = {
    POWERTOOLS_SERVICE_NAME: 'ebs-generation-backup',
    POWERTOOLS_METRICS_NAMESPACE: 'EbsGenerationBackup',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    MANAGED_BY: 'EbsGenerationBackup',
  };
  const bucketRef = { Ref: logicalId(backup.bucket) };

  test('are the nine steps, on the newest Node.js runtime, on arm64', () => {
    expect(Object.keys(functions)).toHaveLength(9);
    for (const { Properties } of Object.values(functions)) {
      expect(Properties.Runtime).toBe('nodejs24.x');
      expect(Properties.Architectures).toEqual(['arm64']);
    }
  });

  test.each<[keyof typeof backup.functions.steps, number, number, Record<string, unknown>]>([
    [
      'discover',
      600,
      1024,
      {
        TARGET_TAG_KEY: 'Backup-Generation',
        WORK_BUCKET: bucketRef,
        COPY_REGIONS: '[]',
        COPY_TAG_KEY: 'Backup-Copy-Generation',
        COPY_VOLUME_TAGS: '[]',
        CONSISTENCY_TAG_KEY: 'Backup-Consistency',
        PRE_SCRIPT_FAILURE: 'crash-consistent',
      },
    ],
    ['createSnapshot', 60, 256, { EC2_RATE_SHARE: '80', FAN_OUT_CONCURRENCY: '5' }],
    ['snapshotSet', 120, 256, { EC2_RATE_SHARE: '80', FAN_OUT_CONCURRENCY: '5' }],
    [
      'runScript',
      90,
      256,
      {
        SCRIPT_DOCUMENT: backup.scripts.documentName,
        SCRIPT_TIMEOUT_SECONDS: '30',
        CONSISTENCY_TAG_KEY: 'Backup-Consistency',
      },
    ],
    [
      'awaitSnapshots',
      600,
      1024,
      { WAIT_LIMIT_SECONDS: '86400', WORK_BUCKET: bucketRef, COPY_REGIONS: '[]' },
    ],
    ['copySnapshot', 60, 256, { COPY_REGIONS: '[]', EC2_RATE_SHARE: '80', FAN_OUT_CONCURRENCY: '5' }],
    ['awaitCopies', 600, 1024, { WORK_BUCKET: bucketRef, COPY_WAIT_LIMIT_SECONDS: '86400' }],
    ['prune', 780, 256, { WORK_BUCKET: bucketRef, EC2_RATE_SHARE: '80', FAN_OUT_CONCURRENCY: '5' }],
    ['summarise', 300, 1024, { WORK_BUCKET: bucketRef, STATE_MACHINE_NAME: backup.stateMachineName }],
  ])('%s: %d s, %d MB, and the environment it reads', (step, timeout, memory, environment) => {
    expect(fn(step)).toEqual(
      expect.objectContaining({
        Timeout: timeout,
        MemorySize: memory,
        Environment: { Variables: { ...common, ...environment } },
      }),
    );
  });

  test('together they set every variable the handlers read', () => {
    const set = Object.values(functions).flatMap(({ Properties }) =>
      Object.keys(Properties.Environment.Variables),
    );
    for (const name of Object.values(EnvName)) expect(set).toContain(name);
  });

  test('each logs to its own log group, kept 90 days', () => {
    const groups = template.findResources('AWS::Logs::LogGroup');
    const used = Object.values(functions).map(({ Properties }) => Properties.LoggingConfig.LogGroup.Ref);
    expect(new Set(used).size).toBe(9);
    for (const id of used) expect(groups[id].Properties).toEqual({ RetentionInDays: 90 });
  });

  test('each may write to its own log group only', () => {
    for (const { function: lambdaFunction, role } of Object.values(backup.functions.steps)) {
      const logging = roleStatements(template, role).filter((s: Json) =>
        String(s.Action).startsWith('logs:'),
      );
      expect(logging).toEqual([
        {
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Effect: 'Allow',
          Resource: [`<${logicalId(lambdaFunction.logGroup)}.Arn>`],
        },
      ]);
    }
  });
});

describe('handler modules', () => {
  test('every function is built from an existing handler file', () => {
    // Build again (no synth) with a factory that records what the construct asks for.
    const requested: HandlerFunctionProps[] = [];
    new EbsGenerationBackupStack(new App(), 'Recorder', {
      backup: {
        notificationEmails: ['ops@example.com'],
        functionFactory: (scope, id, props) => {
          requested.push(props);
          return inlineFunction(scope, id, props);
        },
      },
    });
    expect(requested.map((props) => props.entry.split('/').slice(-2).join('/'))).toEqual([
      'handlers/discover.ts',
      'handlers/create-snapshot.ts',
      'handlers/snapshot-set.ts',
      'handlers/run-script.ts',
      'handlers/await-snapshots.ts',
      'handlers/copy-snapshot.ts',
      'handlers/await-copies.ts',
      'handlers/prune.ts',
      'handlers/summarise.ts',
    ]);
    for (const { entry } of requested) expect(existsSync(entry)).toBe(true);
  });
});

describe('stack outputs (for the operator CLI)', () => {
  test('name the state machine, the work bucket, the marker, the tag keys and the copy regions under their documented keys', () => {
    const outputs = template.toJSON().Outputs;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(StackOutput).sort());
    expect(outputs[StackOutput.stateMachineArn].Value).toEqual(stateMachineRef);
    expect(outputs[StackOutput.workBucket].Value).toEqual({ Ref: logicalId(backup.bucket) });
    expect(outputs[StackOutput.managedBy].Value).toBe(backup.settings.managedBy);
    expect(outputs[StackOutput.tagKey].Value).toBe('Backup-Generation');
    expect(outputs[StackOutput.copyRegions].Value).toBe('[]');
    expect(outputs[StackOutput.copyTagKey].Value).toBe('Backup-Copy-Generation');
    expect(outputs[StackOutput.consistencyTagKey].Value).toBe('Backup-Consistency');
  });
});
