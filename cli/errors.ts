/**
 * Exit codes (SPEC §11.4): 0 success; 1 the run or check failed; 2 usage, credentials,
 * permissions, unknown stack, unreachable endpoint or a refused confirmation.
 */
export const ExitCode = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the user can act on: printed as one line on stderr, never with a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.usage,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * What the caller's own setup lacks, when that is why a call failed: a Region, credentials, or
 * credentials AWS accepts. `runCli` checks then whether a named profile exists at all.
 */
export class SetupError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usage);
    this.name = 'SetupError';
  }
}

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
]);
/**
 * AWS's answers to a request signed with credentials it does not accept: EC2's 401 AuthFailure,
 * an unknown or deleted key, a wrong secret, an expired session token, by service.
 */
const REJECTED = new Set([
  'AuthFailure',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'ExpiredToken',
  'ExpiredTokenException',
]);
/**
 * A part of the deployment that its outputs (or the options) name but that is not there: the
 * stack was deleted or half-deleted, or these are another region's or account's names. Like an
 * unknown stack, the operator's to fix (SPEC §11.4), not a failed check.
 */
const GONE: Readonly<Record<string, string>> = {
  StateMachineDoesNotExist: 'the state machine',
  NoSuchBucket: 'the work bucket',
};
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'TimeoutError',
  'RequestTimeout',
]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function nameAndMessage(error: unknown): { name: string; message: string } {
  const e = (error ?? {}) as SdkError;
  return {
    name: e.name === 'Error' && e.code ? e.code : (e.name ?? 'Error'),
    message: (e.message ?? String(error)).split('\n')[0],
  };
}

/**
 * The caller's setup, when it is what an error is about: no Region (the SDK's "Region is
 * missing", also raised outside any call, when a client's region is read), no credentials
 * found, or credentials AWS rejected. Undefined for any other error.
 */
export function describeSetupError(error: unknown): SetupError | undefined {
  if (error instanceof SetupError) return error;
  const { name, message } = nameAndMessage(error);
  if (REJECTED.has(name)) {
    return new SetupError(
      `AWS rejected the credentials (${name}: ${message}): check the access key, secret and profile, or renew an expired session (e.g. aws sso login)`,
    );
  }
  // TokenProviderError: an IAM Identity Center (SSO) profile whose session expired; its message says how to renew it.
  if (
    name === 'CredentialsProviderError' ||
    name === 'TokenProviderError' ||
    /Could not load credentials/i.test(message)
  ) {
    return new SetupError(
      `no AWS credentials found (${message}): set AWS_PROFILE (or pass --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
  }
  if (/Region is missing/i.test(message)) {
    return new SetupError('no AWS Region: pass --region, set AWS_REGION, or use a profile that has one');
  }
  return undefined;
}

/**
 * What to tell the user about a failed AWS call. `action` is the API action (e.g.
 * `states:StartExecution`) so that a denial names the permission the caller lacks.
 */
export function describeAwsError(error: unknown, action: string): CliError {
  if (error instanceof CliError) return error;
  const setup = describeSetupError(error);
  if (setup) return setup;
  const e = (error ?? {}) as SdkError;
  const { name, message } = nameAndMessage(error);
  if (DENIED.has(name)) {
    return new CliError(
      `${action} was denied: the caller needs an IAM policy allowing ${action} (see README, "Operator permissions"): ${message}`,
    );
  }
  if (GONE[name] !== undefined) {
    return new CliError(
      `${action}: ${GONE[name]} of the deployment does not exist (${message}): check --stack, --region and --profile (and --state-machine-arn or --work-bucket if given), or redeploy the stack (npx cdk deploy)`,
    );
  }
  if (UNREACHABLE.has(name) || UNREACHABLE.has(e.code ?? '')) {
    return new CliError(`cannot reach the AWS endpoint for ${action}: ${name}: ${message}`);
  }
  if (
    name === 'NotAnAwsAnswer' ||
    ((e.$metadata?.httpStatusCode ?? 0) === 200 &&
      /Deserialization|Expected|Unexpected token|parse/i.test(message))
  ) {
    return new CliError(
      `the endpoint for ${action} did not answer like AWS (is AWS_ENDPOINT_URL right?): ${message}`,
    );
  }
  return new CliError(`${action} failed: ${name}: ${message}`, ExitCode.failed);
}

/** Runs one AWS call, turning its failure into a CliError that names the action. */
export async function awsCall<T>(action: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw describeAwsError(error, action);
  }
}
