import {
  FUNCTION_LIMITS,
  INVOCATION_MARGIN_MS,
  STEP_NAMES,
  STEP_OF_TASK_STATE,
  WORST_CASE_MS,
} from '../../lambdas/commons/function-limits';
import { type AslDefinition, loadDefinitionTemplate } from '../../statemachine/definition';

/**
 * Every Task state of the definition that invokes a function, nested ones (ItemProcessor, Parallel
 * branches) included. An SDK integration (RecordSnapshotRun's S3 PutObject) runs none.
 */
function taskStates(definition: AslDefinition): string[] {
  return Object.entries(definition.States as Record<string, AslDefinition>).flatMap(([name, state]) => [
    ...(state.Type === 'Task' && /^\$\{\w+FunctionArn\}$/.test(state.Resource) ? [name] : []),
    ...(state.ItemProcessor ? taskStates(state.ItemProcessor) : []),
    ...(state.Branches ?? []).flatMap(taskStates),
  ]);
}

describe('function limits: the contract between the deployment and the local runner', () => {
  it('THEN every Task state of the definition runs exactly one step, and every step is run', () => {
    expect(Object.keys(STEP_OF_TASK_STATE).sort()).toEqual(taskStates(loadDefinitionTemplate()).sort());
    expect([...new Set(Object.values(STEP_OF_TASK_STATE))].sort()).toEqual([...STEP_NAMES].sort());
  });

  it.each(STEP_NAMES)(
    'THEN %s has a timeout Lambda accepts (1 s to 15 min) and memory (128 MB to 10 GB)',
    (step) => {
      const { timeoutSeconds, memoryMiB } = FUNCTION_LIMITS[step];
      expect(timeoutSeconds).toBeGreaterThanOrEqual(1);
      expect(timeoutSeconds).toBeLessThanOrEqual(900);
      expect(memoryMiB).toBeGreaterThanOrEqual(128);
      expect(memoryMiB).toBeLessThanOrEqual(10_240);
    },
  );

  it.each(Object.entries(WORST_CASE_MS))(
    'THEN the longest path of %s (%i ms) ends before its Lambda timeout, with a margin: a timeout is never how it fails',
    (step, worstMs) => {
      const timeoutMs = FUNCTION_LIMITS[step as keyof typeof FUNCTION_LIMITS].timeoutSeconds * 1000;
      expect(worstMs + INVOCATION_MARGIN_MS).toBeLessThanOrEqual(timeoutMs);
    },
  );
});
