import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { connectEc2, connectS3 } from './clients';
import { DEFAULT_REGION, isRegionName } from './ec2-records';
import { SimulatedEc2, type SimulatedEc2Options } from './simulated-ec2';
import { SimulatedKms } from './simulated-kms';
import { SimulatedS3 } from './simulated-s3';
import { SimulatedSsm, type SimulatedSsmOptions } from './simulated-ssm';
import { connectSsm } from './ssm-client';

export interface SimulatedAccountOptions {
  /** Epoch ms shared by every Region's EC2 and by S3; read at each use, default Date.now(). */
  readonly now?: () => number;
  /** The home Region: `ec2` and `ec2Client()` without a Region. Default us-east-1. */
  readonly region?: string;
  /** Options of every Region's EC2, the home Region's and those `ec2In` creates alike. */
  readonly ec2?: Omit<SimulatedEc2Options, 'now' | 'region'>;
  /** Options of every Region's SSM, as for `ec2`. */
  readonly ssm?: Omit<SimulatedSsmOptions, 'now' | 'region' | 'instanceState'>;
}

/**
 * One simulated AWS account: its EC2 in each Region it uses, its KMS keys, its S3 and the clock
 * they share. `ec2` is the home Region's; `ec2In` reaches (and on first use creates) another
 * Region's, with its own resources, token buckets, call counts and faults, as EC2 keeps them
 * per account and Region. A snapshot copy is made in its destination Region and reads its
 * source from the Region the request names.
 */
export class SimulatedAccount {
  readonly now: () => number;
  readonly region: string;
  readonly ec2: SimulatedEc2;
  readonly s3: SimulatedS3;
  readonly kms = new SimulatedKms();
  /** The home Region's SSM Run Command (managed nodes, commands and their invocations). */
  readonly ssm: SimulatedSsm;
  private readonly ec2Options: Omit<SimulatedEc2Options, 'now' | 'region'>;
  private readonly ec2ByRegion = new Map<string, SimulatedEc2>();
  private readonly ssmOptions: Omit<SimulatedSsmOptions, 'now' | 'region' | 'instanceState'>;
  private readonly ssmByRegion = new Map<string, SimulatedSsm>();

  constructor(options: SimulatedAccountOptions = {}) {
    this.now = options.now ?? (() => Date.now());
    this.region = validRegion(options.region ?? DEFAULT_REGION);
    this.ec2Options = options.ec2 ?? {};
    this.ec2 = this.ec2In(this.region);
    this.s3 = new SimulatedS3({ now: this.now });
    this.ssmOptions = options.ssm ?? {};
    this.ssm = this.ssmIn(this.region);
  }

  /**
   * That Region's SSM, created on first use. Its managed nodes are that Region's EC2 instances
   * (SendCommand refuses one that EC2 shows shutting down or terminated) once registered there.
   */
  ssmIn(region: string): SimulatedSsm {
    let ssm = this.ssmByRegion.get(validRegion(region));
    if (!ssm) {
      const ec2 = this.ec2In(region);
      ssm = new SimulatedSsm({
        ...this.ssmOptions,
        now: this.now,
        region,
        instanceState: (instanceId) => ec2.instance(instanceId)?.State?.Name,
      });
      this.ssmByRegion.set(region, ssm);
    }
    return ssm;
  }

  /** A new real SSMClient talking to that Region's SSM (default the home Region). */
  ssmClient(region: string = this.region): SSMClient {
    return connectSsm(this.ssmIn(region));
  }

  /** That Region's EC2, created empty on first use with the account's EC2 options. */
  ec2In(region: string): SimulatedEc2 {
    let ec2 = this.ec2ByRegion.get(validRegion(region));
    if (!ec2) {
      ec2 = new SimulatedEc2(
        { ...this.ec2Options, now: this.now, region },
        {
          idSpace: this.ec2ByRegion.size,
          regionIfPresent: (other) => this.ec2ByRegion.get(other),
          kms: this.kms,
        },
      );
      this.ec2ByRegion.set(region, ec2);
    }
    return ec2;
  }

  /** The Regions whose EC2 exists so far, the home Region first, then in order of first use. */
  regions(): string[] {
    return [...this.ec2ByRegion.keys()];
  }

  /** A new real EC2Client talking to that Region's EC2 (default the home Region), its `region` set to it. */
  ec2Client(region: string = this.region): EC2Client {
    return connectEc2(this.ec2In(region));
  }

  /** A new real S3Client talking to this account. */
  s3Client(): S3Client {
    return connectS3(this.s3);
  }

  /** A new customer managed KMS key in that Region; returns its ARN, usable as a KmsKeyId there only. */
  createKmsKey(region: string): string {
    return this.kms.createKey(validRegion(region));
  }

  /** The ARN of that Region's default KMS key for EBS (`alias/aws/ebs`). */
  defaultEbsKmsKey(region: string = this.region): string {
    return this.kms.defaultEbsKey(validRegion(region));
  }
}

function validRegion(region: string): string {
  if (!isRegionName(region)) throw new Error(`Not a Region code: ${JSON.stringify(region)}`);
  return region;
}
