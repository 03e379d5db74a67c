import type { CommandSpec } from '../program';
import { generationsCommand } from './generations';

/** Every command of `ebs-backup`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [generationsCommand];
