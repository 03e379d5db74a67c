import type { S3Client } from '@aws-sdk/client-s3';
import { getJson, putJson } from '../../lambdas/aws/json-store';
import { readMapRunResults } from '../../lambdas/aws/map-run-results';
import type { ChildExecutionResult } from '../../lambdas/contracts/map-run';
import { type MapRunRecord, runDistributedMap } from '../../local/runner/distributed-map';
import { ExecutionControl } from '../../local/runner/execution-control';
import { invokeLocalFunction } from '../../local/runner/lambda-invocation';
import { asLambdaTask, type TaskHandler } from '../../local/runner/lambda-task';
import { VirtualClock } from '../../local/runner/virtual-clock';
import { SimulatedAccount } from '../../local/simulated-account';

const parent = {
  name: 'run-1',
  arn: 'arn:aws:states:us-east-1:123456789012:execution:sm:run-1',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm',
  startTime: '2025-01-01T03:00:00.000Z',
  redriveCount: 2,
};

function mapState(overrides: Record<string, unknown> = {}) {
  return {
    Type: 'Map',
    Label: 'Work',
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.items.bucket', 'Key.$': '$.items.key' },
    },
    ItemSelector: { 'n.$': '$$.Map.Item.Value', 'run.$': '$.name', 'redrive.$': '$$.Execution.RedriveCount' },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work',
          Parameters: {
            'n.$': '$.n',
            'run.$': '$.run',
            'redrive.$': '$.redrive',
            'retry.$': '$$.State.RetryCount',
            'childRedrive.$': '$$.Execution.RedriveCount',
          },
          Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2 }],
          End: true,
        },
      },
    },
    MaxConcurrency: 3,
    ToleratedFailurePercentage: 100,
    ResultWriter: {
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: { Bucket: 'results', Prefix: 'map-runs/work' },
    },
    ...overrides,
  };
}

