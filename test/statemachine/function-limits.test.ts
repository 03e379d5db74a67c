import { FUNCTION_LIMITS, STEP_NAMES, STEP_OF_TASK_STATE } from '../../lambdas/commons/function-limits';
import { type AslDefinition, loadDefinitionTemplate } from '../../statemachine/definition';

/** Every Task state of the definition, nested ones (ItemProcessor) included. */
function taskStates(definition: AslDefinition): string[] {
  return Object.entries(definition.States as Record<string, AslDefinition>).flatMap(([name, state]) => [
    ...(state.Type === 'Task' ? [name] : []),
    ...(state.ItemProcessor ? taskStates(state.ItemProcessor) : []),
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
});
