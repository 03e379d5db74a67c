import { SIMULATED_ACCOUNT_ID } from './ec2-records';

/** The alias of the AWS managed KMS key EBS uses by default in each Region. */
export const EBS_DEFAULT_KEY_ALIAS = 'alias/aws/ebs';

/**
 * The account's KMS keys, by Region, as far as EBS encryption needs them: names only, no
 * cryptography. KMS keys belong to one Region, and EBS "automatically creates a unique AWS managed
 * key in each Region" for its default encryption
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html): here each Region's
 * default key (`alias/aws/ebs`) exists from its first use, and a test adds customer managed keys
 * with `createKey`. Key ids come from a counter, so a test sees the same ARNs every time.
 */
export class SimulatedKms {
  private readonly defaultKeys = new Map<string, string>();
  /** Region → key id → key ARN. */
  private readonly keys = new Map<string, Map<string, string>>();
  private count = 0;

  createKey(region: string): string {
    const keyId = this.nextKeyId();
    const arn = `arn:aws:kms:${region}:${SIMULATED_ACCOUNT_ID}:key/${keyId}`;
    let inRegion = this.keys.get(region);
    if (!inRegion) {
      inRegion = new Map();
      this.keys.set(region, inRegion);
    }
    inRegion.set(keyId, arn);
    return arn;
  }

  defaultEbsKey(region: string): string {
    let arn = this.defaultKeys.get(region);
    if (arn === undefined) {
      arn = this.createKey(region);
      this.defaultKeys.set(region, arn);
    }
    return arn;
  }

  /**
   * The ARN of the key a KmsKeyId names in that Region, or undefined when it names none there. EC2
   * takes a key ID, a key ARN, an alias or an alias ARN
   * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CopySnapshot.html, KmsKeyId); the
   * only alias known here is the default key's. An ARN of another Region or account names no key
   * of this Region.
   */
  resolve(region: string, kmsKeyId: string): string | undefined {
    let name = kmsKeyId;
    if (kmsKeyId.startsWith('arn:')) {
      const prefix = `arn:aws:kms:${region}:${SIMULATED_ACCOUNT_ID}:`;
      if (!kmsKeyId.startsWith(prefix)) return undefined;
      name = kmsKeyId.slice(prefix.length);
      if (name.startsWith('key/')) name = name.slice('key/'.length);
      else if (!name.startsWith('alias/')) return undefined;
    }
    if (name === EBS_DEFAULT_KEY_ALIAS) return this.defaultEbsKey(region);
    return this.keys.get(region)?.get(name);
  }

  // Shaped like a KMS key id (a UUID); the last group counts keys across the account.
  private nextKeyId(): string {
    this.count += 1;
    return `5a1e0000-0000-4000-8000-${this.count.toString(16).padStart(12, '0')}`;
  }
}
