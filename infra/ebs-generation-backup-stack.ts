import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EbsGenerationBackup, type EbsGenerationBackupProps } from './ebs-generation-backup';

export interface EbsGenerationBackupStackProps extends StackProps {
  readonly backup?: EbsGenerationBackupProps;
}

/** One deployment in one region: the `EbsGenerationBackup` construct, nothing else. */
export class EbsGenerationBackupStack extends Stack {
  readonly backup: EbsGenerationBackup;

  constructor(scope: Construct, id: string, props: EbsGenerationBackupStackProps = {}) {
    super(scope, id, {
      description:
        'EBS generation backup: keeps the newest N snapshots of every EBS volume of instances tagged Backup-Generation=N',
      ...props,
    });
    this.backup = new EbsGenerationBackup(this, 'Backup', props.backup);
  }
}
