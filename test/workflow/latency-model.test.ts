import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import {
  type FunctionEnvironments,
  type InvocationRecord,
  invokeLocalFunction,
  type LocalFunction,
} from '../../local/runner/lambda-invocation';
import { asLambdaTask } from '../../local/runner/lambda-task';
import { VirtualClock } from '../../local/runner/virtual-clock';
import { SimulatedAccount } from '../../local/simulated-account';

/** The latency model's pieces, in virtual time: EC2 call latency, invoke overhead and cold starts. */
describe('modelled latency', () => {
  let clock: VirtualClock;
  beforeEach(() => {
    clock = VirtualClock.install(Date.UTC(2025, 0, 1));
  });
  afterEach(() => clock.uninstall());

  test('GIVEN a per-action call latency WHEN an EC2 call is made THEN it answers that much later, and other actions at once', async () => {
    const account = new SimulatedAccount({ ec2: { callLatencyMs: { DescribeSnapshots: 300 } } });
    const ec2 = account.ec2Client();
    const started = Date.now();
    await clock.settle(ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] })));
    expect(Date.now() - started).toBe(300);
    expect(account.ec2.callLatency('CreateSnapshot')).toBe(0);
  });

  test('GIVEN execution environments WHEN invocations overlap THEN each new environment has a cold start, a free one is reused warm', async () => {
    const records: InvocationRecord[] = [];
    const environments: FunctionEnvironments = {
      invokeOverheadMs: 50,
      initMs: 400,
      idle: [],
      onInvoked: (record) => records.push(record),
    };
    const fn: LocalFunction<object> = {
      timeoutSeconds: 30,
      build: () => asLambdaTask(() => new Promise((resolve) => setTimeout(() => resolve('done'), 100))),
    };
    const started = Date.now();
    await clock.settle(
      Promise.all([
        invokeLocalFunction(fn, {}, {}, environments),
        invokeLocalFunction(fn, {}, {}, environments),
      ]),
    );
    expect(Date.now() - started).toBe(50 + 400 + 100);
    await clock.settle(invokeLocalFunction(fn, {}, {}, environments));
    expect(records).toEqual([
      { durationMs: 100, initMs: 400 },
      { durationMs: 100, initMs: 400 },
      { durationMs: 100, initMs: 0 },
    ]);
    expect(environments.idle).toHaveLength(2);
  });

  test('GIVEN an environment reused WHEN its next invocation runs THEN it finds what the module kept; a new environment starts with nothing', async () => {
    const environments: FunctionEnvironments = { invokeOverheadMs: 0, initMs: 100, idle: [] };
    const fn: LocalFunction<object> = {
      timeoutSeconds: 30,
      build: (_clients, environment) =>
        asLambdaTask(async () => {
          const module = environment.keep('module', () => ({ invocations: 0 }));
          module.invocations += 1;
          await new Promise((resolve) => setTimeout(resolve, 10));
          return module.invocations;
        }),
    };
    const overlapping = await clock.settle(
      Promise.all([
        invokeLocalFunction(fn, {}, {}, environments),
        invokeLocalFunction(fn, {}, {}, environments),
      ]),
    );
    expect(overlapping).toEqual([1, 1]);
    const next = await clock.settle(invokeLocalFunction(fn, {}, {}, environments));
    expect(next).toBe(2);
    // Without an environment model, every invocation is a new environment.
    expect(await clock.settle(invokeLocalFunction(fn, {}, {}))).toBe(1);
  });
});
