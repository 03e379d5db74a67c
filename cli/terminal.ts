import { createInterface } from 'node:readline';

export interface TerminalStreams {
  input: NodeJS.ReadableStream;
  /** Where the prompt goes: stderr, so that stdout stays the command's output. */
  output: NodeJS.WritableStream;
  /** Whether to treat the input as a terminal (Ctrl+C arrives as a character); default the output's. */
  terminal?: boolean;
}

/**
 * Asks one line on the terminal; undefined on Ctrl+D (end of input) or Ctrl+C, so that the
 * caller refuses (see `confirm`) rather than failing or hanging.
 */
export function terminalReadLine(
  streams: TerminalStreams = { input: process.stdin, output: process.stderr },
): (prompt: string) => Promise<string | undefined> {
  return (prompt) =>
    new Promise((resolve) => {
      const terminal = createInterface({
        input: streams.input,
        output: streams.output,
        ...(streams.terminal !== undefined && { terminal: streams.terminal }),
      });
      let answered = false;
      terminal.on('SIGINT', () => terminal.close());
      terminal.on('close', () => {
        // Closed without an answer (Ctrl+D, Ctrl+C): nothing echoed Enter, so the cursor is still
        // after the question; the refusal that follows gets a line of its own.
        if (!answered) streams.output.write('\n');
        resolve(undefined);
      });
      terminal.question(prompt, (answer) => {
        answered = true;
        resolve(answer);
        terminal.close();
      });
    });
}
