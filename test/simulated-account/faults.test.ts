import {
  CreateSnapshotCommand,
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import { LOST_RESPONSE } from '../../local/simulated-account';
import { ec2ErrorFrom, givenAccount } from '../fixtures/account';

function givenVolumes(count: number, seed?: number) {
  const setup = givenAccount({ seed });
  const volumeIds = setup.sim.addInstance({ volumes: Array.from({ length: count }, () => ({})) }).volumeIds;
  return { ...setup, volumeIds };
}

describe('injected faults', () => {
  test('GIVEN a fault for 2 calls WHEN calling three times THEN two fail with the code and the third succeeds', async () => {
    const { ec2, sim } = givenVolumes(1);
    sim.injectFault({ action: 'DescribeInstances', error: 'InternalError', times: 2 });

    const first = await ec2ErrorFrom(ec2.send(new DescribeInstancesCommand({})));
    const second = await ec2ErrorFrom(ec2.send(new DescribeInstancesCommand({})));
    const third = await ec2.send(new DescribeInstancesCommand({}));

    expect([first.name, second.name]).toEqual(['InternalError', 'InternalError']);
    expect(first.$fault).toBe('server');
    expect(first.$metadata.httpStatusCode).toBe(500);
    expect(third.Reservations).toHaveLength(1);
    expect(sim.calls().DescribeInstances).toEqual({ succeeded: 1, throttled: 0, failed: 2 });
  });

  test('GIVEN an injected RequestLimitExceeded for one volume WHEN snapshotting two THEN only that one is refused, nothing made, counted throttled', async () => {
    const { ec2, sim, volumeIds } = givenVolumes(2);
    sim.injectFault({ action: 'CreateSnapshot', error: 'RequestLimitExceeded', volumeId: volumeIds[1] });

    await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeIds[0] }));
    const error = await ec2ErrorFrom(ec2.send(new CreateSnapshotCommand({ VolumeId: volumeIds[1] })));

    expect(error.name).toBe('RequestLimitExceeded');
    expect(error.message).toBe('Request limit exceeded.');
    expect(sim.snapshotsOf(volumeIds[1])).toEqual([]);
    expect(sim.calls().CreateSnapshot).toEqual({ succeeded: 1, throttled: 1, failed: 0 });
  });

  test('GIVEN a lost response WHEN CreateSnapshot is called THEN the caller gets a TimeoutError without HTTP status, yet the snapshot exists', async () => {
    const { ec2, sim, volumeIds } = givenVolumes(1);
    sim.injectFault({ action: 'CreateSnapshot', error: LOST_RESPONSE });

    const error = await ec2
      .send(
        new CreateSnapshotCommand({
          VolumeId: volumeIds[0],
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'Execution', Value: 'run-1' }] }],
        }),
      )
      .then(
        () => undefined,
        (reason: unknown) => reason as Error & { $metadata?: { httpStatusCode?: number } },
      );
    const found = await ec2.send(
      new DescribeSnapshotsCommand({
        OwnerIds: ['self'],
        Filters: [{ Name: 'tag:Execution', Values: ['run-1'] }],
      }),
    );

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(EC2ServiceException);
    expect(error?.name).toBe('TimeoutError');
    expect(error?.$metadata?.httpStatusCode).toBeUndefined();
    expect(found.Snapshots?.map((snapshot) => snapshot.VolumeId)).toEqual([volumeIds[0]]);
    expect(sim.calls().CreateSnapshot.failed).toBe(1);
  });

  test('GIVEN a lost response to DeleteSnapshot WHEN retried THEN the retry sees InvalidSnapshot.NotFound: the first call had worked', async () => {
    const { ec2, sim, volumeIds } = givenVolumes(1);
    const snapshotId = sim.addSnapshot({ volumeId: volumeIds[0] });
    sim.injectFault({ action: 'DeleteSnapshot', error: LOST_RESPONSE, snapshotId });

    const lost = await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    const retry = await ec2ErrorFrom(ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));

    expect(lost).toMatchObject({ name: 'TimeoutError' });
    expect(retry.name).toBe('InvalidSnapshot.NotFound');
  });

  test('GIVEN a probabilistic fault WHEN the same calls run under the same seed THEN the same calls fail; another seed differs', async () => {
    const failures = async (seed: number) => {
      const { ec2, sim } = givenVolumes(1, seed);
      sim.injectFault({ action: 'DescribeInstances', error: 'ServiceUnavailable', probability: 0.3 });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 40 }, () => ec2.send(new DescribeInstancesCommand({}))),
      );
      return outcomes.map((outcome) => outcome.status === 'rejected');
    };

    const first = await failures(7);
    const again = await failures(7);
    const other = await failures(8);

    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    expect(first.filter(Boolean).length).toBeGreaterThan(3);
    expect(first.filter(Boolean).length).toBeLessThan(25);
  });

  test('GIVEN armed faults WHEN cleared THEN calls succeed', async () => {
    const { ec2, sim } = givenVolumes(1);
    sim.injectFault({ action: 'DescribeInstances', error: 'Unavailable', times: Number.POSITIVE_INFINITY });

    sim.clearFaults();

    await expect(ec2.send(new DescribeInstancesCommand({}))).resolves.toBeDefined();
  });
});
