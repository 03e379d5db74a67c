/**
 * A Lambda handler as Step Functions sees it. When a function throws, Step Functions reports
 * the error's name as `Error` and the runtime's error document as `Cause`; locally the engine
 * would use the bare message, so the wrapper reshapes the error the same way.
 */
export type TaskHandler = (input: unknown) => Promise<unknown>;

/**
 * The most characters of a cause Step Functions keeps: a task failure's `cause` is at most
 * 32,768 characters (https://docs.aws.amazon.com/step-functions/latest/apireference/API_TaskFailedEventDetails.html),
 * and a Catch passes on what the history holds. Anything beyond is cut, so a cause that carries
 * more than that reaches the next state as JSON that no longer parses.
 */
export const MAX_CAUSE_LENGTH = 32_768;

export function asLambdaTask(handler: (event: never) => Promise<unknown>): TaskHandler {
  return async (input) => {
    try {
      return await handler(input as never);
    } catch (error) {
      const original = error instanceof Error ? error : new Error(String(error));
      throw lambdaError(original.name, original.message, original.stack?.split('\n') ?? []);
    }
  };
}

/**
 * An error as Step Functions receives it from a Lambda task: `Error` = type, `Cause` = the JSON
 * error document, cut at MAX_CAUSE_LENGTH. For an error the handler threw, the Node.js runtime's
 * document also has `trace`, the stack split into lines, whose first line repeats the message
 * (`{"errorType","errorMessage","trace":["<type>: <message>", "    at …"]}`,
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html); one Lambda makes itself
 * (a timeout) has none.
 */
export function lambdaError(errorType: string, errorMessage: string, trace?: string[]): Error {
  const document = trace === undefined ? { errorType, errorMessage } : { errorType, errorMessage, trace };
  const error = new Error(JSON.stringify(document).slice(0, MAX_CAUSE_LENGTH));
  error.name = errorType;
  return error;
}
