import type { EngineEvent } from '../../local/runner/engine-run';
import { ExecutionControl } from '../../local/runner/execution-control';
import { asLambdaTask, type TaskHandler } from '../../local/runner/lambda-task';
import { type ParallelRecord, runParallel } from '../../local/runner/parallel';
import { VirtualClock } from '../../local/runner/virtual-clock';

const lambda = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const execution = {
  name: 'run-1',
  arn: 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1',
  redriveCount: 0,
  startTime: '2025-01-01T03:00:00.000Z',
};

/** Two branches: Slow (waits 60 s, then Again) and Fast, each a Lambda Task or two. */
const parallel = {
  Type: 'Parallel',
  Branches: [
    {
      StartAt: 'Slow',
      States: {
        Slow: {
          Type: 'Task',
          Resource: lambda('slow'),
          Parameters: { 'x.$': '$.x', 'run.$': '$$.Execution.Name' },
          ResultPath: '$.slow',
          Next: 'Again',
        },
        Again: { Type: 'Task', Resource: lambda('again'), ResultPath: '$.again', End: true },
      },
    },
    {
      StartAt: 'Fast',
      States: { Fast: { Type: 'Task', Resource: lambda('fast'), ResultPath: '$.fast', End: true } },
    },
  ],
  End: true,
};

describe('runParallel: Parallel state semantics for local runs', () => {
  let clock: VirtualClock;
  const calls: string[] = [];
  beforeEach(() => {
    clock = VirtualClock.install(Date.UTC(2025, 0, 1));
    calls.length = 0;
  });
  afterEach(() => clock.uninstall());

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const handlers = (overrides: Record<string, TaskHandler> = {}): Record<string, TaskHandler> => ({
    Slow: asLambdaTask(async (event: { x: number; run: string }) => {
      calls.push('Slow');
      await sleep(60_000);
      return { x: event.x, run: event.run };
    }),
    Again: asLambdaTask(async () => {
      calls.push('Again');
      return 'again';
    }),
    Fast: asLambdaTask(async () => {
      calls.push('Fast');
      return 'fast';
    }),
    ...overrides,
  });
  const run = (
    options: {
      handlers?: Record<string, TaskHandler>;
      control?: ExecutionControl;
      previous?: ParallelRecord;
      onResume?: (state: string) => void;
      observe?: (event: EngineEvent) => void;
    } = {},
  ) => {
    let record: ParallelRecord | undefined;
    const done = runParallel({
      state: parallel,
      input: { x: 7 },
      execution,
      control: options.control ?? new ExecutionControl(),
      handlers: () => options.handlers ?? handlers(),
      previous: options.previous,
      onRecord: (r) => {
        record = r;
      },
      onResume: options.onResume,
      observe: options.observe,
    });
    return {
      outcome: clock.settle(done).then(
        (output) => ({ output }),
        (error: Error) => ({ error }),
      ),
      record: () => record as ParallelRecord,
    };
  };

  it('GIVEN two branches WHEN run THEN both get the input at once and the output is their outputs in branch order', async () => {
    const events: string[] = [];
    const { outcome } = run({ observe: (e) => events.push(`${e.type} ${e.state?.name}`) });
    expect(await outcome).toEqual({
      output: [
        { x: 7, slow: { x: 7, run: 'run-1' }, again: 'again' },
        { x: 7, fast: 'fast' },
      ],
    });
    // Fast ran while Slow was still waiting.
    expect(calls).toEqual(['Slow', 'Fast', 'Again']);
    // The branches' state events are the execution's own; their start and end are not.
    expect(events).toEqual(
      expect.arrayContaining(['StateEntered Slow', 'StateExited Again', 'StateEntered Fast']),
    );
    expect(events.some((e) => e.startsWith('Execution'))).toBe(false);
  });

  it('GIVEN a branch that fails WHEN run THEN the Parallel fails with its error and cause, and the other branch is stopped: what runs completes, nothing new starts', async () => {
    const failing = handlers({
      Fast: asLambdaTask(async () => {
        await sleep(1_000);
        throw Object.assign(new Error('disk on fire'), { name: 'Terminal' });
      }),
    });
    const { outcome, record } = run({ handlers: failing });
    const { error } = (await outcome) as { error: Error };
    expect(error.name).toBe('Terminal');
    expect(JSON.parse(error.message)).toMatchObject({ errorType: 'Terminal', errorMessage: 'disk on fire' });
    // Slow's invocation was running: it completed; Again was never started.
    expect(calls).toEqual(['Slow']);
    expect(record().branches.map((b) => b?.status)).toEqual(['ABORTED', 'FAILED']);
    expect(record().branches[0]?.unsuccessfulState).toEqual({ state: 'Slow', input: { x: 7 } });
  });

  it('GIVEN the execution stopped WHEN the branches run THEN every branch is aborted where it was', async () => {
    const control = new ExecutionControl();
    // Stopped a second in: Fast has ended, Slow is still waiting.
    setTimeout(() => control.stop(), 1_000);
    const { outcome, record } = run({ control });
    expect(await outcome).toMatchObject({ error: expect.objectContaining({ name: 'States.Aborted' }) });
    expect(record().branches).toEqual([
      expect.objectContaining({ status: 'ABORTED', unsuccessfulState: { state: 'Slow', input: { x: 7 } } }),
      expect.objectContaining({ status: 'SUCCEEDED', output: { x: 7, fast: 'fast' } }),
    ]);
  });

  it('GIVEN a redrive (RedriveExecution) WHEN one branch succeeded and one did not THEN only the unsuccessful one runs, from its unsuccessful state with the input it had', async () => {
    const previous: ParallelRecord = {
      branches: [
        { status: 'ABORTED', unsuccessfulState: { state: 'Again', input: { x: 7, slow: 'recorded' } } },
        { status: 'SUCCEEDED', output: { x: 7, fast: 'kept' } },
      ],
    };
    const resumed: string[] = [];
    const { outcome } = run({ previous, onResume: (state) => resumed.push(state) });
    expect(await outcome).toEqual({
      output: [
        { x: 7, slow: 'recorded', again: 'again' },
        { x: 7, fast: 'kept' },
      ],
    });
    expect(calls).toEqual(['Again']);
    expect(resumed).toEqual(['Again']);
  });
});
