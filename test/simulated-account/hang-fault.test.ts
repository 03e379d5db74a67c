import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CreateSnapshotCommand, DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { HANG, HungResponse } from '../../local/simulated-account';
import { givenAccount } from '../fixtures/account';

/** Whether `promise` settled within `ms` of real time (a hang never does). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, ms));
  return settled;
}

function givenVolume() {
  const setup = givenAccount();
  const [volumeId] = setup.sim.addInstance().volumeIds;
  return { ...setup, volumeId };
}

describe('HANG faults', () => {
  test('GIVEN a HANG on CreateSnapshot WHEN it is sent THEN the promise never settles, yet the snapshot exists and the call counts as succeeded', async () => {
    const { ec2, sim, volumeId } = givenVolume();
    sim.injectFault({ action: 'CreateSnapshot', error: HANG });

    const settled = await settlesWithin(ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId })), 50);

    expect(settled).toBe(false);
    expect(sim.snapshotsOf(volumeId)).toHaveLength(1);
    expect(sim.calls().CreateSnapshot).toEqual({ succeeded: 1, throttled: 0, failed: 0 });
  });

  test('GIVEN a HANG for one call WHEN called twice THEN only the first hangs', async () => {
    const { ec2, sim } = givenVolume();
    sim.injectFault({ action: 'DescribeInstances', error: HANG });

    const first = await settlesWithin(ec2.send(new DescribeInstancesCommand({})), 20);
    const second = await ec2.send(new DescribeInstancesCommand({}));

    expect(first).toBe(false);
    expect(second.Reservations).toHaveLength(1);
  });

  test('GIVEN a hung call WHEN nothing else is left to do THEN the process exits by itself: the hang holds no timer or handle', () => {
    // In a process of its own: jest's worker has timers of its own that would blur the answer.
    const script = [
      "const { DescribeInstancesCommand } = require('@aws-sdk/client-ec2');",
      "const { SimulatedAccount, HANG } = require('./local/simulated-account');",
      'const account = new SimulatedAccount();',
      "account.ec2.injectFault({ action: 'DescribeInstances', error: HANG });",
      'account.ec2Client().send(new DescribeInstancesCommand({})).then(() => process.exit(3));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], {
      cwd: join(__dirname, '..', '..'),
      timeout: 20_000,
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect({ status: child.status, signal: child.signal, stderr: child.stderr }).toEqual({
      status: 0,
      signal: null,
      stderr: '',
    });
  });

  test('GIVEN a HANG WHEN the simulator method is called directly THEN it took effect and throws HungResponse, since a synchronous call cannot hang', () => {
    const { sim, volumeId } = givenVolume();
    sim.injectFault({ action: 'CreateSnapshot', error: HANG });

    expect(() => sim.createSnapshot({ VolumeId: volumeId })).toThrow(HungResponse);
    expect(sim.snapshotsOf(volumeId)).toHaveLength(1);
  });
});
