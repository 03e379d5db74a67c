import { performance } from 'node:perf_hooks';
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
import { type ActionTimeline, CallTimeline } from './call-timeline';
import { addCompetingTool, type CompetingToolFigures, competingToolFigures } from './competing-tool';
import { type CopyLimit, copyBound, copyPhaseSeconds } from './copy-phase';
import { EC2_CALL_LATENCY_MS, INIT_MS, LATENCY_MODEL } from './latency-model';
import { runCost } from './prices';
import { round } from './rounding';
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
  /** Another tool takes the rest of CreateSnapshot's and DeleteSnapshot's buckets (see `addCompetingTool`). */
  readonly competingTool?: boolean;
  /** Copies in these regions, each taking `copyMs` to complete (see `copyBound`). */
  readonly copies?: { readonly regions: readonly string[]; readonly copyMs: number };
  /** This share (0..1] of the volumes is on instances taken as crash-consistent sets (SPEC §12). */
  readonly setShare?: number;
}

/**
 * How long a copy of the `10000-copies` scenario takes to complete. An assumption: AWS publishes
 * no duration for a standard copy (it depends on the changed data and the distance; time-based
 * copies, which do guarantee one, start at 15 minutes,
 * https://docs.aws.amazon.com/ebs/latest/userguide/time-based-copies.html). One minute, a day's
 * small change, keeps the phase of 10,000 copies per region within the execution's time limit;
 * the row's bound scales with it (10 minutes: 10 times as long).
 */
