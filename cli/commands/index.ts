import type { CommandSpec } from '../program';
import { generationsCommand } from './generations';
import { plan } from './plan';
import { runCommand } from './run';
import { statusCommand } from './status';

/** Every command of `ebs-backup`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [plan, runCommand, statusCommand, generationsCommand];
