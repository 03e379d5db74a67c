import { performance } from 'node:perf_hooks';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { MAX_FAN_OUT_CONCURRENCY } from '../../lambdas/contracts/deployment';
import { adaptForLocalRun } from '../../statemachine/local-adaptation';
import { StateName } from '../../statemachine/names';
import { DEFAULT_LOCAL_DEPLOYMENT, localDefinition } from '../runner/local-deployment';
import { type LatencyModel, runLocalExecution } from '../runner/local-execution';
import { SeededMathRandom } from '../runner/seeded-math-random';
import { VirtualClock } from '../runner/virtual-clock';
import {
  type CallCounts,
  EC2_ACTIONS,
  EC2_DEFAULT_RATE_LIMITS,
  type Ec2Action,
  SimulatedAccount,
} from '../simulated-account';
import { seedBenchFleet } from './bench-fleet';
import { bucketBoundSeconds } from './bounds';
import { EC2_CALL_LATENCY_MS, INIT_MS, LATENCY_MODEL } from './latency-model';
import { runCost } from './prices';
import { RunMetrics } from './run-metrics';

export interface Scenario {
  readonly name: string;
  readonly volumes: number;
  /** Chance that any EC2 call is refused with RequestLimitExceeded, on top of the token buckets. */
  readonly throttleRate: number;
  /** Run with the latency model (else every call and step is instant in virtual time). */
  readonly latency: boolean;
  /** Throttle only from when the parent enters this state (default: from the start). */
  readonly throttleFrom?: string;
  /** Both fan-outs' MaxConcurrency (default: the deployed one). */
  readonly concurrency?: number;
  /** Seed of every random draw of the run (default BENCH_SEED): see `runScenario`. */
  readonly seed?: number;
}

/** The seed of every scenario that names none: recorded in each row, so a rerun reproduces it. */
export const BENCH_SEED = 1;

export const SCENARIOS: readonly Scenario[] = [
  { name: '100', volumes: 100, throttleRate: 0, latency: false },
  { name: '1000', volumes: 1_000, throttleRate: 0, latency: false },
  { name: '10000', volumes: 10_000, throttleRate: 0, latency: false },
  { name: '10000-throttled-20pct', volumes: 10_000, throttleRate: 0.2, latency: false },
  // The same throttling from the first fan-out on, to measure the fan-outs past Discover.
  {
    name: '10000-throttled-20pct-fanouts',
    volumes: 10_000,
    throttleRate: 0.2,
    latency: false,
    throttleFrom: StateName.snapshotVolumes,
  },
  { name: '10000-latency', volumes: 10_000, throttleRate: 0, latency: true },
  // The most the synth accepts (MAX_FAN_OUT_CONCURRENCY), under the latency model: no volume may fail.
  {
    name: '10000-latency-concurrency-max',
    volumes: 10_000,
    throttleRate: 0,
    latency: true,
    concurrency: MAX_FAN_OUT_CONCURRENCY,
  },
  // Above it, to show why the synth refuses: children queue on the buckets and some run out of retries.
  {
    name: '10000-latency-concurrency-100',
    volumes: 10_000,
    throttleRate: 0,
    latency: true,
    concurrency: 100,
  },
];

export interface ScenarioRow {
  scenario: string;
  /** Seed of every random draw of the run: the same seed gives the same row (wall time and RSS aside). */
  seed: number;
  volumes: number;
  instances: number;
  concurrency: number;
  pruneConcurrency: number;
  throttleRate: number;
  /** The parent state from which the throttling applied ('start' for the whole run). */
  throttledFrom: string;
  latencyModel: boolean;
  /** INIT duration modelled for a cold start (ms; latency model only, LATENCY_MODEL). */
  lambdaInitMs?: number;
  status: string;
  /** An unsuccessful execution's error, the state it ended in, and the cause (cut). */
  error?: string;
  /** The deployment's `ec2RateShare` (percent): the bounds are at that share of each bucket. */
  ec2RateShare: number;
  /** Virtual s from the first CreateSnapshot call to the last successful one. */
  creationSeconds: number;
  creationBoundSeconds: number;
  /** Virtual s SnapshotVolumes ran (entered to exited). */
  snapshotVolumesSeconds: number;
  /** Virtual s from the first DeleteSnapshot call to the last successful one. */
  pruneSeconds: number;
  pruneBoundSeconds: number;
  pruneVolumesSeconds: number;
  executionSeconds: number;
  ec2CallsByAction: Record<Ec2Action, CallCounts>;
  /**
   * Throttled EC2 calls of every action ÷ successful CreateSnapshot, DeleteSnapshot and
   * CopySnapshot calls: how hard the run leans on the account's buckets, which other tools share.
   */
  throttledPerMutatingCall: number;
  ec2CallsPerVolumeExcludingCreateDelete: number;
  transitions: number;
  transitionsPerVolume: number;
  childExecutions: number;
  lambdaInvocations: number;
  coldStarts: number;
  costPer1000VolumesUsd: number;
  costBreakdownPer1000VolumesUsd: { transitions: number; lambdaDuration: number; lambdaRequests: number };
  maxPayloadBytes: number;
  maxPayloadState: string;
  parentHistoryEvents: number;
  failedVolumes: number;
  wallSeconds: number;
  seedWallSeconds: number;
  peakRssMb: number;
  /** Successful CreateSnapshot calls by virtual s since the first call: [seconds, created]. */
  creationCurve: [number, number][];
}

