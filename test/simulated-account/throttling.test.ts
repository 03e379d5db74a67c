import {
  CopySnapshotCommand,
  CreateSnapshotCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { DEFAULT_REGION, EC2_DEFAULT_RATE_LIMITS, type Ec2Action } from '../../local/simulated-account';
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

/**
 * One probe per bucket: a call of the action that EC2 charges to that bucket. Calls that EC2
 * then refuses for their content (an unknown volume, say) still took a token, so the probes
 * need no resources: only a RequestLimitExceeded tells a throttled call.
 */
interface Probe {
  readonly name: string;
  readonly action: Ec2Action;
  readonly call: (ec2: EC2Client) => Promise<unknown>;
}

const UNKNOWN_VOLUME = 'vol-0000000000000dead';
const UNKNOWN_SNAPSHOT = 'snap-0000000000000dead';
const STATE_FILTER = [{ Name: 'status', Values: ['available'] }];

const PROBES = {
  describeInstances: {
    name: 'DescribeInstances, filtered',
    action: 'DescribeInstances',
    call: (ec2) =>
      ec2.send(
        new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['running'] }] }),
      ),
  },
  describeVolumes: {
    name: 'DescribeVolumes, filtered',
    action: 'DescribeVolumes',
    call: (ec2) => ec2.send(new DescribeVolumesCommand({ Filters: STATE_FILTER })),
  },
  describeSnapshots: {
    name: 'DescribeSnapshots, filtered',
    action: 'DescribeSnapshots',
    call: (ec2) => ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: STATE_FILTER })),
  },
  describeInstancesBare: {
    name: 'DescribeInstances, neither filtered nor paginated',
    action: 'DescribeInstances',
    call: (ec2) => ec2.send(new DescribeInstancesCommand({})),
  },
  describeVolumesById: {
    name: 'DescribeVolumes by ID, neither filtered nor paginated',
    action: 'DescribeVolumes',
    call: (ec2) => ec2.send(new DescribeVolumesCommand({ VolumeIds: [UNKNOWN_VOLUME] })),
  },
  describeSnapshotsById: {
    name: 'DescribeSnapshots by ID, neither filtered nor paginated',
    action: 'DescribeSnapshots',
    call: (ec2) =>
      ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], SnapshotIds: [UNKNOWN_SNAPSHOT] })),
  },
  createSnapshot: {
    name: 'CreateSnapshot',
    action: 'CreateSnapshot',
    call: (ec2) => ec2.send(new CreateSnapshotCommand({ VolumeId: UNKNOWN_VOLUME })),
  },
  deleteSnapshot: {
    name: 'DeleteSnapshot',
    action: 'DeleteSnapshot',
    call: (ec2) => ec2.send(new DeleteSnapshotCommand({ SnapshotId: UNKNOWN_SNAPSHOT })),
  },
  createTags: {
    name: 'CreateTags',
    action: 'CreateTags',
    call: (ec2) =>
      ec2.send(new CreateTagsCommand({ Resources: [UNKNOWN_VOLUME], Tags: [{ Key: 'k', Value: 'v' }] })),
  },
  createVolume: {
    name: 'CreateVolume',
    action: 'CreateVolume',
    call: (ec2) => ec2.send(new CreateVolumeCommand({ SnapshotId: UNKNOWN_SNAPSHOT })),
  },
  copySnapshot: {
    name: 'CopySnapshot',
    action: 'CopySnapshot',
    call: (ec2) =>
      ec2.send(new CopySnapshotCommand({ SourceRegion: DEFAULT_REGION, SourceSnapshotId: UNKNOWN_SNAPSHOT })),
  },
} satisfies Record<string, Probe>;

/** Calls until EC2 throttles one; how many it admitted before that. */
async function admittedBeforeThrottled(ec2: EC2Client, probe: Probe): Promise<number> {
  for (let admitted = 0; admitted <= 1000; admitted++) {
    const refused = await probe.call(ec2).then(
      () => undefined,
      (error: Error) => error,
    );
    if (refused?.name === 'RequestLimitExceeded') return admitted;
  }
  throw new Error(`${probe.name}: never throttled`);
}

/**
 * EC2's request buckets (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html,
 * "Request token bucket sizes and refill rates"): Describe* are "Non-mutating actions" (100, 20
 * a second), or "Unfiltered and unpaginated non-mutating actions" (50, 10) when a call has neither
 * a filter nor pagination; CopySnapshot is a "Mutating action" (50, 5); CreateSnapshot,
 * DeleteSnapshot, CreateTags and CreateVolume are "Uncategorized actions" with their own figures.
 */
describe('EC2 request buckets as the throttling page gives them', () => {
  test.each([
    { probe: PROBES.describeInstances, capacity: 100, refill: 20 },
    { probe: PROBES.describeVolumes, capacity: 100, refill: 20 },
    { probe: PROBES.describeSnapshots, capacity: 100, refill: 20 },
    {
      probe: {
        name: 'DescribeSnapshots, paginated, not filtered',
        action: 'DescribeSnapshots',
        call: (ec2) => ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: 5 })),
      } satisfies Probe,
      capacity: 100,
      refill: 20,
    },
    { probe: PROBES.describeInstancesBare, capacity: 50, refill: 10 },
    { probe: PROBES.describeVolumesById, capacity: 50, refill: 10 },
    { probe: PROBES.describeSnapshotsById, capacity: 50, refill: 10 },
    { probe: PROBES.createSnapshot, capacity: 100, refill: 5 },
    { probe: PROBES.deleteSnapshot, capacity: 100, refill: 5 },
    { probe: PROBES.createTags, capacity: 100, refill: 10 },
    { probe: PROBES.createVolume, capacity: 100, refill: 5 },
    { probe: PROBES.copySnapshot, capacity: 50, refill: 5 },
  ] as { probe: Probe; capacity: number; refill: number }[])(
    'GIVEN the default limits WHEN $probe.name is called at once, then again a second later THEN $capacity pass, then $refill',
    async ({ probe, capacity, refill }) => {
      const { ec2, clock } = givenAccount({ rateLimits: EC2_DEFAULT_RATE_LIMITS });

      const burst = await admittedBeforeThrottled(ec2, probe);
      clock.advance(1000);
      const refilled = await admittedBeforeThrottled(ec2, probe);

      expect({ burst, refilled }).toEqual({ burst: capacity, refilled: refill });
    },
  );

  test.each(Object.values(PROBES).map((probe) => [probe.name, probe] as const))(
    'GIVEN every other bucket drained WHEN %s is called THEN it passes: each API is evaluated on its own',
    async (_name, probe) => {
      const { ec2, sim } = givenAccount({ rateLimits: EC2_DEFAULT_RATE_LIMITS });
      for (const other of Object.values(PROBES)) {
        if (other !== probe) await admittedBeforeThrottled(ec2, other);
      }
      sim.resetCalls();

      await probe.call(ec2).catch(() => undefined);

      expect(sim.calls()[probe.action].throttled).toBe(0);
    },
  );
});
