/**
 * Prices in US East (N. Virginia), on-demand, free tiers left out. Sources, read for this
 * benchmark: Step Functions Standard workflows, $0.025 per 1,000 state transitions
 * (https://aws.amazon.com/step-functions/pricing/); Lambda on Arm (the functions' architecture,
 * `infra/functions.ts`), $0.0000133334 per GB-second for the first 6 billion GB-seconds a month,
 * and $0.20 per million requests (https://aws.amazon.com/lambda/pricing/). Since 1 August 2025
 * the INIT phase of on-demand functions is billed like the handler's time
 * (https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/).
 */
export const PRICES = {
  transitionUsd: 0.025 / 1000,
  lambdaArmGbSecondUsd: 0.0000133334,
  lambdaRequestUsd: 0.2 / 1_000_000,
} as const;

/** A Lambda invocation's bill: duration (INIT included), rounded up to the millisecond, at its memory. */
export interface BilledDuration {
  readonly durationMs: number;
  readonly initMs: number;
  readonly memoryMiB: number;
}

export interface RunCost {
  transitionsUsd: number;
  lambdaDurationUsd: number;
  lambdaRequestsUsd: number;
  totalUsd: number;
}

export function runCost(transitions: number, invocations: readonly BilledDuration[]): RunCost {
  let gbSeconds = 0;
  for (const invocation of invocations) {
    const billedMs = Math.max(1, Math.ceil(invocation.durationMs + invocation.initMs));
    gbSeconds += (billedMs / 1000) * (invocation.memoryMiB / 1024);
  }
  const transitionsUsd = transitions * PRICES.transitionUsd;
  const lambdaDurationUsd = gbSeconds * PRICES.lambdaArmGbSecondUsd;
  const lambdaRequestsUsd = invocations.length * PRICES.lambdaRequestUsd;
  return {
    transitionsUsd,
    lambdaDurationUsd,
    lambdaRequestsUsd,
    totalUsd: transitionsUsd + lambdaDurationUsd + lambdaRequestsUsd,
  };
}