/**
 * What describes this machine rather than the run: measured, never the same twice, and left out
 * when two runs of a scenario are compared (every other field is reproduced exactly).
 */
export const MACHINE_MEASURES = [
  'wallSeconds',
  'seedWallSeconds',
  'peakRssMb',
] as const satisfies (keyof ScenarioRow)[];

const START = Date.UTC(2025, 0, 1, 3);
const CURVE_POINTS = 40;

/**
 * Runs one scenario in this process: the real definition and handlers on a simulated account.
 * Every random draw comes from the scenario's seed: the account's faults through its own
 * generator, everything that calls Math.random (the engine's Retry jitter, the handlers'
 * back-off, the SDK's retry strategy) through SeededMathRandom; time is virtual. So two runs of
 * a scenario give the same row, except the MACHINE_MEASURES.
 */
export async function runScenario(scenario: Scenario): Promise<ScenarioRow> {
  const seed = scenario.seed ?? BENCH_SEED;
  const deployment = {
    ...DEFAULT_LOCAL_DEPLOYMENT,
    ...(scenario.concurrency !== undefined && {
      snapshotConcurrency: scenario.concurrency,
      pruneConcurrency: scenario.concurrency,
    }),
  };
  const clock = VirtualClock.install(START);
  const random = SeededMathRandom.install(seed);
  try {
    const account = new SimulatedAccount({
      ec2: {
        seed,
        rateLimits: EC2_DEFAULT_RATE_LIMITS,
        callLatencyMs: scenario.latency ? EC2_CALL_LATENCY_MS : undefined,
      },
    });
    const seedStarted = performance.now();
    const { instances } = seedBenchFleet(account.ec2, {
      volumes: scenario.volumes,
      tagKey: deployment.tagKey,
      managedBy: deployment.managedBy,
      start: START,
    });
    const seedWallSeconds = (performance.now() - seedStarted) / 1000;
    const throttle = () => {
      for (const action of EC2_ACTIONS) {
        const probability = scenario.throttleRate;
        account.ec2.injectFault({ action, error: 'RequestLimitExceeded', probability });
      }
    };
    if (scenario.throttleRate > 0 && scenario.throttleFrom === undefined) throttle();
    const timeline = new CallTimeline();
    const ec2 = timeline.watch(account.ec2Client());
    const metrics = new RunMetrics(
      new Set(Object.keys(adaptForLocalRun(localDefinition(deployment)).distributedMaps)),
    );
    const latency: LatencyModel | undefined = scenario.latency ? LATENCY_MODEL : undefined;
    const started = performance.now();
    const result = await clock.settle(
      runLocalExecution({
        clients: { ec2, s3: account.s3Client() },
        deployment,
        executionName: `bench-${scenario.name}`,
        input: {},
        latency,
        observer: {
          ...metrics,
          onEngineEvent: (event, map) => {
            metrics.onEngineEvent(event, map);
            const from = scenario.throttleFrom;
            if (map === undefined && event.type === 'StateEntered' && event.state?.name === from) throttle();
          },
        },
      }),
    );
    const wallSeconds = (performance.now() - started) / 1000;
    const calls = account.ec2.calls();
    const total = (counts: CallCounts) => counts.succeeded + counts.throttled + counts.failed;
    const otherCalls = EC2_ACTIONS.filter((a) => a !== 'CreateSnapshot' && a !== 'DeleteSnapshot').reduce(
      (sum, action) => sum + total(calls[action]),
      0,
    );
    const cost = runCost(metrics.transitions, metrics.invocations);
    const per1000 = (usd: number) => round((usd / scenario.volumes) * 1000, 4);
    const window = (state: string) => {
      const { entered, exited } = metrics.parentStates[state] ?? {};
      return entered !== undefined && exited !== undefined ? (exited - entered) / 1000 : Number.NaN;
    };
    const share = deployment.ec2RateShare / 100;
    const create = timeline.of('CreateSnapshot');
    const remove = timeline.of('DeleteSnapshot');
    return {
      scenario: scenario.name,
      seed,
      volumes: scenario.volumes,
      instances,
      concurrency: deployment.snapshotConcurrency,
      pruneConcurrency: deployment.pruneConcurrency,
      throttleRate: scenario.throttleRate,
      throttledFrom: scenario.throttleRate > 0 ? (scenario.throttleFrom ?? 'start') : '',
      latencyModel: scenario.latency,
      ...(scenario.latency && { lambdaInitMs: INIT_MS }),
      status: result.status,
      ...(result.status !== 'SUCCEEDED' && {
        error: `${result.error} in ${result.unsuccessfulState?.state}: ${(result.cause ?? '').slice(0, 200)}`,
      }),
      ec2RateShare: deployment.ec2RateShare,
      creationSeconds: round(create.spanSeconds(), 1),
      creationBoundSeconds: round(
        bucketBoundSeconds(create.successes.length, bucket('CreateSnapshot'), share),
        1,
      ),
      snapshotVolumesSeconds: round(window(StateName.snapshotVolumes), 1),
      pruneSeconds: round(remove.spanSeconds(), 1),
      pruneBoundSeconds: round(
        bucketBoundSeconds(remove.successes.length, bucket('DeleteSnapshot'), share),
        1,
      ),
      pruneVolumesSeconds: round(window(StateName.pruneVolumes), 1),
      executionSeconds: round((Date.now() - START) / 1000, 1),
      ec2CallsByAction: calls,
      throttledPerMutatingCall: round(throttledPerMutatingCall(calls), 3),
      ec2CallsPerVolumeExcludingCreateDelete: round(otherCalls / scenario.volumes, 3),
      transitions: metrics.transitions,
      transitionsPerVolume: round(metrics.transitions / scenario.volumes, 3),
      childExecutions: metrics.childStarts,
      lambdaInvocations: metrics.invocations.length,
      coldStarts: metrics.invocations.filter((i) => i.initMs > 0).length,
      costPer1000VolumesUsd: per1000(cost.totalUsd),
      costBreakdownPer1000VolumesUsd: {
        transitions: per1000(cost.transitionsUsd),
        lambdaDuration: per1000(cost.lambdaDurationUsd),
        lambdaRequests: per1000(cost.lambdaRequestsUsd),
      },
      maxPayloadBytes: metrics.maxPayloadBytes,
      maxPayloadState: metrics.maxPayloadState,
      parentHistoryEvents: metrics.parentHistoryEvents,
      failedVolumes: failedVolumes(result.mapRuns),
      wallSeconds: round(wallSeconds, 1),
      seedWallSeconds: round(seedWallSeconds, 1),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      creationCurve: create.curve(CURVE_POINTS),
    };
  } finally {
    random.uninstall();
    clock.uninstall();
  }
}

