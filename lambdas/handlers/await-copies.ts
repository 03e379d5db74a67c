/**
 * Placeholder so that the deployment's entry file exists on this branch; the real handler
 * replaces it on merge.
 */
export const handler = async (): Promise<never> => {
  throw new Error('not implemented on this branch');
};
