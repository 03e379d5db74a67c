import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { STEP_NAMES, type StepName } from '../../infra/functions';
import { backupStacks, logicalId, testApp } from '../fixtures/infra';

/**
 * cdk-nag AwsSolutions runs as a validation plugin of the real app (SPEC §8.2): any finding not
 * acknowledged fails the synth. GIVEN the app as deployed, WHEN it is synthesized, THEN nothing
 * is reported, and every acknowledgement is one of the reviewed list below.
 */
describe('cdk-nag AwsSolutions checks', () => {
  const app = testApp();
  const assembly = app.synth();

  test('the app synthesizes with no finding', () => {
    const report = JSON.parse(readFileSync(join(assembly.directory, 'validation-report.json'), 'utf8'));
    const violations = report.pluginReports.flatMap(
      (plugin: { violations?: unknown[] }) => plugin.violations ?? [],
    );
    expect(violations).toEqual([]);
  });

  test('a non-compliant resource is reported and fails the synth', () => {
    const badApp = testApp();
    new s3.Bucket(backupStacks(badApp)[0], 'UnloggedPlainBucket');
    expect(() => badApp.synth()).toThrow(
      /The S3 Bucket has server access logs disabled[\s\S]*UnloggedPlainBucket[\s\S]*AwsSolutions-S1\b/,
    );
  });

  test('each acknowledgement is scoped to its construct, with a reason', () => {
    const acknowledged = app.node.findAll().flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
            at: construct.node.path,
            id: id.replace(/^annotation::/i, ''),
            reason,
          })),
        ),
    );
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(40);
    const { backup } = backupStacks(app)[0];
    const role = (step: StepName) => `EbsGenerationBackup/Backup/Functions/${step}/Role`;
    const workflowRole = 'EbsGenerationBackup/Backup/Workflow/Role';
    const bucketArn = `<${logicalId(backup.bucket)}.Arn>`;
    const functionArn = (step: StepName) => `<${logicalId(backup.functions.steps[step].function)}.Arn>`;
    const ec2 = (resource: string) =>
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:${resource}/*]`;
    expect([...new Set(acknowledged.map(({ at, id }) => `${at} ${id}`))].sort()).toEqual(
      [
        `EbsGenerationBackup/Backup/Work/Bucket AwsSolutions-S1`,
        `EbsGenerationBackup/Backup/Alerts/SuccessWindowStart/Resource/CustomResourcePolicy AwsSolutions-IAM5[Resource::*]`,
        `EbsGenerationBackup/Backup/Workflow/StateMachine AwsSolutions-SF1`,
        `EbsGenerationBackup/Backup/Workflow/StateMachine AwsSolutions-SF2`,
        `${role('discover')} AwsSolutions-IAM5[Resource::*]`,
        `${role('discover')} AwsSolutions-IAM5[Resource::${bucketArn}/runs/*]`,
        `${role('createSnapshot')} AwsSolutions-IAM5[Resource::*]`,
        `${role('createSnapshot')} ${ec2('<AWS::AccountId>:volume')}`,
        `${role('createSnapshot')} ${ec2(':snapshot')}`,
        `${role('snapshotSet')} AwsSolutions-IAM5[Resource::*]`,
        `${role('snapshotSet')} ${ec2('<AWS::AccountId>:instance')}`,
        `${role('snapshotSet')} ${ec2('<AWS::AccountId>:volume')}`,
        `${role('snapshotSet')} ${ec2(':snapshot')}`,
        `${role('runScript')} AwsSolutions-IAM5[Resource::*]`,
        `${role('runScript')} ${ec2('<AWS::AccountId>:instance')}`,
        `${role('awaitSnapshots')} AwsSolutions-IAM5[Resource::*]`,
        `${role('awaitSnapshots')} AwsSolutions-IAM5[Resource::${bucketArn}/runs/*]`,
        `${role('awaitSnapshots')} AwsSolutions-IAM5[Resource::${bucketArn}/map-runs/*]`,
        // Without copy regions the copy step has nothing to copy (see copies-nag.test.ts for the rest).
        `${role('copySnapshot')} AwsSolutions-IAM5[Resource::*]`,
        `${role('awaitCopies')} AwsSolutions-IAM5[Resource::*]`,
        `${role('awaitCopies')} AwsSolutions-IAM5[Resource::${bucketArn}/runs/*]`,
        `${role('awaitCopies')} AwsSolutions-IAM5[Resource::${bucketArn}/map-runs/copy/*]`,
        `${role('prune')} AwsSolutions-IAM5[Resource::*]`,
        `${role('prune')} ${ec2(':snapshot')}`,
        `${role('prune')} AwsSolutions-IAM5[Resource::${bucketArn}/runs/*/prune-progress/*]`,
        `${role('summarise')} AwsSolutions-IAM5[Resource::${bucketArn}/runs/*]`,
        `${role('summarise')} AwsSolutions-IAM5[Resource::${bucketArn}/map-runs/*]`,
        `${workflowRole} AwsSolutions-IAM5[Resource::*]`,
        `${workflowRole} AwsSolutions-IAM5[Resource::${bucketArn}/runs/*]`,
        `${workflowRole} AwsSolutions-IAM5[Resource::${bucketArn}/map-runs/*]`,
        `${workflowRole} AwsSolutions-IAM5[Resource::${bucketArn}/runs/*/snapshot-run.json]`,
        ...STEP_NAMES.map((step) => `${workflowRole} AwsSolutions-IAM5[Resource::${functionArn(step)}:*]`),
        `${workflowRole} AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${backup.stateMachineName}/*]`,
      ].sort(),
    );
  });
});
