import type { CommandSpec } from '../program';
import { plan } from './plan';

/** Every command of `ebs-backup`, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [plan];
