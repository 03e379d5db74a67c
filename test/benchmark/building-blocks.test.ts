import { bucketAdmitted, bucketBoundSeconds } from '../../local/benchmark/bounds';
import { ActionTimeline } from '../../local/benchmark/call-timeline';
import { competingToolFigures } from '../../local/benchmark/competing-tool';
import { copyBound, copyPhaseSeconds } from '../../local/benchmark/copy-phase';
import { PRICES, runCost } from '../../local/benchmark/prices';
import { historyEventsOf, RunMetrics } from '../../local/benchmark/run-metrics';

const BUCKET = { capacity: 100, refillPerSecond: 5 };

describe('token-bucket bound', () => {
  test.each([
    [0, 0],
    [100, 0],
    [101, 0.2],
    [10_000, 1980],
  ])('GIVEN a full bucket WHEN %i calls must succeed THEN it takes at least %d s', (calls, seconds) => {
    expect(bucketBoundSeconds(calls, BUCKET)).toBeCloseTo(seconds);
  });

  test('its curve starts at the burst and grows at the refill rate', () => {
    expect([0, 10, -1].map((s) => bucketAdmitted(s, BUCKET))).toEqual([100, 150, 100]);
  });

  test.each([
    [80, 0],
    [10_000, 2_480],
    [1_000, 230],
  ])(
    'GIVEN a share of 80 %% of the bucket WHEN %i calls must succeed THEN it takes at least %d s',
    (calls, seconds) => {
      expect(bucketBoundSeconds(calls, BUCKET, 0.8)).toBeCloseTo(seconds);
      expect(bucketAdmitted(seconds, BUCKET, 0.8)).toBeCloseTo(Math.max(calls, 80));
    },
  );
});

describe('run cost', () => {
  test('GIVEN transitions and invocations THEN each is priced, durations rounded up to the ms at their memory', () => {
    const cost = runCost(1000, [
      { durationMs: 999.2, initMs: 0, memoryMiB: 1024 },
      { durationMs: 0, initMs: 0, memoryMiB: 512 },
    ]);
    expect(cost.transitionsUsd).toBeCloseTo(0.025);
    expect(cost.lambdaDurationUsd).toBeCloseTo((1 + 0.001 * 0.5) * PRICES.lambdaArmGbSecondUsd, 12);
    expect(cost.lambdaRequestsUsd).toBeCloseTo(2 * PRICES.lambdaRequestUsd, 12);
    expect(cost.totalUsd).toBeCloseTo(
      cost.transitionsUsd + cost.lambdaDurationUsd + cost.lambdaRequestsUsd,
      12,
    );
  });
});

describe('history estimate', () => {
  const entered = (type: string) => ({ type: 'StateEntered', state: { name: 'S', type, input: {} } });
  test.each([
    [{ type: 'ExecutionStarted' }, false, 1],
    [entered('Task'), false, 4],
    [entered('Task'), true, 5],
    // A Parallel state (a local Task): ParallelStateEntered, …Started, …Succeeded.
    [entered('Task'), 'parallel', 3],
    [entered('Choice'), false, 1],
    [{ type: 'StateRetried', state: { name: 'S', type: 'Task', input: {} } }, false, 3],
    [{ type: 'StateExited', state: { name: 'S', input: {} } }, false, 1],
    [{ type: 'StateFailed', state: { name: 'S', input: {} } }, false, 0],
    [{ type: 'ExecutionSucceeded' }, false, 1],
  ])('GIVEN %j (a distributed map, a parallel: %s) THEN %i events', (event, kind, events) => {
    expect(historyEventsOf(event, kind === true, kind === 'parallel')).toBe(events);
  });
});