/** See ScenarioRow.throttledPerMutatingCall (0 when nothing was created, deleted or copied). */
export function throttledPerMutatingCall(calls: Record<Ec2Action, CallCounts>): number {
  const throttled = EC2_ACTIONS.reduce((sum, action) => sum + calls[action].throttled, 0);
  const mutating = (['CreateSnapshot', 'DeleteSnapshot', 'CopySnapshot'] as const).reduce(
    (sum, action) => sum + calls[action].succeeded,
    0,
  );
  return mutating === 0 ? 0 : throttled / mutating;
}

function bucket(action: Ec2Action) {
  return EC2_DEFAULT_RATE_LIMITS.buckets[action];
}

/** Volumes with an unsuccessful child in either fan-out (each volume counted once). */
function failedVolumes(mapRuns: Awaited<ReturnType<typeof runLocalExecution>>['mapRuns']): number {
  const failed = new Set<string>();
  for (const record of Object.values(mapRuns)) {
    for (const child of record.children) {
      if (!child || child.result.Status === 'SUCCEEDED') continue;
      const input = JSON.parse(child.result.Input ?? '{}') as { volume?: { volumeId?: string } };
      failed.add(input.volume?.volumeId ?? child.result.Name ?? '');
    }
  }
  return failed.size;
}

/** When each call of the watched actions was made and when each succeeded (virtual ms). */
export class CallTimeline {
  private readonly calls = new Map<string, ActionTimeline>();

  /** Wraps the client's `send` (outermost: it sees what the handlers see). */
  watch(client: EC2Client): EC2Client {
    const send = client.send.bind(client) as (command: object) => Promise<unknown>;
    (client as { send: unknown }).send = (command: object) => {
      const action = this.of(command.constructor.name.replace(/Command$/, ''));
      action.called(Date.now());
      const answer = send(command);
      answer.then(
        () => action.succeeded(Date.now()),
        () => undefined,
      );
      return answer;
    };
    return client;
  }

  of(action: string): ActionTimeline {
    let timeline = this.calls.get(action);
    if (!timeline) {
      timeline = new ActionTimeline();
      this.calls.set(action, timeline);
    }
    return timeline;
  }
}

export class ActionTimeline {
  firstCall: number | undefined;
  readonly successes: number[] = [];

  called(at: number): void {
    this.firstCall ??= at;
  }

  succeeded(at: number): void {
    this.successes.push(at);
  }

  /** From the first call to the last success, in seconds (0 if none succeeded). */
  spanSeconds(): number {
    const last = this.successes.at(-1);
    return this.firstCall === undefined || last === undefined ? 0 : (last - this.firstCall) / 1000;
  }

  /** Cumulative successes at `points` evenly spaced times from the first call to the last success. */
  curve(points: number): [number, number][] {
    const span = this.spanSeconds();
    if (this.firstCall === undefined || span === 0) return [];
    const first = this.firstCall;
    const curve: [number, number][] = [];
    let index = 0;
    for (let point = 0; point <= points; point++) {
      const seconds = (span * point) / points;
      while (index < this.successes.length && (this.successes[index] - first) / 1000 <= seconds) index++;
      curve.push([round(seconds, 1), index]);
    }
    return curve;
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
