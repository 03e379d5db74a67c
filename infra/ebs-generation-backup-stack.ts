import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { StackOutput } from '../lambdas/contracts/deployment';
import { EbsGenerationBackup, type EbsGenerationBackupProps } from './ebs-generation-backup';

export interface EbsGenerationBackupStackProps extends StackProps {
  readonly backup?: EbsGenerationBackupProps;
}

/**
 * One deployment in one region: the `EbsGenerationBackup` construct, and the outputs the
 * operator CLI reads to find it.
 */
export class EbsGenerationBackupStack extends Stack {
  readonly backup: EbsGenerationBackup;

  constructor(scope: Construct, id: string, props: EbsGenerationBackupStackProps = {}) {
    super(scope, id, {
      description:
        'EBS generation backup: keeps the newest N snapshots of every EBS volume of instances tagged Backup-Generation=N',
      ...props,
    });
    this.backup = new EbsGenerationBackup(this, 'Backup', props.backup);
    const outputs: Record<keyof typeof StackOutput, [string, string]> = {
      stateMachineArn: [this.backup.stateMachine.stateMachineArn, 'The backup state machine'],
      workBucket: [this.backup.bucket.bucketName, 'Work lists, map-run results and run reports'],
      managedBy: [this.backup.settings.managedBy, 'Backup-Managed-By marker of this deployment’s snapshots'],
      tagKey: [this.backup.settings.tagKey, 'Tag key that targets instances and volumes'],
      copyRegions: [
        JSON.stringify(this.backup.copyRegions),
        'Regions that keep copies, with their KMS keys (JSON array; [] for none)',
      ],
      copyTagKey: [this.backup.settings.copyTagKey, 'Tag key that asks for copies in the copy regions'],
      consistencyTagKey: [
        this.backup.settings.consistencyTagKey,
        'Instance tag key naming how its volumes are snapshotted: volume, instance or application',
      ],
    };
    for (const [key, [value, description]] of Object.entries(outputs)) {
      new CfnOutput(this, StackOutput[key as keyof typeof StackOutput], { value, description });
    }
  }
}
