import { asLambdaTask, MAX_CAUSE_LENGTH } from '../../local/runner/lambda-task';

/** What a Catch receives from a Lambda task that threw: `Error` and `Cause` as Step Functions records them. */
async function caught(message: string, name = 'Failed') {
  const task = asLambdaTask(async () => {
    throw Object.assign(new Error(message), { name });
  });
  const error = await task({}).then(
    () => undefined,
    (e: Error) => e,
  );
  return { Error: error?.name, Cause: error?.message ?? '' };
}

describe('a Lambda error as Step Functions records it', () => {
  it("GIVEN a handler that throws WHEN it fails THEN the cause is the Node.js runtime's document, its trace repeating the message", async () => {
    const failure = await caught('two\nlines', 'Terminal');
    expect(failure.Error).toBe('Terminal');
    const document = JSON.parse(failure.Cause) as {
      errorType: string;
      errorMessage: string;
      trace: string[];
    };
    expect(document.errorType).toBe('Terminal');
    expect(document.errorMessage).toBe('two\nlines');
    expect(document.trace.slice(0, 2)).toEqual(['Terminal: two', 'lines']);
    expect(document.trace.length).toBeGreaterThan(2);
  });

  it('GIVEN a message of 20,000 characters WHEN it fails THEN the cause, message and trace together, is cut at 32,768 characters and no longer parses', async () => {
    const { Cause } = await caught('x'.repeat(20_000));
    expect(Cause).toHaveLength(MAX_CAUSE_LENGTH);
    expect(MAX_CAUSE_LENGTH).toBe(32_768);
    expect(() => JSON.parse(Cause)).toThrow();
  });
});
