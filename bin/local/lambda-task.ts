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
      const reshaped = new Error(
        JSON.stringify({ errorType: original.name, errorMessage: original.message }),
      );
      reshaped.name = original.name;
      throw reshaped;
    }
  };
}
