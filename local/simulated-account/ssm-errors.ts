import { randomUUID } from 'node:crypto';
import {
  DuplicateInstanceId,
  InternalServerError,
  InvalidCommandId,
  InvalidDocument,
  InvalidInstanceId,
  InvalidNextToken,
  InvalidParameters,
  InvalidPluginName,
  InvocationDoesNotExist,
  SSMServiceException,
} from '@aws-sdk/client-ssm';

/**
 * The exception classes the SDK's SSM client models; it throws an instance of the class named by
 * the error code, so product code may test `instanceof InvocationDoesNotExist` as well as `name`.
 */
const MODELLED = {
  DuplicateInstanceId,
  InternalServerError,
  InvalidCommandId,
  InvalidDocument,
  InvalidInstanceId,
  InvalidNextToken,
  InvalidParameters,
  InvalidPluginName,
  InvocationDoesNotExist,
} as const;

/**
 * What the real SSM client throws for an SSM error response: the modelled class for the code when
 * there is one, else an SSMServiceException named by the code (ThrottlingException,
 * ValidationException). SSM speaks JSON 1.1: client errors are HTTP 400, server errors 500.
 */
export function ssmError(code: string, message: string, httpStatusCode?: number): SSMServiceException {
  const status = httpStatusCode ?? (code === 'InternalServerError' ? 500 : 400);
  const $metadata = { httpStatusCode: status, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 };
  const Modelled = MODELLED[code as keyof typeof MODELLED];
  if (Modelled) return new Modelled({ $metadata, message, Message: message });
  return new SSMServiceException({
    name: code,
    message,
    $fault: status < 500 ? 'client' : 'server',
    $metadata,
  });
}
