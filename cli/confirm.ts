import { CliError } from './errors';
import type { CliIo } from './io';

/**
 * Asks the operator to type `yes`. Anything else, Ctrl+D or Ctrl+C is a refusal: exit 2 with
 * `refused` as the message, and nothing changed. Without a terminal there is no one to ask, so
 * `--yes` is required.
 */
export async function confirm(io: CliIo, question: string, refused: string): Promise<void> {
  if (!io.isTTY) throw new CliError(`${refused}: no terminal to confirm on; add --yes to confirm`);
  const answer = await io.readLine(`${question} Type yes to continue: `);
  if (answer?.trim().toLowerCase() !== 'yes') throw new CliError(`${refused}: not confirmed`);
}
