import type { CommandSpec } from '../program';
import { adoptCommand } from './adopt';
import { restoreCommand } from './restore';

/** Every command of `ebs-backup`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [restoreCommand, adoptCommand];
