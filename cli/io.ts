/** Where the command line reads and writes: the process, or a test's buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal: progress then updates one line in place. */
  isTTY: boolean;
  /** Asks on the terminal; undefined when input ended (Ctrl+D) or was interrupted (Ctrl+C). */
  readLine(prompt: string): Promise<string | undefined>;
}