describe('runDistributedMap: Distributed Map semantics for local runs', () => {
  let clock: VirtualClock;
  beforeEach(() => {
    clock = VirtualClock.install(Date.UTC(2025, 0, 1));
  });
  afterEach(() => clock.uninstall());

  const runMap = (
    s3: S3Client,
    input: unknown,
    work: TaskHandler | undefined,
    overrides: Record<string, unknown> = {},
  ) =>
    clock.settle(
      runDistributedMap({
        mapState: mapState(overrides),
        stateName: 'Work',
        input,
        parent,
        s3,
        handlers: work ? { Work: work } : {},
      }),
    );

  async function given(items: unknown[]) {
    const account = new SimulatedAccount();
    const s3 = account.s3Client();
    await putJson(s3, { bucket: 'work', key: 'items.json' }, items);
    return { s3, input: { name: 'run-1', items: { bucket: 'work', key: 'items.json' } } };
  }

  /** Runs the Map Run until a child ends that `stopOn` accepts; returns its record as the stop left it. */
  async function runUntilStopped(
    s3: S3Client,
    input: unknown,
    work: TaskHandler,
    stopOn: (child: ChildExecutionResult) => boolean,
    overrides: Record<string, unknown>,
  ): Promise<MapRunRecord> {
    const control = new ExecutionControl();
    let record: MapRunRecord | undefined;
    await clock
      .settle(
        runDistributedMap({
          mapState: mapState(overrides),
          stateName: 'Work',
          input,
          parent,
          s3,
          handlers: { Work: work },
          control,
          onMapRun: (r) => {
            record = r;
          },
          onChildDone: (child) => stopOn(child) && control.stop(),
        }),
      )
      .catch(() => undefined);
    await clock.settle(control.settled());
    return record as MapRunRecord;
  }

  /** Redrives that Map Run, as the parent's next attempt does. */
  const redrive = (
    s3: S3Client,
    input: unknown,
    work: TaskHandler,
    previous: MapRunRecord,
    overrides: Record<string, unknown>,
  ) =>
    clock.settle(
      runDistributedMap({
        mapState: mapState(overrides),
        stateName: 'Work',
        input,
        parent: { ...parent, redriveCount: parent.redriveCount + 1 },
        s3,
        handlers: { Work: work },
        previous: structuredClone(previous),
      }),
    );

  it('GIVEN items in S3 WHEN run THEN one child per item with the ItemSelector applied, results written like the ResultWriter', async () => {
    const { s3, input } = await given([1, 2, 3, 4]);
    const seen: unknown[] = [];
    const work = asLambdaTask(async (event: { n: number }) => {
      seen.push(event);
      if (event.n === 3) throw Object.assign(new Error('three is bad'), { name: 'Terminal' });
      return { doubled: event.n * 2 };
    });
    const output = await runMap(s3, input, work);

    expect(output.ResultWriterDetails).toEqual({
      Bucket: 'results',
      Key: 'map-runs/work/run-1-Work-1/manifest.json',
    });
    expect(seen).toEqual(
      expect.arrayContaining([
        { n: 1, run: 'run-1', redrive: 2, retry: 0, childRedrive: 0 },
        { n: 4, run: 'run-1', redrive: 2, retry: 0, childRedrive: 0 },
      ]),
    );
    const manifest = await getJson<{ ResultFiles: Record<string, unknown[]> }>(s3, {
      bucket: 'results',
      key: output.ResultWriterDetails.Key,
    });
    expect(Object.keys(manifest.ResultFiles).sort()).toEqual(['FAILED', 'PENDING', 'SUCCEEDED']);
    const results = await readMapRunResults(s3, output);
    expect(results.succeeded.map((c) => JSON.parse(c.Output ?? '{}').doubled).sort()).toEqual([2, 4, 8]);
    expect(results.failed).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Error: 'Terminal',
        // The Node.js runtime's error document: the trace's first line repeats the message.
        Cause: expect.stringMatching(
          /^\{"errorType":"Terminal","errorMessage":"three is bad","trace":\["Terminal: three is bad",/,
        ),
        Input: JSON.stringify({ n: 3, run: 'run-1', redrive: 2 }),
      }),
    ]);
  });

  it("GIVEN a Map state entered again (a loop) WHEN its second Map Run runs THEN it has its own ARN and results, the first one's left as they were", async () => {
    const { s3, input } = await given([1, 2]);
    const work = asLambdaTask(async (event: { n: number }) => ({ n: event.n }));
    const first = await runMap(s3, input, work);
    const second = await clock.settle(
      runDistributedMap({
        mapState: mapState(),
        stateName: 'Work',
        runNumber: 2,
        input,
        parent,
        s3,
        handlers: { Work: work },
      }),
    );
    expect(second.MapRunArn).not.toBe(first.MapRunArn);
    expect(second.ResultWriterDetails.Key).toBe('map-runs/work/run-1-Work-2/manifest.json');
    expect((await readMapRunResults(s3, first)).succeeded).toHaveLength(2);
  });

  it('GIVEN a flaky task WHEN retried THEN the Retry waits in virtual time and $$.State.RetryCount counts up', async () => {
    const { s3, input } = await given([7]);
    const retries: number[] = [];
    const start = clock.now();
    const work = asLambdaTask(async (event: { retry: number }) => {
      retries.push(event.retry);
      if (event.retry < 2) throw Object.assign(new Error('again'), { name: 'Flaky' });
      return 'ok';
    });
    await runMap(s3, input, work);
    expect(retries).toEqual([0, 1, 2]);
    expect(clock.now() - start).toBe((10 + 20) * 1000);
  });

  it('GIVEN MaxConcurrency 3 WHEN 10 items run THEN at most 3 children at once', async () => {
    const { s3, input } = await given([...Array(10).keys()]);
    let running = 0;
    let peak = 0;
    const work = async () => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      running -= 1;
      return null;
    };
    await runMap(s3, input, work);
    expect(peak).toBe(3);
  });

  it('GIVEN failures beyond ToleratedFailurePercentage WHEN run THEN the map fails with States.ExceedToleratedFailureThreshold', async () => {
    const { s3, input } = await given([1, 2, 3, 4]);
    const work = async () => {
      throw Object.assign(new Error('no'), { name: 'Terminal' });
    };
    const outcome = await runMap(s3, input, work, { ToleratedFailurePercentage: 50 }).catch(
      (error: Error) => error,
    );
    expect((outcome as Error).name).toBe('States.ExceedToleratedFailureThreshold');
  });

  it('GIVEN no items WHEN run THEN an empty but valid result set', async () => {
    const { s3, input } = await given([]);
    const output = await runMap(s3, input, undefined);
    const results = await readMapRunResults(s3, output);
    expect(results).toEqual({ succeeded: [] as ChildExecutionResult[], failed: [] });
  });

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  type WorkEvent = { n: number; redrive: number; retry: number; childRedrive: number };

  it('GIVEN a stop while a child runs WHEN its handler is in flight THEN it completes (side effect done), the child is ABORTED, later items never start', async () => {
    const { s3, input } = await given([0, 1, 2, 3, 4, 5]);
    const effects: number[] = [];
    const work = asLambdaTask(async (event: WorkEvent) => {
      await sleep((event.n + 1) * 1000);
      effects.push(event.n);
      return event.n;
    });
    const control = new ExecutionControl();
    let record: MapRunRecord | undefined;
    const outcome = await clock
      .settle(
        runDistributedMap({
          mapState: mapState({ MaxConcurrency: 2 }),
          stateName: 'Work',
          input,
          parent,
          s3,
          handlers: { Work: work },
          control,
          onMapRun: (r) => {
            record = r;
          },
          onChildDone: () => control.stop(),
        }),
      )
      .catch((error: Error) => error);
    expect((outcome as Error).name).toBe('States.Aborted');
    expect(effects).toEqual([0]);
    await clock.settle(control.settled());

    expect(effects).toEqual([0, 1]);
    expect(record?.children.map((c) => c?.result.Status)).toEqual([
      'SUCCEEDED',
      'ABORTED',
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(record?.children[1]?.unsuccessfulState).toEqual({
      state: 'Work',
      input: { n: 1, run: 'run-1', redrive: 2 },
    });
  });

  it('GIVEN a Map Run with a failed, an aborted and a never-started child WHEN redriven THEN only those run: redriven ones with their recorded input, own RedriveCount + 1 and RetryCount 0; the new one fresh', async () => {
    const { s3, input } = await given([0, 1, 2, 3]);
    let phase: 'first' | 'redrive' = 'first';
    const seen: WorkEvent[] = [];
    const work = asLambdaTask(async (event: WorkEvent) => {
      seen.push({ n: event.n, redrive: event.redrive, retry: event.retry, childRedrive: event.childRedrive });
      if (phase === 'redrive') return event.n;
      if (event.n === 0)
        throw Object.assign(new Error('no'), { name: event.retry === 0 ? 'Flaky' : 'Terminal' });
      if (event.n === 2) await sleep(100_000);
      return event.n;
    });
    const previous = await runUntilStopped(s3, input, work, (child) => child.Status === 'FAILED', {
      MaxConcurrency: 2,
    });
    expect(previous.children.map((c) => c?.result.Status)).toEqual([
      'FAILED',
      'SUCCEEDED',
      'ABORTED',
      undefined,
    ]);

    phase = 'redrive';
    seen.length = 0;
    const redriven = await redrive(s3, input, work, previous, {
      MaxConcurrency: 2,
      ToleratedFailurePercentage: 0,
    });

    expect(seen.sort((a, b) => a.n - b.n)).toEqual([
      { n: 0, redrive: 2, retry: 0, childRedrive: 1 },
      { n: 2, redrive: 2, retry: 0, childRedrive: 1 },
      { n: 3, redrive: 3, retry: 0, childRedrive: 0 },
    ]);
    const results = await readMapRunResults(s3, redriven);
    expect(results.failed).toEqual([]);
    expect(
      results.succeeded.map((c) => [c.Name, c.Output, (c as { RedriveCount?: number }).RedriveCount]),
    ).toEqual([
      ['0', '0', 1],
      ['1', '1', 0],
      ['2', '2', 1],
      ['3', '3', 0],
    ]);
    expect(results.succeeded[0].ExecutionArn).toBe(previous.children[0]?.result.ExecutionArn);
    expect(results.succeeded[0].Input).toBe(previous.children[0]?.result.Input);
  });

  it('GIVEN a Map Run stopped after it started children WHEN its ItemReader object is overwritten before the redrive THEN the redrive runs the items the Map Run read, not the new object', async () => {
    const { s3, input } = await given([0, 1, 2, 3]);
    const seen: number[] = [];
    const work = asLambdaTask(async (event: WorkEvent) => {
      seen.push(event.n);
      return event.n;
    });
    const previous = await runUntilStopped(s3, input, work, () => true, { MaxConcurrency: 1 });
    await putJson(s3, { bucket: 'work', key: 'items.json' }, [10, 11]);

    seen.length = 0;
    const redriven = await redrive(s3, input, work, previous, { MaxConcurrency: 1 });

    expect(seen).toEqual([1, 2, 3]);
    const results = await readMapRunResults(s3, redriven);
    expect(results.succeeded.map((c) => c.Output)).toEqual(['0', '1', '2', '3']);
  });

  it('GIVEN a child whose function outlives its timeout THEN the child fails with Sandbox.Timedout', async () => {
    const { s3, input } = await given([1]);
    const account = new SimulatedAccount();
    const clients = { s3: account.s3Client() };
    const hung = { timeoutSeconds: 5, build: () => () => new Promise(() => undefined) };
    const output = await runMap(s3, input, (event) => invokeLocalFunction(hung, clients, event));
    const results = await readMapRunResults(s3, output);
    expect(results.failed).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Error: 'Sandbox.Timedout',
        Cause: JSON.stringify({
          errorType: 'Sandbox.Timedout',
          errorMessage: 'Task timed out after 5.00 seconds',
        }),
      }),
    ]);
  });
});
