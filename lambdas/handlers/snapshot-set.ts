import { logger } from '../commons/observability';

/**
 * Placeholder for the merge: the set step (SPEC §12: CreateSnapshotSet, ConfirmSnapshotSet,
 * FinishSet) lands with its own handler, which replaces this file. Until then the deployment
 * builds, and an invocation fails loudly.
 */
export const handler = async (): Promise<never> => {
  logger.error('the snapshotSet step is a placeholder in this build');
  throw new Error('The snapshotSet step (SPEC §12) is not in this build');
};
