import type { TaskHandler } from './lambda-task';
import { lambdaError } from './lambda-task';

/** A function as the local runner deploys it: its timeout, and how to build its handler. */
export interface LocalFunction<Clients> {
  timeoutSeconds: number;
  /**
   * Builds the handler on the clients of one invocation, in the execution environment that runs
   * it (see `invokeLocalFunction`): what the environment keeps is what a deployed function keeps
   * at module level between the invocations one environment serves.
   */
  build: (clients: Clients, environment: ExecutionEnvironment) => TaskHandler;
}

/**
 * One execution environment of a function, as far as its code can tell: the values it keeps at
 * module level, made on first use and kept for every later invocation the environment serves
 * (Lambda reuses an environment for one invocation after another,
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html). A new
 * environment starts with none.
 */
export class ExecutionEnvironment {
  private readonly kept = new Map<string, unknown>();

  /** The environment's value of `key`, made by `make` the first time it is asked for. */
  keep<T>(key: string, make: () => T): T {
    if (!this.kept.has(key)) this.kept.set(key, make());
    return this.kept.get(key) as T;
  }
}

/**
 * Where a function runs, for a run that models Lambda's latency and measures its bill: the
 * function's execution environments (a warm one is reused, else a new one is initialised: a
 * cold start) and what each invocation cost. Without one, an invocation takes no time of its
 * own (the default, today's behaviour).
 */
export interface FunctionEnvironments {
  /** Added before every handler runs (virtual ms): Step Functions invoking Lambda, and back. */
  readonly invokeOverheadMs: number;
  /** The INIT phase of a new execution environment (virtual ms): a cold start. */
  readonly initMs: number;
  /**
   * Execution environments of this function that are initialised and free, the most recently
   * freed last. An invocation takes that one (assumption: Lambda documents that it reuses a free
   * environment, not which one).
   */
  readonly idle: ExecutionEnvironment[];
  /** Told as each invocation ends. */
  readonly onInvoked?: (invocation: InvocationRecord) => void;
}

/** One invocation as Lambda bills it. */
export interface InvocationRecord {
  /** The handler's run time (virtual ms), from its start to its answer or its timeout. */
  readonly durationMs: number;
  /** INIT duration when this invocation had a cold start, else 0 (billed since 1 August 2025). */
  readonly initMs: number;
}

/**
 * How Step Functions names a Lambda invocation that ran past its function's timeout. Recent
 * histories show `Sandbox.Timedout`, Lambda's own error type for it
 * (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-timeouts);
 * Step Functions documents unhandled errors, function timeouts included, as `Lambda.Unknown`
 * (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html). The
 * definition must handle both; a local run chooses which one it sees.
 */
export type LambdaTimeoutError = 'Sandbox.Timedout' | 'Lambda.Unknown';

/** The error a dead invocation's SDK calls get: they never reach the (simulated) account. */
export const INVOCATION_ENDED = 'LocalInvocationEnded';

/**
 * Invokes a function the way Lambda does as far as time goes: if the handler has not returned
 * after its configured timeout (virtual time), the invocation fails with `Sandbox.Timedout`
 * and a cause like `{"errorType":"Sandbox.Timedout","errorMessage":"Task timed out after 30.00 seconds"}`
 * (Lambda's error type for a timed-out invocation, "Sandbox.Timedout" in
 * https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-timeouts;
 * Step Functions records it as a LambdaFunctionTimedOut event with that error and cause,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_LambdaFunctionTimedOutEventDetails.html).
 * Lambda then stops the sandbox, so from that moment every SDK call the invocation makes fails
 * without reaching the account, and whatever it returns late is ignored.
 *
 * Why a per-invocation Proxy of each client and a handler built per invocation, rather than
 * AsyncLocalStorage around shared handlers: the clients are `aws-sdk-client-mock` instances, whose
 * replaced `send` skips the SDK middleware, so the gate must sit on `send` itself; and under the
 * virtual clock sinon runs due timer callbacks synchronously from the clock's tick, that is in
 * the context of whoever advances the clock, so an ALS store would not follow a handler across a
 * `setTimeout` (a virtual sleep, the simulator's delays). A Proxy keeps `instanceof EC2Client`
 * (SDK paginators check it) and carries the invocation explicitly; building a handler is a few
 * closures (the handlers keep no state between invocations).
 */
export function invokeLocalFunction<Clients extends object>(
  fn: LocalFunction<Clients>,
  clients: Clients,
  input: unknown,
  environments?: FunctionEnvironments,
  timeoutError: LambdaTimeoutError = 'Sandbox.Timedout',
): Promise<unknown> {
  return environments
    ? invokeInEnvironment(fn, clients, input, environments, timeoutError)
    : invoke(fn, clients, input, timeoutError);
}

/**
 * The invocation in one of the function's execution environments: the invoke overhead, then a
 * warm environment if one is free, else a new one and its INIT phase (Lambda scales out one
 * environment per concurrent request, https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html),
 * then the handler; the environment is free again when it answers.
 */
async function invokeInEnvironment<Clients extends object>(
  fn: LocalFunction<Clients>,
  clients: Clients,
  input: unknown,
  environments: FunctionEnvironments,
  timeoutError: LambdaTimeoutError,
): Promise<unknown> {
  if (environments.invokeOverheadMs > 0) await sleep(environments.invokeOverheadMs);
  const reused = environments.idle.pop();
  const environment = reused ?? new ExecutionEnvironment();
  if (!reused && environments.initMs > 0) await sleep(environments.initMs);
  const started = Date.now();
  try {
    return await invoke(fn, clients, input, timeoutError, environment);
  } finally {
    environments.idle.push(environment);
    environments.onInvoked?.({ durationMs: Date.now() - started, initMs: reused ? 0 : environments.initMs });
  }
}

/** Without an environment model, each invocation has a new environment: nothing is kept between them. */
function invoke<Clients extends object>(
  fn: LocalFunction<Clients>,
  clients: Clients,
  input: unknown,
  timeoutError: LambdaTimeoutError,
  environment = new ExecutionEnvironment(),
): Promise<unknown> {
  const invocation = { alive: true };
  // A client, or a function that gives clients (one per region): each client is gated.
  const gated = Object.fromEntries(
    Object.entries(clients).map(([key, client]) => [
      key,
      typeof client === 'function'
        ? (...args: unknown[]) => gateClient(client(...args) as object, invocation)
        : gateClient(client as object, invocation),
    ]),
  ) as Clients;
  const running = Promise.resolve().then(() => fn.build(gated, environment)(input));
  // A timed-out invocation's late failure is nobody's business.
  running.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      invocation.alive = false;
      reject(lambdaError(timeoutError, `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`));
    }, fn.timeoutSeconds * 1000);
  });
  return Promise.race([running, deadline]).finally(() => clearTimeout(timer));
}

/** The client, except that `send` fails once the invocation is dead. */
function gateClient<T extends object>(client: T, invocation: { alive: boolean }): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (property !== 'send' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (!invocation.alive) {
          const error = new Error('The invocation timed out: Lambda stopped it, this call was never sent');
          error.name = INVOCATION_ENDED;
          return Promise.reject(error);
        }
        return value.apply(target, args);
      };
    },
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
