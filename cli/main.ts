import { COMMANDS } from './commands';
import type { CliIo } from './io';
import { type CliDeps, runCli } from './program';

/** `ebs-backup <command>` with every command; resolves to the exit code. */
export function main(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  return runCli(argv, io, COMMANDS, deps);
}
