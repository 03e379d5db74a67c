import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { CONNECTION_TIMEOUT_MS, REQUEST_TIMEOUT_MS, type StepName } from './function-limits';

/**
 * The request handler's settings for every client, the operator CLI's and the local runner's
 * included. `throwOnRequestTimeout`: without it the SDK only logs a warning when
 * `requestTimeout` passes and goes on waiting, so a request to an endpoint that accepts the
 * connection and never answers would never end.
 */
export const REQUEST_HANDLER_OPTIONS = {
  requestTimeout: REQUEST_TIMEOUT_MS,
  connectionTimeout: CONNECTION_TIMEOUT_MS,
  throwOnRequestTimeout: true,
};

/**
 * Whether each step's EC2 clients let the SDK retry (`retryInSdk`, see `ec2Client`): all but the
 * create and copy steps'. Summarise has no EC2 client. One table for the functions and for the
 * local runner, which gives the simulated clients of these steps the SDK's retries
 * (local/simulated-account/sdk-retries.ts): they bypass the SDK's middleware.
 */
export const EC2_RETRIES_IN_SDK = {
  discover: true,
  createSnapshot: false,
  snapshotSet: false,
  awaitSnapshots: true,
  copySnapshot: false,
  awaitCopies: true,
  prune: true,
} as const satisfies Partial<Record<StepName, boolean>>;

/**
 * SDK clients built from the SDK's standard settings (region, `AWS_ENDPOINT_URL_EC2`,
 * profiles…), so the same code reaches AWS or any EC2-compatible endpoint.
 *
 * `retryInSdk: false` leaves every retry to the state machine. CreateSnapshot must not be
 * retried blindly by the SDK: after a lost response the call may have taken effect, and only
 * the step's idempotency check (on a declared Retry) can tell.
 */
export function ec2Client(options: { retryInSdk: boolean } = { retryInSdk: true }): EC2Client {
  return new EC2Client(ec2ClientConfig(options));
}

/** The settings of every function's EC2 client, in its own region or another. */
function ec2ClientConfig(options: { retryInSdk: boolean }) {
  return {
    requestHandler: REQUEST_HANDLER_OPTIONS,
    ...(options.retryInSdk ? {} : { maxAttempts: 1 }),
  };
}

/**
 * Systems Manager, for the scripts of sets (SPEC §12.4): one attempt per call, as the create
 * step's EC2 client, because SendCommand has no client token; a throttled or unanswered call is
 * the script step's to take again, after looking for the command (`runScript`).
 */
export function ssmClient(): SSMClient {
  return new SSMClient({ requestHandler: REQUEST_HANDLER_OPTIONS, maxAttempts: 1 });
}

export function s3Client(): S3Client {
  return new S3Client({ requestHandler: REQUEST_HANDLER_OPTIONS });
}

/**
 * EC2 clients by region, each made on first use with the same settings as `ec2Client`: the
 * copy steps work in the copy regions (CopySnapshot is called in the destination), and the
 * prune step prunes copies there. Without a region, the function's own.
 */
export function regionalEc2Clients(
  options: { retryInSdk: boolean } = { retryInSdk: true },
): (region: string) => EC2Client {
  const clients = new Map<string, EC2Client>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = new EC2Client({ ...ec2ClientConfig(options), region });
      clients.set(region, client);
    }
    return client;
  };
}
