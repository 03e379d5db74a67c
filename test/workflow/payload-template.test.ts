import { DEFAULT_LOCAL_DEPLOYMENT, localDefinition } from '../../local/runner/local-deployment';
import {
  evaluatePayloadTemplate,
  evaluateSimpleTemplate,
  evaluateWithEngine,
} from '../../local/runner/payload-template';
import { VirtualClock } from '../../local/runner/virtual-clock';

const input = {
  executionName: 'demo-day-1',
  runId: 'run-1',
  dryRun: false,
  nested: { deep: { value: [1, { two: 2 }] }, nothing: null },
  list: [{ a: 1 }],
};
const context = {
  Execution: { Name: 'demo-day-1', Id: 'arn:execution', RedriveCount: 1 },
  Map: { Item: { Index: 7, Value: { volumeId: 'vol-1', generations: 3 } } },
};

type State = { ItemSelector?: unknown; Branches?: { States: Record<string, State> }[] };
/** The states of a definition, those in Parallel branches included. */
const everyState = (states: Record<string, State>): [string, State][] =>
  Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.Branches ?? []).flatMap((branch) => everyState(branch.States)),
  ]);

/** Every ItemSelector of the deployed definition: the templates the fast path is for. */
const deployedSelectors = everyState(localDefinition(DEFAULT_LOCAL_DEPLOYMENT).States)
  .filter(([, state]) => (state as { ItemSelector?: unknown }).ItemSelector !== undefined)
  .map(([name, state]) => [name, (state as { ItemSelector: unknown }).ItemSelector] as const);

describe('payload templates evaluated without the engine, for the simple subset', () => {
  it('GIVEN the deployed definition THEN it has every fan-out’s ItemSelector to test', () => {
    expect(deployedSelectors.map(([name]) => name)).toEqual([
      'SnapshotVolumes',
      'PruneVolumes',
      'SnapshotSets',
      'CopyVolumes',
      'PruneCopies',
    ]);
  });

  it.each(deployedSelectors)(
    'GIVEN the deployed %s ItemSelector WHEN evaluated THEN the fast path takes it and equals the engine',
    async (_name, selector) => {
      // The engine sets $$.Execution.StartTime to when it runs: frozen here, and given as such.
      const clock = VirtualClock.install(Date.UTC(2025, 0, 1, 3));
      try {
        const started = {
          ...context,
          Execution: { ...context.Execution, StartTime: new Date().toISOString() },
        };
        const fast = evaluateSimpleTemplate(selector, input, started);
        expect(fast).toBeDefined();
        expect(fast?.value).toEqual(await clock.settle(evaluateWithEngine(selector, input, started)));
      } finally {
        clock.uninstall();
      }
    },
  );

  it.each([
    ['whole input', { 'all.$': '$' }],
    ['nested paths, arrays and null as values', { 'v.$': '$.nested.deep.value', 'n.$': '$.nested.nothing' }],
    ['context fields we pass', { 'i.$': '$$.Map.Item.Index', 'r.$': '$$.Execution.RedriveCount' }],
    ['constants beside paths', { fixed: 'x', count: 3, flag: true, none: null, 'id.$': '$.runId' }],
  ])('GIVEN %s WHEN evaluated THEN the fast path equals the engine', async (_what, template) => {
    const fast = evaluateSimpleTemplate(template, input, context);
    expect(fast).toBeDefined();
    expect(fast?.value).toEqual(await evaluateWithEngine(template, input, context));
  });

  it.each([
    ['a bare path (InputPath)', '$$.Map.Item.Value'],
    ['an intrinsic function', { 'id.$': "States.Format('{}-x', $.runId)" }],
    ['a bracket path', { 'a.$': "$['runId']" }],
    ['an array index', { 'a.$': '$.list[0].a' }],
    ['a wildcard', { 'a.$': '$.nested.*' }],
    ['a filter', { 'a.$': '$.list[?(@.a == 1)]' }],
    ['a nested template', { inner: { 'id.$': '$.runId' } }],
    ['an array of templates', { list: [{ 'id.$': '$.runId' }] }],
    ['a context field the engine adds', { 'in.$': '$$.Execution.Input' }],
    ['a path to nothing', { 'x.$': '$.missing' }],
    ['a path through a non-object', { 'x.$': '$.runId.length' }],
  ])('GIVEN %s THEN the fast path declines and the engine evaluates it', async (_what, template) => {
    expect(evaluateSimpleTemplate(template, input, context)).toBeUndefined();
    const viaFallback = evaluatePayloadTemplate(template, input, context);
    const viaEngine = evaluateWithEngine(template, input, context);
    const settled = await Promise.allSettled([viaFallback, viaEngine]);
    expect(settled[0]).toEqual(settled[1]);
  });

  it('GIVEN a path to nothing WHEN evaluated THEN the engine’s own error', async () => {
    await expect(evaluatePayloadTemplate({ 'x.$': '$.missing' }, input, context)).rejects.toThrow(
      "Path expression '$.missing' does not point to a value",
    );
  });

  it('GIVEN an intrinsic function WHEN evaluated THEN the engine’s value', async () => {
    await expect(
      evaluatePayloadTemplate({ 'id.$': "States.Format('{}-x', $.runId)" }, input, context),
    ).resolves.toEqual({ id: 'run-1-x' });
  });
});
