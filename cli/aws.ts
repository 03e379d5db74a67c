import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { REQUEST_HANDLER_OPTIONS } from '../lambdas/commons/clients';

/** Where to reach AWS: `--region` and `--profile`, else the SDK's standard settings. */
export interface AwsTarget {
  region?: string;
  profile?: string;
}

/** The clients a command may use; tests pass mocked or simulated ones. */
export interface AwsClients {
  /** EC2 in the home region (`--region`): the deployment's own. */
  ec2(): EC2Client;
  /**
   * EC2 in another region (a copy region, SPEC §10), with the same credentials, profile and
   * timeouts as the home one: one client per region, made on first use.
   */
  ec2In(region: string): EC2Client;
  sfn(): SFNClient;
  cloudFormation(): CloudFormationClient;
  s3(): S3Client;
}

/**
 * Real clients. Every request has a timeout, and a refused or silent endpoint fails within
 * seconds (two attempts), rather than after the SDK's minutes of retries: an operator at a
 * terminal wants to know now that the endpoint, region or network is wrong.
 */
export function awsClients(target: AwsTarget): AwsClients {
  const config = {
    ...(target.region && { region: target.region }),
    ...(target.profile && { profile: target.profile }),
    maxAttempts: 2,
    requestHandler: REQUEST_HANDLER_OPTIONS,
  };
  const once = <T>(make: () => T) => {
    let client: T | undefined;
    return () => {
      client ??= make();
      return client;
    };
  };
  const regional = new Map<string, EC2Client>();
  return {
    ec2: once(() => new EC2Client(config)),
    ec2In: (region) => {
      let client = regional.get(region);
      if (!client) {
        client = new EC2Client({ ...config, region });
        regional.set(region, client);
      }
      return client;
    },
    sfn: once(() => new SFNClient(config)),
    cloudFormation: once(() => new CloudFormationClient(config)),
    s3: once(() => new S3Client(config)),
  };
}
