import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { REQUEST_HANDLER_OPTIONS } from '../lambdas/commons/clients';
import { MAX_ATTEMPTS, OperatorRetryStrategy } from './retry-strategy';

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
 * Real clients, EC2, Step Functions, CloudFormation and S3 alike. A throttled or 5xx answer is
 * retried with backoff, up to MAX_ATTEMPTS attempts (OperatorRetryStrategy), so a busy account
 * does not stop a command; a request with no answer is not retried: a refused endpoint fails at
 * once, a black-holed one after the 3 s connection timeout, a silent one after the 10 s request
 * timeout. An operator at a terminal wants to know now that the endpoint, region or network is
 * wrong. `maxAttempts` is what the SDK reports in each request's `amz-sdk-request` header.
 * `retries` is shared by every client made here; its `stop` ends their waits when a command ends.
 */
export function awsClients(target: AwsTarget, retries = new OperatorRetryStrategy()): AwsClients {
  const config = {
    ...(target.region && { region: target.region }),
    ...(target.profile && { profile: target.profile }),
    maxAttempts: MAX_ATTEMPTS,
    retryStrategy: retries,
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