describe('run metrics', () => {
  test('GIVEN parent and child events THEN transitions count entries, retries and child starts; payloads and parent history are tracked', () => {
    const metrics = new RunMetrics(new Set(['Fan']));
    metrics.onEngineEvent({ type: 'ExecutionStarted' });
    metrics.onEngineEvent({ type: 'StateEntered', state: { name: 'Fan', type: 'Task', input: { a: 1 } } });
    metrics.onChildStarted();
    metrics.onEngineEvent(
      { type: 'StateEntered', state: { name: 'Work', type: 'Task', input: { big: 'x'.repeat(50) } } },
      'Fan',
    );
    metrics.onEngineEvent({ type: 'StateRetried', state: { name: 'Work', type: 'Task', input: {} } }, 'Fan');
    metrics.onEngineEvent({ type: 'StateExited', state: { name: 'Fan', input: {}, output: {} } });
    metrics.onEngineEvent({ type: 'ExecutionSucceeded' });
    expect(metrics.transitions).toBe(4);
    expect(metrics.childStarts).toBe(1);
    expect(metrics.parentHistoryEvents).toBe(1 + 5 + 1 + 1);
    expect(metrics.maxPayloadBytes).toBe(JSON.stringify({ big: 'x'.repeat(50) }).length);
    expect(metrics.maxPayloadState).toBe('Work');
  });
});

describe('call timeline', () => {
  test('GIVEN calls and successes THEN the span runs from the first call to the last success, and the curve counts successes', () => {
    const timeline = new ActionTimeline();
    timeline.called(1000);
    timeline.called(2000);
    for (const at of [1000, 1500, 3000]) timeline.succeeded(at);
    expect(timeline.spanSeconds()).toBe(2);
    expect(timeline.curve(2)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });
});

describe('copy phase bound', () => {
  test('GIVEN copies of a minute THEN 20 in flight per region bound the phase: rounds of 20 in the busiest region', () => {
    expect(copyBound([10_000, 10_000], 60_000, 0.8)).toEqual({
      seconds: 30_000,
      limitedBy: 'concurrent copies',
    });
    expect(copyBound([10_000, 41], 60_000, 0.8)).toEqual({ seconds: 30_000, limitedBy: 'concurrent copies' });
    expect(copyBound([21], 60_000, 1)).toEqual({ seconds: 120, limitedBy: 'concurrent copies' });
  });

  test("GIVEN copies of a second THEN CopySnapshot's bucket (50, 5 a second) at the share bounds it, plus the last copy", () => {
    // 10,000 calls at 80 %: (10,000 − 40) ÷ 4 = 2,490 s, then the last copy's second.
    expect(copyBound([10_000], 1_000, 0.8)).toEqual({ seconds: 2_491, limitedBy: 'CopySnapshot bucket' });
  });

  test("GIVEN each region's CopySnapshot calls THEN the phase runs from the first call anywhere to the last copy's completion", () => {
    const ireland = new ActionTimeline();
    ireland.called(1_000);
    ireland.succeeded(1_000);
    ireland.succeeded(5_000);
    const oregon = new ActionTimeline();
    oregon.called(2_000);
    oregon.succeeded(9_000);
    expect(copyPhaseSeconds([ireland, oregon], 60_000)).toBe(68);
    expect(copyPhaseSeconds([new ActionTimeline()], 60_000)).toBe(0);
  });
});

describe('competing tool figures', () => {
  test('GIVEN what each action saw THEN its calls and the share throttled', () => {
    expect(
      competingToolFigures([
        { action: 'CreateSnapshot', perSecond: 1, admitted: 97, throttled: 3 },
        { action: 'DeleteSnapshot', perSecond: 1, admitted: 0, throttled: 0 },
      ]),
    ).toEqual([
      {
        action: 'CreateSnapshot',
        perSecond: 1,
        calls: 100,
        admitted: 97,
        throttled: 3,
        throttledShare: 0.03,
      },
      { action: 'DeleteSnapshot', perSecond: 1, calls: 0, admitted: 0, throttled: 0, throttledShare: 0 },
    ]);
  });
});
