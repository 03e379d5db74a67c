import type { CommandSpec } from '../program';
import { restoreCommand } from './restore';

/** Every command of `ebs-backup`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [restoreCommand];