export const BENCH_COPY_MS = 60_000;

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
  // Above it, which the synth refuses: each child would wait 25 s per call, past its function's
  // budget (MAX_CALL_INTERVAL_MS), and the first calls of 100 fresh environments take the bucket's
  // whole burst. Paced, it loses no volume; it only costs more Lambda time.
  {
    name: '10000-latency-concurrency-100',
    volumes: 10_000,
    throttleRate: 0,
    latency: true,
    concurrency: 100,
  },
  // Another tool takes the share of the buckets the deployment leaves: is it starved, does the run keep to its bound?
  { name: '10000-latency-competing', volumes: 10_000, throttleRate: 0, latency: true, competingTool: true },
  // Copies in two regions: the destination's 20 copies in flight and CopySnapshot's own bucket.
  {
    name: '10000-copies',
    volumes: 10_000,
    throttleRate: 0,
    latency: true,
    copies: { regions: ['eu-west-1', 'us-west-2'], copyMs: BENCH_COPY_MS },
  },
  // Crash-consistent sets (SPEC §12): one CreateSnapshots call per instance, from a bucket of its
  // own, beside the per-volume calls on CreateSnapshot's.
  { name: '10000-latency-sets-half', volumes: 10_000, throttleRate: 0, latency: true, setShare: 0.5 },
  { name: '10000-latency-sets-all', volumes: 10_000, throttleRate: 0, latency: true, setShare: 1 },
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
  /**
   * Virtual s from the first CreateSnapshot (or CreateSnapshots) call to the last successful one:
   * every volume's new snapshot requested.
   */
  creationSeconds: number;
  /**
   * The fastest those calls can go at the deployment's share of their buckets: CreateSnapshot's
   * for the volumes on their own and CreateSnapshots' for the sets, side by side (the longer).
   */
  creationBoundSeconds: number;
  /** Volumes on instances taken as sets, and the CreateSnapshots calls that took them (set rows only). */
  setVolumes?: number;
  createSnapshotsCalls?: number;
  /** The bound of the sets alone, on CreateSnapshots' bucket; and of the other volumes, on CreateSnapshot's. */
  setCreationBoundSeconds?: number;
  volumeCreationBoundSeconds?: number;
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
  /** `competingTool` scenarios: what the other tool saw, per action. */
  competingTool?: CompetingToolFigures[];
  /** `copies` scenarios: the regions, how long a copy took, the copy phase and its bound. */
  copyRegions?: string[];
  copySecondsEach?: number;
  /** Virtual s from the first CopySnapshot call to the completion of the last copy. */
  copySeconds?: number;
  copyBoundSeconds?: number;
  copyLimitedBy?: CopyLimit;
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
  const copyRegions = scenario.copies?.regions ?? [];
  const deployment = {
    ...DEFAULT_LOCAL_DEPLOYMENT,
    ...(scenario.concurrency !== undefined && {
      snapshotConcurrency: scenario.concurrency,
      pruneConcurrency: scenario.concurrency,
    }),
    copyRegions: copyRegions.map((region) => ({ region })),
  };
  const clock = VirtualClock.install(START);
  const random = SeededMathRandom.install(seed);
  try {
    const account = new SimulatedAccount({
      ec2: {
        seed,
        rateLimits: EC2_DEFAULT_RATE_LIMITS,
        callLatencyMs: scenario.latency ? EC2_CALL_LATENCY_MS : undefined,
        ...(scenario.copies && { copyCompletionDelayMs: scenario.copies.copyMs }),
      },
    });
    const seedStarted = performance.now();
    const { instances, setVolumes } = seedBenchFleet(account, {
      setVolumes: Math.round((scenario.setShare ?? 0) * scenario.volumes),
      consistencyTagKey: deployment.consistencyTagKey,
      volumes: scenario.volumes,
      tagKey: deployment.tagKey,
      managedBy: deployment.managedBy,
      start: START,
      copyRegions,
      copyTagKey: deployment.copyTagKey,
    });
    if (scenario.competingTool) addCompetingTool(account.ec2, deployment.ec2RateShare, START);
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
    const adapted = adaptForLocalRun(localDefinition(deployment));
    // Each copy region's calls on a timeline of their own: its limits are its own.
    const copyTimelines = new Map(copyRegions.map((region) => [region, new CallTimeline()]));
    const regional = new Map(
      copyRegions.map((region) => [region, copyTimelines.get(region)?.watch(account.ec2Client(region))]),
    );
    const ec2In = (region: string) => regional.get(region) ?? (region === account.region ? ec2 : undefined);
    const metrics = new RunMetrics(
      new Set(Object.keys(adapted.distributedMaps)),
      new Set(Object.keys(adapted.parallels)),
    );
    const latency: LatencyModel | undefined = scenario.latency ? LATENCY_MODEL : undefined;
    const started = performance.now();
    const result = await clock.settle(
      runLocalExecution({
        clients: {
          ec2,
          s3: account.s3Client(),
          ec2In: (region) => {
            const client = ec2In(region);
            if (!client) throw new Error(`The benchmark keeps no copies in ${region}`);
            return client;
          },
        },
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
    const calls = callsInEveryRegion(account);
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
    const createSets = timeline.of('CreateSnapshots');
    const remove = timeline.of('DeleteSnapshot');
    const volumeBound = bucketBoundSeconds(create.successes.length, bucket('CreateSnapshot'), share);
    const setBound = bucketBoundSeconds(createSets.successes.length, bucket('CreateSnapshots'), share);
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
      creationSeconds: round(spanOfBoth(create, createSets), 1),
      creationBoundSeconds: round(Math.max(volumeBound, setBound), 1),
      ...(scenario.setShare !== undefined && {
        setVolumes,
        createSnapshotsCalls: createSets.successes.length,
        setCreationBoundSeconds: round(setBound, 1),
        volumeCreationBoundSeconds: round(volumeBound, 1),
      }),
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
      ...(scenario.competingTool && { competingTool: competingToolFigures(account.ec2.competingCalls()) }),
      ...(scenario.copies && copyFigures(scenario.copies.copyMs, copyTimelines, share)),
    };
  } finally {
    random.uninstall();
    clock.uninstall();
  }
}

/** Each action's calls summed over the account's regions (the home region's and the copy regions'). */
function callsInEveryRegion(account: SimulatedAccount): Record<Ec2Action, CallCounts> {
  const sum = account.ec2.calls();
  for (const region of account.regions().filter((r) => r !== account.region)) {
    const calls = account.ec2In(region).calls();
    for (const action of EC2_ACTIONS) {
      for (const outcome of ['succeeded', 'throttled', 'failed'] as const) {
        sum[action][outcome] += calls[action][outcome];
      }
    }
  }
  return sum;
}

/** The copy phase and its bound, from each copy region's CopySnapshot calls. */
function copyFigures(copyMs: number, timelines: Map<string, CallTimeline>, share: number) {
  const copies = [...timelines.values()].map((t) => t.of('CopySnapshot'));
  const bound = copyBound(
    copies.map((c) => c.successes.length),
    copyMs,
    share,
  );
  return {
    copyRegions: [...timelines.keys()],
    copySecondsEach: copyMs / 1000,
    copySeconds: round(copyPhaseSeconds(copies, copyMs), 1),
    copyBoundSeconds: round(bound.seconds, 1),
    copyLimitedBy: bound.limitedBy,
  };
}

/** See ScenarioRow.throttledPerMutatingCall (0 when nothing was created, deleted or copied). */
export function throttledPerMutatingCall(calls: Record<Ec2Action, CallCounts>): number {
  const throttled = EC2_ACTIONS.reduce((sum, action) => sum + calls[action].throttled, 0);
  const mutating = (['CreateSnapshot', 'CreateSnapshots', 'DeleteSnapshot', 'CopySnapshot'] as const).reduce(
    (sum, action) => sum + calls[action].succeeded,
    0,
  );
  return mutating === 0 ? 0 : throttled / mutating;
}

/** From the first call of either action to the last success of either, in seconds (0 if none succeeded). */
function spanOfBoth(a: ActionTimeline, b: ActionTimeline): number {
  const firsts = [a.firstCall, b.firstCall].filter((t): t is number => t !== undefined);
  const lasts = [a.successes.at(-1), b.successes.at(-1)].filter((t): t is number => t !== undefined);
  return firsts.length === 0 || lasts.length === 0 ? 0 : (Math.max(...lasts) - Math.min(...firsts)) / 1000;
}

function bucket(action: Ec2Action) {
  return EC2_DEFAULT_RATE_LIMITS.buckets[action];
}

/** Volumes with an unsuccessful child in any Map Run of either fan-out (each volume counted once). */
function failedVolumes(mapRuns: Awaited<ReturnType<typeof runLocalExecution>>['mapRuns']): number {
  const failed = new Set<string>();
  for (const record of Object.values(mapRuns).flat()) {
    for (const child of record.children) {
      if (!child || child.result.Status === 'SUCCEEDED') continue;
      const input = JSON.parse(child.result.Input ?? '{}') as { volume?: { volumeId?: string } };
      failed.add(input.volume?.volumeId ?? child.result.Name ?? '');
    }
  }
  return failed.size;
}
