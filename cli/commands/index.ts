import type { CommandSpec } from '../program';
import { adoptCommand } from './adopt';
import { generationsCommand } from './generations';
import { planCommand } from './plan';
import { restoreCommand } from './restore';
import { runCommand } from './run';
import { statusCommand } from './status';

/** Every command of `ebs-backup`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  planCommand,
  runCommand,
  statusCommand,
  generationsCommand,
  restoreCommand,
  adoptCommand,
];
