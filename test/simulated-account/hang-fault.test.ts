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

  test('GIVEN a hung call WHEN it is pending THEN it holds no timer or handle that would keep the process alive', async () => {
    const { ec2, sim } = givenVolume();
    sim.injectFault({ action: 'DescribeInstances', error: HANG });
    const before = process.getActiveResourcesInfo().sort();

    const settled = await settlesWithin(ec2.send(new DescribeInstancesCommand({})), 20);

    expect(settled).toBe(false);
    // Other suites' timers may end meanwhile (the process is shared): nothing may be added.
    const count = (list: string[]) =>
      list.reduce<Record<string, number>>((n, r) => ({ ...n, [r]: (n[r] ?? 0) + 1 }), {});
    const after = count(process.getActiveResourcesInfo());
    for (const [resource, n] of Object.entries(after))
      expect(n).toBeLessThanOrEqual(count(before)[resource] ?? 0);
  });

  test('GIVEN a HANG WHEN the simulator method is called directly THEN it took effect and throws HungResponse, since a synchronous call cannot hang', () => {
    const { sim, volumeId } = givenVolume();
    sim.injectFault({ action: 'CreateSnapshot', error: HANG });

    expect(() => sim.createSnapshot({ VolumeId: volumeId })).toThrow(HungResponse);
    expect(sim.snapshotsOf(volumeId)).toHaveLength(1);
  });
});
