/**
 * A Lambda handler as Step Functions sees it. When a function throws, Step Functions reports
 * the error's name as `Error` and `{"errorType","errorMessage"}` as `Cause`; locally the engine
 * would use the bare message, so the wrapper reshapes the error the same way.
 */
export type TaskHandler = (input: unknown) => Promise<unknown>;

export function asLambdaTask(handler: (event: never) => Promise<unknown>): TaskHandler {
  return async (input) => {
    try {
      return await handler(input as never);
    } catch (error) {
      const original = error instanceof Error ? error : new Error(String(error));
      throw lambdaError(original.name, original.message);
    }
  };
}

/** An error as Step Functions receives it from a Lambda task: `Error` = type, `Cause` = the JSON. */
export function lambdaError(errorType: string, errorMessage: string): Error {
  const error = new Error(JSON.stringify({ errorType, errorMessage }));
  error.name = errorType;
  return error;
}
