import { randomUUID } from 'node:crypto';
import { EC2ServiceException } from '@aws-sdk/client-ec2';

// HTTP status EC2 answers each error code with. Codes not listed are plain client errors (400).
const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  UnauthorizedOperation: 403,
  DryRunOperation: 412,
  InternalError: 500,
  InternalFailure: 500,
  RequestLimitExceeded: 503,
  ServiceUnavailable: 503,
  Unavailable: 503,
};

/**
 * The exception the real SDK throws for an EC2 error response: an EC2ServiceException whose
 * `name` is the EC2 error code, `$fault` follows the HTTP status exactly as the SDK's protocol
 * layer decides it (< 500 client, else server), and `Code` / `Error` repeat the code and message
 * as the SDK copies them from the response body. Retry logic in product code sees what it
 * would see against AWS.
 */
export function ec2Error(code: string, message: string, httpStatusCode = STATUS_BY_CODE[code] ?? 400) {
  const error = new EC2ServiceException({
    name: code,
    message,
    $fault: httpStatusCode < 500 ? 'client' : 'server',
    $metadata: { httpStatusCode, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 },
  });
  return Object.assign(error, { Code: code, Error: { Code: code, Message: message } });
}

/**
 * What the SDK raises when the connection dies before a response arrives (node-http-handler's
 * socket timeout): a plain Error named `TimeoutError`, no HTTP status. The request may well have
 * taken effect on the server, which is the case idempotent retries must handle.
 */
export function lostResponseError(action: string): Error {
  return Object.assign(
    new Error(`Connection timed out after 30000 ms (simulated lost response to ${action})`),
    {
      name: 'TimeoutError',
      $metadata: { attempts: 1, totalRetryDelay: 0 },
    },
  );
}
