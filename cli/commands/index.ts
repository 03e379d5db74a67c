import type { CommandSpec } from '../program';

/** Every command of `ebs-backup`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [];
