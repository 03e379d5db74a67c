import type { LatencyModel } from '../runner/local-execution';
import type { Ec2Action } from '../simulated-account';

/**
 * The realistic latency scenario's numbers (virtual ms), each with its source or, where AWS
 * publishes none, why the assumption is reasonable. BENCHMARKS.md prints these notes.
 */
export const EC2_CALL_LATENCY_MS: Readonly<Partial<Record<Ec2Action, number>>> = {
  DescribeInstances: 300,
  DescribeVolumes: 300,
  DescribeSnapshots: 200,
  CreateSnapshot: 400,
  DeleteSnapshot: 250,
  CreateTags: 200,
};

export const INVOKE_OVERHEAD_MS = 60;
export const CHILD_START_MS = 250;
/**
 * INIT of a cold start: a fixed figure, so that the latency rows are the same on every run (a
 * load time measured on this shared machine varied from 296 to 889 ms between runs). It is the
 * load time of our bundled create-snapshot handler as measured here (296 ms, median of 5 fresh
 * processes) when each run still measured it, rounded; BENCHMARKS.md's "Cold starts" measures
 * every handler's load on each full run, for comparison.
 */
export const INIT_MS = 300;

export const LATENCY_MODEL: LatencyModel = {
  invokeOverheadMs: INVOKE_OVERHEAD_MS,
  initMs: INIT_MS,
  childStartMs: CHILD_START_MS,
};

export const LATENCY_NOTES: readonly [string, string, string][] = [
  [
    'EC2 call latency',
    'Describe* 200–300 ms, CreateSnapshot 400 ms, DeleteSnapshot 250 ms, CreateTags 200 ms',
    'Assumption: AWS publishes no EC2 API latency. In-Region AWS API round trips from Lambda take tens to a few hundred ms; filtered Describe pages and mutating EBS calls are at the slow end, so these are deliberately on the high side (a slower call holds a fan-out slot longer, which is what threatens the bound at concurrency 5).',
  ],
  [
    'Lambda invoke overhead',
    `${INVOKE_OVERHEAD_MS} ms per invocation`,
    'Assumption: Step Functions publishes no figure for LambdaFunctionScheduled → Started → Succeeded overhead; observed histories show tens of ms between those events. Added before the handler, warm or cold.',
  ],
  [
    'Cold start (INIT)',
    `${INIT_MS} ms per cold start`,
    'Measured here, then fixed so that the rows reproduce: the load of the create-snapshot handler bundled with esbuild as infra/functions.ts does (CJS, minified, keepNames, SDK bundled, source maps), `require`d in a fresh Node process, median of 5, on this (shared, 2-core) machine: 296 ms, rounded (the "Cold starts" section below measures each handler on every full run). A cold start happens when no warm environment of that function is free (Lambda creates one environment per concurrent request, https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html); environments stay warm for the whole run (assumption: invocations of a function are seconds apart, far less than the minutes Lambda keeps idle environments). Billed since 1 August 2025 (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/).',
  ],
  [
    'Handler run time',
    'no fixed figure',
    'Comes from the handler itself: the EC2 calls it makes (with the latencies above), its in-invocation throttle back-off, and S3 reads/writes (instant in the simulator).',
  ],
  [
    'Distributed Map child start',
    `${CHILD_START_MS} ms from the child's start to its first state`,
    'Assumption: AWS publishes no child start latency or start rate for Distributed Map; a child is a StartExecution plus its first transition, each tens of ms, and re:Post reports Map Runs of Express children adding seconds of overhead overall (https://repost.aws/questions/QUn5oKgcnjRTemt39V9hdtyw). 250 ms, held inside the concurrency slot, errs on the slow side.',
  ],
];
