import {
  ConcurrentSnapshotLimitError,
  Ec2ThrottledError,
  Ec2TransientError,
  SnapshotRateExceededError,
  VolumeNotFoundError,
} from '../core/errors';

/**
 * Turns what the EC2 SDK throws into the named errors the state machine retries on (see
 * `statemachine/`). Anything not recognised is rethrown unchanged: an unknown error must not
 * be retried blindly, and its own name (e.g. `UnauthorizedOperation`) is what the operator
 * needs to see on the failed item.
 */
const THROTTLING_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ResourceLimitExceeded',
]);
const TRANSIENT_CODES = new Set([
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export function translateEc2Error(error: unknown, context: { volumeId?: string } = {}): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const e = error as SdkLikeError & Error;
  const code = e.name === 'Error' && e.code ? e.code : e.name;
  const detail = `${code}: ${e.message}`;
  if (code === 'SnapshotCreationPerVolumeRateExceeded') return new SnapshotRateExceededError(detail);
  if (THROTTLING_CODES.has(code)) return new Ec2ThrottledError(detail);
  if (TRANSIENT_CODES.has(code) || e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500) {
    return new Ec2TransientError(detail);
  }
  if (code === 'InvalidVolume.NotFound' && context.volumeId) return new VolumeNotFoundError(context.volumeId);
  if (code === 'ConcurrentSnapshotLimitExceeded' && context.volumeId) {
    return new ConcurrentSnapshotLimitError(context.volumeId, detail);
  }
  return error;
}

/** Runs an EC2 call and translates its failure. */
export async function ec2Call<T>(call: () => Promise<T>, context: { volumeId?: string } = {}): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateEc2Error(error, context);
  }
}

/** The EC2 error code of an SDK error, for the few codes that are outcomes rather than failures. */
export function ec2ErrorCode(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
