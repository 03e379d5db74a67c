import type { DescribeInstancesRequest } from '@aws-sdk/client-ec2';
import { BACKED_UP_INSTANCE_STATES, MAX_FILTER_VALUES } from '../../lambdas/aws/instance-queries';
import { getJson } from '../../lambdas/aws/json-store';
import type { DiscoveryReport } from '../../lambdas/contracts/run-documents';
import type { VolumeWorkItem } from '../../lambdas/contracts/work-items';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { createVolumeSnapshot } from '../../lambdas/steps/create-snapshot';
import { type DiscoverDeps, discover } from '../../lambdas/steps/discover';
import { SimulatedAccount } from '../../local/simulated-account';
import { BUCKET, givenSteps, MANAGED_BY, rejection, task } from '../fixtures/steps';

const TAG = 'Backup-Generation';
const COPY = 'Backup-Copy-Generation';
const REGION = 'us-east-1';

describe('discover step (SPEC §1, §4.1)', () => {
  /** The simulated account, `copies` settings over none, and EC2 in other regions on its clock. */
  function given(options: { maxPageSize?: number } = {}, copies: Partial<DiscoverDeps> = {}) {
    const steps = givenSteps(options);
    // Waits between retries of a throttled page pass on the manual clock.
    const clock = { now: steps.clock.now, sleep: async (ms: number) => steps.clock.advance(ms) };
    // Other regions of the account: each its own simulated EC2, on the same clock.
    const regions = new Map<string, SimulatedAccount>();
    const accountIn = (region: string) => {
      const account = regions.get(region) ?? new SimulatedAccount({ now: steps.clock.now });
      regions.set(region, account);
      return account;
    };
    const simIn = (region: string) => accountIn(region).ec2;
    const ec2In = jest.fn((region: string) => accountIn(region).ec2Client());
    const deps: DiscoverDeps = {
      ec2: steps.ec2,
      s3: steps.s3,
      tagKey: TAG,
      bucket: BUCKET,
      managedBy: MANAGED_BY,
      copyTagKey: COPY,
      copyRegions: [],
      copyVolumeTags: [],
      ec2In,
      region: REGION,
      clock,
      ...copies,
    };
    const run = (input: unknown = {}) => discover(deps, { executionName: 'run-1', input });
    return { ...steps, deps, run, simIn, ec2In };
  }

  describe.each([5, 1000])(
    'GIVEN 2,500 tagged instances among untagged ones, at page size %i',
    (maxPageSize) => {
      let items: VolumeWorkItem[];
      let expected: Set<string>;
      let sim: ReturnType<typeof given>['sim'];
      let counts: Awaited<ReturnType<ReturnType<typeof given>['run']>>['counts'];

      beforeAll(async () => {
        const fixture = given({ maxPageSize });
        sim = fixture.sim;
        expected = new Set();
        for (let i = 0; i < 2500; i++) {
          const { volumeIds } = fixture.sim.addInstance({
            name: `node-${i}`,
            tags: { [TAG]: String((i % 7) + 1) },
            volumes: [{}, {}],
          });
          for (const id of volumeIds) expected.add(id);
        }
        for (let i = 0; i < 300; i++) fixture.sim.addInstance({ volumes: [{}] });
        for (const state of ['terminated', 'shutting-down'] as const) {
          fixture.sim.addInstance({ tags: { [TAG]: '3' }, state, volumes: [{}] });
        }
        fixture.sim.resetCalls();
        const output = await fixture.run();
        counts = output.counts;
        items = await getJson<VolumeWorkItem[]>(fixture.s3, output.items);
      });

      it('THEN every volume of a tagged, live instance is an item exactly once', () => {
        expect(items).toHaveLength(5000);
        expect(new Set(items.map((i) => i.volumeId))).toEqual(expected);
        expect(counts).toEqual({ instances: 2500, volumes: 5000, invalid: 0, skipped: 0, copies: 0 });
      });

      it('THEN untagged instances are filtered out by EC2, not by us', () => {
        const pages = Math.ceil(2500 / maxPageSize);
        expect(sim.calls().DescribeInstances.succeeded).toBe(pages);
      });
    },
  );

  it('GIVEN a multi-attached volume WHEN discovered twice THEN one item, under the smallest instance ID', async () => {
    const { sim, run, s3 } = given();
    const a = sim.addInstance({ name: 'a', tags: { [TAG]: '2' }, volumes: [{}] });
    const b = sim.addInstance({ name: 'b', tags: { [TAG]: '5' }, volumes: [] });
    sim.attachVolume(a.volumeIds[0], b.instanceId);
    const first = await getJson<VolumeWorkItem[]>(s3, (await run()).items);
    const second = await getJson<VolumeWorkItem[]>(s3, (await run()).items);
    const owner = [a.instanceId, b.instanceId].sort()[0];
    expect(first).toEqual([expect.objectContaining({ volumeId: a.volumeIds[0], instanceId: owner })]);
    expect(second).toEqual(first);
  });

  it('GIVEN a volume tag override WHEN discovered THEN it applies to that volume only (0 excludes it)', async () => {
    const { sim, run, s3 } = given();
    const { volumeIds } = sim.addInstance({
      name: 'db',
      tags: { [TAG]: '3' },
      volumes: [{}, { tags: { [TAG]: '0' } }, { tags: { [TAG]: ' 9 ' } }],
    });
    const output = await run();
    const items = await getJson<VolumeWorkItem[]>(s3, output.items);
    expect(items.map((i) => [i.volumeId, i.generations])).toEqual([
      [volumeIds[0], 3],
      [volumeIds[2], 9],
    ]);
    expect(output.counts.skipped).toBe(1);
  });

  it('GIVEN invalid tag values WHEN discovered THEN reported with value and reason, the rest processed', async () => {
    const { sim, run, s3 } = given();
    const bad = sim.addInstance({ tags: { [TAG]: 'abc' }, volumes: [{}] });
    const good = sim.addInstance({ tags: { [TAG]: '2' }, volumes: [{}] });
    const output = await run();
    expect(output.invalid).toEqual([
      {
        resource: 'instance',
        id: bad.instanceId,
        value: 'abc',
        reason: expect.stringContaining('ASCII digits'),
      },
    ]);
    expect((await getJson<VolumeWorkItem[]>(s3, output.items)).map((i) => i.volumeId)).toEqual(
      good.volumeIds,
    );
    const report = await getJson<DiscoveryReport>(s3, output.discovery);
    expect(report.invalid).toHaveLength(1);
  });

  it('GIVEN instanceIds WHEN discovered THEN only those; an untargeted one is reported', async () => {
    const { sim, run, s3 } = given();
    const [one, two] = [1, 2].map(() => sim.addInstance({ tags: { [TAG]: '1' }, volumes: [{}] }));
    const untagged = sim.addInstance({ volumes: [{}] });
    const output = await run({ instanceIds: [two.instanceId, untagged.instanceId] });
    expect((await getJson<VolumeWorkItem[]>(s3, output.items)).map((i) => i.instanceId)).toEqual([
      two.instanceId,
    ]);
    expect(output.invalid).toEqual([
      {
        resource: 'instance',
        id: untagged.instanceId,
        reason: expect.stringContaining('was requested in instanceIds'),
      },
    ]);
    expect(output.invalid.map((i) => i.id)).not.toContain(one.instanceId);
  });

  it('GIVEN an instance without a Name WHEN discovered THEN the short description, no crash', async () => {
    const { sim, run, s3 } = given();
    const { volumeIds } = sim.addInstance({ tags: { [TAG]: '1' }, volumes: [{}] });
    const [item] = await getJson<VolumeWorkItem[]>(s3, (await run()).items);
    expect(item.description).toBe(`Auto Snapshot ${volumeIds[0]}`);
  });

  describe('a volume targeted by its own tag (SPEC §1.3)', () => {
    it('GIVEN tagged volumes on an untagged instance, unattached, and on a shutting-down instance WHEN discovered THEN each is an item', async () => {
      const { sim, run, s3 } = given();
      const db = sim.addInstance({ name: 'db', volumes: [{}, { tags: { [TAG]: '4' } }] });
      const spare = sim.addVolume({ tags: { [TAG]: '2' } });
      const dying = sim.addInstance({
        name: 'old',
        state: 'shutting-down',
        volumes: [{ tags: { [TAG]: '1' } }],
      });
      sim.addInstance({ name: 'plain', volumes: [{}] });
      const output = await run();
      const items = await getJson<VolumeWorkItem[]>(s3, output.items);
      expect(items).toEqual(
        [
          {
            volumeId: db.volumeIds[1],
            instanceId: db.instanceId,
            instanceName: 'db',
            description: `Auto Snapshot ${db.volumeIds[1]}(db)`,
            generations: 4,
          },
          { volumeId: spare, description: `Auto Snapshot ${spare}`, generations: 2 },
          {
            volumeId: dying.volumeIds[0],
            description: `Auto Snapshot ${dying.volumeIds[0]}`,
            generations: 1,
          },
        ].sort((a, b) => (a.volumeId < b.volumeId ? -1 : 1)),
      );
      expect(output.counts).toEqual({ instances: 0, volumes: 3, invalid: 0, skipped: 0, copies: 0 });
    });

    it('GIVEN volume tags 0 and invalid on an untagged instance WHEN discovered THEN skipped and invalid are reported', async () => {
      const { sim, run } = given();
      const { instanceId, volumeIds } = sim.addInstance({
        volumes: [{ tags: { [TAG]: '0' } }, { tags: { [TAG]: 'two' } }],
      });
      const output = await run();
      expect(output.counts).toEqual({ instances: 0, volumes: 0, invalid: 1, skipped: 1, copies: 0 });
      expect(output.invalid).toEqual([
        { resource: 'volume', id: volumeIds[1], instanceId, value: 'two', reason: expect.any(String) },
      ]);
    });

    it('GIVEN a tagged volume shared by a tagged and an untagged instance WHEN discovered THEN under the lower instance ID', async () => {
      const { sim, run, s3 } = given();
      const a = sim.addInstance({ name: 'a', volumes: [] });
      const b = sim.addInstance({ name: 'b', tags: { [TAG]: '5' }, volumes: [] });
      const shared = sim.addVolume({ tags: { [TAG]: '3' }, instanceId: b.instanceId });
      sim.attachVolume(shared, a.instanceId);
      const owner = [a, b].sort((x, y) => (x.instanceId < y.instanceId ? -1 : 1))[0];
      const items = await getJson<VolumeWorkItem[]>(s3, (await run()).items);
      expect(items).toEqual([
        expect.objectContaining({ volumeId: shared, instanceId: owner.instanceId, generations: 3 }),
      ]);
    });

    it('GIVEN instanceIds naming an untagged instance with a tagged volume WHEN discovered THEN its volume only, not reported', async () => {
      const { sim, run, s3 } = given();
      const asked = sim.addInstance({ volumes: [{ tags: { [TAG]: '2' } }, {}] });
      sim.addInstance({ volumes: [{ tags: { [TAG]: '2' } }] });
      sim.addVolume({ tags: { [TAG]: '2' } });
      const output = await run({ instanceIds: [asked.instanceId] });
      const items = await getJson<VolumeWorkItem[]>(s3, output.items);
      expect(items.map((i) => [i.volumeId, i.instanceId])).toEqual([[asked.volumeIds[0], asked.instanceId]]);
      expect(output.invalid).toEqual([]);
    });

    it('GIVEN an unattached tagged volume WHEN discovered and snapshotted THEN description and tags name no instance', async () => {
      const { sim, run, s3, ec2 } = given();
      const spare = sim.addVolume({ tags: { [TAG]: '2' } });
      const [item] = await getJson<VolumeWorkItem[]>(s3, (await run()).items);
      const created = await createVolumeSnapshot({ ec2, managedBy: MANAGED_BY }, task(item, 'run-1'));
      const snapshot = sim.snapshot(created.snapshotId);
      expect(snapshot?.Description).toBe(`Auto Snapshot ${spare}`);
      expect(Object.fromEntries((snapshot?.Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({
        Name: spare,
        [SnapshotTag.managedBy]: MANAGED_BY,
        [SnapshotTag.volumeId]: spare,
        [SnapshotTag.generation]: '2',
        [SnapshotTag.execution]: 'run-1',
        [SnapshotTag.runId]: 'run-1-key',
      });
    });

    it('GIVEN 450 untagged instances with tagged volumes, at page size 7 WHEN discovered THEN each is fetched by instance-id filter in chunks of 200', async () => {
      const { sim, run, s3 } = given({ maxPageSize: 7 });
      const expected = new Map<string, string>();
      for (let i = 0; i < 450; i++) {
        const { instanceId, volumeIds } = sim.addInstance({
          name: `n-${i}`,
          volumes: [{ tags: { [TAG]: '1' } }, {}],
        });
        expected.set(volumeIds[0], instanceId);
      }
      for (let i = 0; i < 20; i++) sim.addVolume({ tags: { [TAG]: '1' } });
      for (let i = 0; i < 30; i++) sim.addInstance({ volumes: [{}] });
      const requests: DescribeInstancesRequest[] = [];
      const describe = sim.describeInstances.bind(sim);
      jest.spyOn(sim, 'describeInstances').mockImplementation((input) => {
        requests.push(input);
        return describe(input);
      });

      const items = await getJson<VolumeWorkItem[]>(s3, (await run()).items);

      expect(items).toHaveLength(470);
      expect(items.filter((i) => i.instanceId !== undefined).map((i) => [i.volumeId, i.instanceId])).toEqual(
        [...expected].sort(([a], [b]) => (a < b ? -1 : 1)),
      );
      const filterOf = (request: DescribeInstancesRequest, name: string) =>
        request.Filters?.find((f) => f.Name === name)?.Values;
      for (const request of requests) {
        expect(request.InstanceIds).toBeUndefined();
        expect(filterOf(request, 'instance-state-name')).toEqual(BACKED_UP_INSTANCE_STATES);
        expect(filterOf(request, 'tag-key') ?? filterOf(request, 'instance-id')).toBeDefined();
      }
      const chunks = new Map(
        requests.flatMap((r) => {
          const ids = filterOf(r, 'instance-id');
          return ids ? [[ids.join(), ids]] : [];
        }),
      );
      expect([...chunks.values()].map((ids) => ids.length)).toEqual([
        MAX_FILTER_VALUES,
        MAX_FILTER_VALUES,
        50,
      ]);
      expect(new Set([...chunks.values()].flat())).toEqual(new Set(expected.values()));
      expect(requests.length).toBe(1 + 2 * Math.ceil(200 / 7) + Math.ceil(50 / 7));
    });
  });

  it('GIVEN a dry run WHEN discovered THEN the output says so', async () => {
    expect((await given().run({ dryRun: true })).dryRun).toBe(true);
  });

  it.each<[unknown, boolean]>([
    [{}, true],
    [{ dryRun: false, Comment: 'Insert your JSON here' }, true],
    [{ dryRun: true }, false],
    [{ instanceIds: ['i-0123456789abcdef0'] }, false],
    [{ instanceIds: ['i-0123456789abcdef0'], dryRun: true }, false],
  ])('GIVEN input %j WHEN discovered THEN fullRun is %s (SPEC §5.3)', async (input, fullRun) => {
    expect((await given().run(input)).fullRun).toBe(fullRun);
  });

  it('GIVEN an unknown input field WHEN discovered THEN InvalidInput before any EC2 call', async () => {
    const { sim, run } = given();
    const error = await rejection(run({ instanceIDs: ['i-1'] }));
    expect(error.name).toBe('InvalidInput');
    expect(error.message).toMatch(/^instanceIDs: unknown field/);
    expect(sim.calls().DescribeInstances.succeeded).toBe(0);
  });

  it('GIVEN a throttled page WHEN discovered THEN that page is tried again in the invocation', async () => {
    const { sim, run } = given({ maxPageSize: 5 });
    for (let i = 0; i < 12; i++) sim.addInstance({ tags: { [TAG]: '1' } });
    sim.injectFault({ action: 'DescribeInstances', error: 'RequestLimitExceeded', times: 2 });
    const output = await run();
    expect(output.counts.volumes).toBe(12);
    expect(sim.calls().DescribeInstances).toMatchObject({ succeeded: 3, throttled: 2 });
  });

  it('GIVEN throttling that outlasts the retries WHEN discovered THEN the retryable Ec2Throttled', async () => {
    const { sim, run } = given();
    sim.injectFault({ action: 'DescribeInstances', error: 'RequestLimitExceeded', times: 10_000 });
    expect((await rejection(run())).name).toBe('Ec2Throttled');
  });
});
