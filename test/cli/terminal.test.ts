import { PassThrough } from 'node:stream';
import { terminalReadLine } from '../../cli/terminal';

/** A terminal whose screen (what the prompt's stream received) can be read back. */
function givenTerminal() {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  return { input, screen: () => screen, readLine: terminalReadLine({ input, output, terminal: true }) };
}

// The refusal that follows Ctrl+C or Ctrl+D (`ebs-backup: nothing adopted: not confirmed`) is
// printed where the cursor is: it must start on a line of its own, not after the question.
describe('the confirmation prompt leaves the cursor on a new line', () => {
  it.each([
    ['Ctrl+C', '\u0003'],
    ['Ctrl+D', '\u0004'],
  ])('GIVEN the prompt WHEN %s THEN undefined, and the line of the prompt is ended', async (_, key) => {
    const { input, screen, readLine } = givenTerminal();

    const answer = readLine('Continue? ');
    input.write(key);

    await expect(answer).resolves.toBeUndefined();
    // After the question, readline only moves the cursor (ESC [ n G); then the line ends.
    const shown = screen().replaceAll('\u001b', 'ESC');
    expect(shown).toMatch(/Continue\? (ESC\[\d+G)?\n$/);
  });

  it('GIVEN a typed answer WHEN Enter is pressed THEN one line end only, the echo’s', async () => {
    const { input, screen, readLine } = givenTerminal();

    const answer = readLine('Continue? ');
    input.write('yes\r');

    await expect(answer).resolves.toBe('yes');
    expect(screen().match(/\n/g)).toHaveLength(1);
  });
});
