import { DeleteSnapshotCommand, DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { DEFAULT_MAX_ATTEMPTS } from '@smithy/core/retry';
import { SDK_ATTEMPTS } from '../../lambdas/commons/function-limits';
import { VirtualClock } from '../../local/runner/virtual-clock';
import { SimulatedAccount } from '../../local/simulated-account';
import { withSdkRetries } from '../../local/simulated-account/sdk-retries';

describe('withSdkRetries: a simulated client retries as the SDK standard strategy does', () => {
  const START = Date.UTC(2025, 0, 1);
  let clock: VirtualClock;
  let account: SimulatedAccount;
  /** When each DescribeSnapshots attempt reached the simulator (virtual ms since START). */
  let attempts: number[];
  beforeEach(() => {
    clock = VirtualClock.install(START);
    account = new SimulatedAccount();
    attempts = [];
  });
  afterEach(() => {
    jest.restoreAllMocks();
    clock.uninstall();
  });

  function describeSnapshots() {
    const client = account.ec2Client();
    const send = client.send.bind(client) as (command: object) => Promise<unknown>;
    (client as { send: unknown }).send = (command: object) => {
      attempts.push(Date.now() - START);
      return send(command);
    };
    return clock.settle(withSdkRetries(client).send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] })));
  }

  it('THEN it makes as many attempts as a client of the SDK with default settings', () => {
    expect(SDK_ATTEMPTS).toBe(DEFAULT_MAX_ATTEMPTS);
  });

  it('GIVEN two throttled attempts THEN the third answers, after random × 1 s and random × 2 s (base 1 s for throttling, full jitter)', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    account.ec2.injectFault({ action: 'DescribeSnapshots', error: 'RequestLimitExceeded', times: 2 });
    const output = (await describeSnapshots()) as { $metadata: { attempts: number } };
    expect(output.$metadata.attempts).toBe(3);
    expect(attempts).toEqual([0, 500, 1_500]);
    expect(account.ec2.calls().DescribeSnapshots).toEqual({ succeeded: 1, throttled: 2, failed: 0 });
  });

  it('GIVEN three throttled attempts THEN the third one’s error, and no fourth attempt', async () => {
    account.ec2.injectFault({ action: 'DescribeSnapshots', error: 'RequestLimitExceeded', times: 3 });
    await expect(describeSnapshots()).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    expect(attempts).toHaveLength(3);
  });

  it('GIVEN a 5xx answer THEN it is retried after random × 50 ms (the base for transient errors)', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    account.ec2.injectFault({ action: 'DescribeSnapshots', error: 'InternalError', times: 1 });
    await describeSnapshots();
    expect(attempts).toEqual([0, 25]);
  });

  it('GIVEN a client error THEN it is not retried', async () => {
    const client = withSdkRetries(account.ec2Client());
    await expect(
      clock.settle(client.send(new DeleteSnapshotCommand({ SnapshotId: 'snap-00000000000000000' }))),
    ).rejects.toMatchObject({ name: 'InvalidSnapshot.NotFound' });
    expect(account.ec2.calls().DeleteSnapshot).toEqual({ succeeded: 0, throttled: 0, failed: 1 });
  });

  it('GIVEN maxAttempts 1 (retries off, as the create and copy steps have them) THEN one attempt', async () => {
    account.ec2.injectFault({ action: 'DescribeSnapshots', error: 'RequestLimitExceeded', times: 1 });
    const client = withSdkRetries(account.ec2Client(), 1);
    await expect(
      clock.settle(client.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'] }))),
    ).rejects.toMatchObject({ name: 'RequestLimitExceeded' });
    expect(account.ec2.calls().DescribeSnapshots.throttled).toBe(1);
  });
});
