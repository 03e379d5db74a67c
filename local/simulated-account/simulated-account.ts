import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { connectEc2, connectS3 } from './clients';
import { SimulatedEc2, type SimulatedEc2Options } from './simulated-ec2';
import { SimulatedS3 } from './simulated-s3';

export interface SimulatedAccountOptions {
  /** Epoch ms shared by EC2 and S3; read at each use, default Date.now(). */
  readonly now?: () => number;
  readonly ec2?: Omit<SimulatedEc2Options, 'now'>;
}

/** One simulated AWS account and Region: its EC2, its S3 and the clock they share. */
export class SimulatedAccount {
  readonly now: () => number;
  readonly ec2: SimulatedEc2;
  readonly s3: SimulatedS3;

  constructor(options: SimulatedAccountOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.ec2 = new SimulatedEc2({ ...options.ec2, now: this.now });
    this.s3 = new SimulatedS3({ now: this.now });
  }

  /** A new real EC2Client talking to this account. */
  ec2Client(): EC2Client {
    return connectEc2(this.ec2);
  }

  /** A new real S3Client talking to this account. */
  s3Client(): S3Client {
    return connectS3(this.s3);
  }
}
