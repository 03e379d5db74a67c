import { DeleteSnapshotCommand, paginateDescribeSnapshots } from '@aws-sdk/client-ec2';
import { FUNCTION_LIMITS } from '../../lambdas/commons/function-limits';
import {
  INVOCATION_ENDED,
  invokeLocalFunction,
  type LocalFunction,
} from '../../local/runner/lambda-invocation';
import { asLambdaTask } from '../../local/runner/lambda-task';
import {
  type AccountClients,
  DEFAULT_LOCAL_DEPLOYMENT,
  localFunctions,
} from '../../local/runner/local-deployment';
import { VirtualClock } from '../../local/runner/virtual-clock';
import { SimulatedAccount } from '../../local/simulated-account';
import { StateName } from '../../statemachine/names';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('invokeLocalFunction: a function stopped at its timeout, as Lambda stops it', () => {
  let clock: VirtualClock;
  beforeEach(() => {
    clock = VirtualClock.install(Date.UTC(2025, 0, 1));
  });
  afterEach(() => clock.uninstall());

  function givenAccount() {
    const account = new SimulatedAccount();
    const clients = { ec2: account.ec2Client(), s3: account.s3Client() };
    const { volumeIds } = account.ec2.addInstance({ name: 'web', volumes: [{}] });
    const snapshots = [1, 2].map(() => account.ec2.addSnapshot({ volumeId: volumeIds[0] }));
    return { account, clients, volumeId: volumeIds[0], snapshots };
  }

  const fn = (timeoutSeconds: number, body: (clients: AccountClients) => Promise<unknown>) =>
    ({
      timeoutSeconds,
      build: (clients) => asLambdaTask(() => body(clients)),
    }) satisfies LocalFunction<AccountClients>;

  it('GIVEN a handler that deletes, sleeps past its timeout, then deletes again THEN Sandbox.Timedout and only the first deletion happened', async () => {
    const { account, clients, volumeId, snapshots } = givenAccount();
    let lateCall: unknown;
    const slow = fn(30, async ({ ec2 }) => {
      await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshots[0] }));
      await sleep(31_000);
      lateCall = await ec2
        .send(new DeleteSnapshotCommand({ SnapshotId: snapshots[1] }))
        .catch((e: Error) => e);
      return 'done';
    });
    const start = clock.now();
    const outcome = await clock.settle(invokeLocalFunction(slow, clients, {}).catch((e: Error) => e));

    expect(clock.now() - start).toBe(30_000);
    expect(outcome).toMatchObject({
      name: 'Sandbox.Timedout',
      message: JSON.stringify({
        errorType: 'Sandbox.Timedout',
        errorMessage: 'Task timed out after 30.00 seconds',
      }),
    });
    await clock.advance(60_000);
    expect((lateCall as Error).name).toBe(INVOCATION_ENDED);
    expect(account.ec2.snapshotsOf(volumeId).map((s) => s.SnapshotId)).toEqual([snapshots[1]]);
    expect(account.ec2.calls().DeleteSnapshot).toEqual({ succeeded: 1, throttled: 0, failed: 0 });
  });

  it('GIVEN a client of another region taken from ec2In THEN it is gated too: after the timeout its calls never reach the account', async () => {
    const { account, snapshots } = givenAccount();
    const other = account.ec2Client();
    const clients: AccountClients = { ec2: account.ec2Client(), s3: account.s3Client(), ec2In: () => other };
    let lateCall: unknown;
    const slow = fn(30, async ({ ec2In }) => {
      await sleep(31_000);
      lateCall = await ec2In?.('eu-west-1')
        .send(new DeleteSnapshotCommand({ SnapshotId: snapshots[0] }))
        .catch((e: Error) => e);
    });
    await clock.settle(invokeLocalFunction(slow, clients, {}).catch((e: Error) => e));
    await clock.advance(60_000);
    expect((lateCall as Error).name).toBe(INVOCATION_ENDED);
    expect(account.ec2.calls().DeleteSnapshot).toEqual({ succeeded: 0, throttled: 0, failed: 0 });
  });

  it('GIVEN a call that never answers THEN the invocation times out instead of hanging the run', async () => {
    const { clients } = givenAccount();
    const hung = fn(60, () => new Promise(() => undefined));
    const outcome = await clock.settle(invokeLocalFunction(hung, clients, {}).catch((e: Error) => e));
    expect((outcome as Error).name).toBe('Sandbox.Timedout');
  });

  it('GIVEN a run that sees timeouts as Step Functions documents them THEN Lambda.Unknown, with the same cause', async () => {
    const { clients } = givenAccount();
    const hung = fn(60, () => new Promise(() => undefined));
    const outcome = await clock.settle(
      invokeLocalFunction(hung, clients, {}, undefined, 'Lambda.Unknown').catch((e: Error) => e),
    );
    expect(outcome).toMatchObject({
      name: 'Lambda.Unknown',
      message: JSON.stringify({
        errorType: 'Lambda.Unknown',
        errorMessage: 'Task timed out after 60.00 seconds',
      }),
    });
  });

  it('GIVEN a handler within its timeout THEN its result, and the gated client still passes instanceof checks (paginators)', async () => {
    const { clients, volumeId } = givenAccount();
    const paged = fn(30, async ({ ec2 }) => {
      const ids: string[] = [];
      for await (const page of paginateDescribeSnapshots({ client: ec2 }, { OwnerIds: ['self'] })) {
        ids.push(...(page.Snapshots ?? []).map((s) => s.VolumeId as string));
      }
      return ids;
    });
    expect(await clock.settle(invokeLocalFunction(paged, clients, {}))).toEqual([volumeId, volumeId]);
  });

  it('THEN each Task state runs with its step’s deployed timeout', () => {
    const functions = localFunctions(DEFAULT_LOCAL_DEPLOYMENT);
    expect(functions[StateName.createSnapshot].timeoutSeconds).toBe(
      FUNCTION_LIMITS.createSnapshot.timeoutSeconds,
    );
    expect(functions[StateName.pruneSnapshots].timeoutSeconds).toBe(FUNCTION_LIMITS.prune.timeoutSeconds);
    expect(functions[StateName.discover].timeoutSeconds).toBe(FUNCTION_LIMITS.discover.timeoutSeconds);
  });
});
