import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * SDK clients built from the SDK's standard settings (region, `AWS_ENDPOINT_URL_EC2`,
 * profiles…), so the same code reaches AWS or any EC2-compatible endpoint.
 *
 * `retryInSdk: false` leaves every retry to the state machine. CreateSnapshot must not be
 * retried blindly by the SDK: after a lost response the call may have taken effect, and only
 * the step's idempotency check (on a declared Retry) can tell.
 */
export function ec2Client(options: { retryInSdk: boolean } = { retryInSdk: true }): EC2Client {
  return new EC2Client(options.retryInSdk ? {} : { maxAttempts: 1 });
}

export function s3Client(): S3Client {
  return new S3Client({});
}
