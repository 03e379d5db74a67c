import { logger } from '../commons/observability';

/**
 * Placeholder for the merge: the script step (SPEC §12.4: PreScript, PostScript) lands with its
 * own handler, which replaces this file. Until then the deployment builds, and an invocation
 * fails loudly.
 */
export const handler = async (): Promise<never> => {
  logger.error('the runScript step is a placeholder in this build');
  throw new Error('The runScript step (SPEC §12.4) is not in this build');
};
