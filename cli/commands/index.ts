import type { CommandSpec } from '../program';
import { runCommand } from './run';

/** Every command of `ebs-backup`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [runCommand];
