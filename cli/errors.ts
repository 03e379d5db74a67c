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

const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'UnauthorizedException',
  'AuthorizationError',
]);
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

/**
 * What to tell the user about a failed AWS call. `action` is the API action (e.g.
 * `states:StartExecution`) so that a denial names the permission the caller lacks.
 */
export function describeAwsError(error: unknown, action: string): CliError {
  if (error instanceof CliError) return error;
  const e = (error ?? {}) as SdkError;
  const name = e.name === 'Error' && e.code ? e.code : (e.name ?? 'Error');
  const message = (e.message ?? String(error)).split('\n')[0];
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(message)) {
    return new CliError(
      `no AWS credentials: set AWS_PROFILE (or pass --profile), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (${message})`,
    );
  }
  if (/Region is missing/i.test(message)) {
    return new CliError('no AWS Region: pass --region, set AWS_REGION, or use a profile that has one');
  }
  if (DENIED.has(name)) {
    return new CliError(
      `${action} was denied: the caller needs an IAM policy allowing ${action} (see README, "Operator permissions"): ${message}`,
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
