import { CreateSnapshotCommand, DescribeInstancesCommand, DescribeVolumesCommand } from '@aws-sdk/client-ec2';
import { EC2_DEFAULT_RATE_LIMITS } from '../../local/simulated-account';
import { ec2ErrorFrom, givenAccount } from '../fixtures/account';

function givenThrottledAccount(instances: number) {
  const setup = givenAccount({ rateLimits: EC2_DEFAULT_RATE_LIMITS });
  const volumeIds = Array.from({ length: instances }, () => setup.sim.addInstance().volumeIds[0]);
  return { ...setup, volumeIds };
}

describe('EC2 request-rate token buckets', () => {
  test('GIVEN the default limits WHEN 101 CreateSnapshot calls come at once THEN 100 pass and the next gets RequestLimitExceeded (503)', async () => {
    const { ec2, sim, volumeIds } = givenThrottledAccount(101);

    for (const volumeId of volumeIds.slice(0, 100))
      await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));
    const error = await ec2ErrorFrom(ec2.send(new CreateSnapshotCommand({ VolumeId: volumeIds[100] })));

    expect(error.name).toBe('RequestLimitExceeded');
    expect(error.$metadata.httpStatusCode).toBe(503);
    expect(error.$fault).toBe('server');
    expect(sim.snapshotsOf(volumeIds[100])).toEqual([]);
    expect(sim.calls().CreateSnapshot).toEqual({ succeeded: 100, throttled: 1, failed: 0 });
  });

  test('GIVEN an empty CreateSnapshot bucket WHEN one second passes THEN exactly 5 more calls pass', async () => {
    const { ec2, clock, sim, volumeIds } = givenThrottledAccount(110);
    for (const volumeId of volumeIds.slice(0, 100))
      await ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }));

    clock.advance(1000);
    const outcomes = await Promise.allSettled(
      volumeIds.slice(100).map((volumeId) => ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }))),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    expect(sim.calls().CreateSnapshot).toEqual({ succeeded: 105, throttled: 5, failed: 0 });
  });

  test('GIVEN a long idle time WHEN calling THEN the bucket holds no more than its burst', async () => {
    const { ec2, clock, sim, volumeIds } = givenThrottledAccount(102);

    clock.advance(3_600_000);
    await Promise.allSettled(
      volumeIds.map((volumeId) => ec2.send(new CreateSnapshotCommand({ VolumeId: volumeId }))),
    );

    expect(sim.calls().CreateSnapshot).toEqual({ succeeded: 100, throttled: 2, failed: 0 });
  });

  test('GIVEN the Describe calls share one bucket WHEN 100 DescribeInstances drained it THEN DescribeVolumes is throttled too', async () => {
    const { ec2 } = givenThrottledAccount(1);
    for (let i = 0; i < 100; i++) await ec2.send(new DescribeInstancesCommand({}));

    const error = await ec2ErrorFrom(ec2.send(new DescribeVolumesCommand({})));

    expect(error.name).toBe('RequestLimitExceeded');
  });

  test('GIVEN no rate limits (the default) WHEN calling far beyond the burst THEN nothing is throttled', async () => {
    const { ec2, sim } = givenAccount();
    sim.addInstance();

    for (let i = 0; i < 250; i++) await ec2.send(new DescribeInstancesCommand({}));

    expect(sim.calls().DescribeInstances).toEqual({ succeeded: 250, throttled: 0, failed: 0 });
  });

  test('GIVEN counted calls WHEN resetCalls THEN every action counts zero again', async () => {
    const { ec2, sim } = givenAccount();
    await ec2.send(new DescribeInstancesCommand({}));
    await ec2ErrorFrom(ec2.send(new CreateSnapshotCommand({ VolumeId: 'vol-0000000000000dead' })));

    const before = sim.calls();
    sim.resetCalls();

    expect(before.DescribeInstances.succeeded).toBe(1);
    expect(before.CreateSnapshot.failed).toBe(1);
    expect(
      Object.values(sim.calls()).every((counts) => counts.succeeded + counts.throttled + counts.failed === 0),
    ).toBe(true);
  });
});
