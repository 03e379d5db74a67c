import { PassThrough } from 'node:stream';
import { terminalReadLine } from '../../cli/terminal';

/**
 * The terminal of `npm start -- --target aws --live` and of `ebs-backup`: Ctrl+C and Ctrl+D at a
 * confirmation are an answer (undefined: refused, exit 2), never an error (exit 1) or a hang.
 */
function givenTerminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  output.resume();
  return { input, readLine: terminalReadLine({ input, output, terminal: true }) };
}

describe('the confirmation prompt on a terminal', () => {
  it('GIVEN a typed answer WHEN Enter is pressed THEN the answer', async () => {
    const { input, readLine } = givenTerminal();
    const answer = readLine('Continue? ');
    input.write('yes\r');
    await expect(answer).resolves.toBe('yes');
  });

  it('GIVEN the prompt WHEN Ctrl+D ends the input THEN undefined', async () => {
    const { input, readLine } = givenTerminal();
    const answer = readLine('Continue? ');
    input.write('\u0004');
    await expect(answer).resolves.toBeUndefined();
  });

  it('GIVEN the prompt WHEN Ctrl+C is pressed THEN undefined', async () => {
    const { input, readLine } = givenTerminal();
    const answer = readLine('Continue? ');
    input.write('\u0003');
    await expect(answer).resolves.toBeUndefined();
  });
});
