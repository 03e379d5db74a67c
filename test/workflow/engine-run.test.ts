import { startEngineRun } from '../../local/runner/engine-run';
import { asLambdaTask } from '../../local/runner/lambda-task';
import { VirtualClock } from '../../local/runner/virtual-clock';

describe('startEngineRun: what Step Functions keeps that the local engine does not', () => {
  let clock: VirtualClock;
  beforeEach(() => {
    clock = VirtualClock.install(Date.UTC(2025, 0, 1));
  });
  afterEach(() => clock.uninstall());

  const execution = {
    name: 'child-0',
    arn: 'arn:aws:states:us-east-1:123456789012:execution:sm:child-0',
    redriveCount: 0,
    startTime: '2025-01-01T03:00:00.000Z',
  };
  /** Work → Again? → Work (a loop), as the prune child will have. */
  const definition = {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task',
        Resource: 'arn:aws:lambda:us-east-1:123456789012:function:work',
        Parameters: { 'retry.$': '$$.State.RetryCount', 'round.$': '$.round' },
        Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 1, MaxAttempts: 3 }],
        Next: 'Again',
      },
      Again: {
        Type: 'Choice',
        Choices: [{ Variable: '$.round', NumericLessThan: 2, Next: 'Work' }],
        Default: 'Done',
      },
      Done: { Type: 'Succeed' },
    },
  };

  it('GIVEN a Task retried, then entered again through a Choice THEN $$.State.RetryCount counts the retries of each entry', async () => {
    const retries: number[][] = [];
    const work = asLambdaTask(async (event: { retry: number; round: number }) => {
      retries.push([event.round, event.retry]);
      if (event.retry < 1) throw Object.assign(new Error('again'), { name: 'Flaky' });
      return { round: event.round + 1 };
    });
    const run = startEngineRun({ definition, input: { round: 0 }, execution, handlers: { Work: work } });
    const outcome = await clock.settle(run.outcome);
    expect(outcome).toEqual({ status: 'SUCCEEDED', output: { round: 2 } });
    expect(retries).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
  });

  it('GIVEN a failure THEN the unsuccessful state and its input are kept; WHEN restarted there THEN it goes on from it', async () => {
    let fail = true;
    const work = asLambdaTask(async (event: { round: number }) => {
      if (fail && event.round === 1) throw Object.assign(new Error('no'), { name: 'Terminal' });
      return { round: event.round + 1 };
    });
    const first = await clock.settle(
      startEngineRun({ definition, input: { round: 0 }, execution, handlers: { Work: work } }).outcome,
    );
    expect(first).toMatchObject({
      status: 'FAILED',
      error: 'Terminal',
      unsuccessfulState: { state: 'Work', input: { round: 1 } },
    });

    fail = false;
    const rounds: number[] = [];
    const counting = async (input: unknown) => {
      rounds.push((input as { round: number }).round);
      return work(input);
    };
    const second = await clock.settle(
      startEngineRun({
        definition,
        input: { round: 0 },
        execution: { ...execution, redriveCount: 1 },
        handlers: { Work: counting },
        restart: first.unsuccessfulState,
      }).outcome,
    );
    expect(second).toEqual({ status: 'SUCCEEDED', output: { round: 2 } });
    expect(rounds).toEqual([1]);
  });
});
