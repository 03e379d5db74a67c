import type { DescribeInstancesRequest, DescribeVolumesRequest } from '@aws-sdk/client-ec2';
import { BACKED_UP_INSTANCE_STATES, MAX_FILTER_VALUES } from '../../lambdas/aws/instance-queries';
import { getJson } from '../../lambdas/aws/json-store';
import type { DiscoveryReport } from '../../lambdas/contracts/run-documents';
import type { S3Location } from '../../lambdas/contracts/work-bucket';
import type { PruneWorkItem, VolumeWorkItem } from '../../lambdas/contracts/work-items';
import { type CopyVolumeTags, SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { createVolumeSnapshot } from '../../lambdas/steps/create-snapshot';
import { discover } from '../../lambdas/steps/discover';
import { BUCKET, givenDiscover, MANAGED_BY, rejection, task } from '../fixtures/steps';

const TAG = 'Backup-Generation';
const COPY = 'Backup-Copy-Generation';
const REGION = 'us-east-1';

describe('discover step (SPEC §1, §4.1)', () => {
  const given = givenDiscover;

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
        expect(counts).toEqual({
          instances: 2500,
          volumes: 5000,
          invalid: 0,
          skipped: 0,
          copies: 0,
          sets: 0,
          setVolumes: 0,
        });
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

  it('GIVEN volumeIds (a re-run of failed volumes) WHEN discovered THEN only those volumes, not a full run; one nothing targets is reported', async () => {
    const { sim, run, s3 } = given();
    const web = sim.addInstance({ tags: { [TAG]: '2' }, volumes: [{}, {}] });
    sim.addInstance({ tags: { [TAG]: '1' }, volumes: [{}] });
    const loose = sim.addVolume({});
    const output = await run({ volumeIds: [web.volumeIds[1], loose] });
    expect((await getJson<VolumeWorkItem[]>(s3, output.items)).map((i) => i.volumeId)).toEqual([
      web.volumeIds[1],
    ]);
    expect(output.fullRun).toBe(false);
    expect(output.invalid).toEqual([
      { resource: 'volume', id: loose, reason: expect.stringContaining('was requested in volumeIds') },
    ]);
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
      expect(output.counts).toEqual({
        instances: 0,
        volumes: 3,
        invalid: 0,
        skipped: 0,
        copies: 0,
        sets: 0,
        setVolumes: 0,
      });
    });

    it('GIVEN volume tags 0 and invalid on an untagged instance WHEN discovered THEN skipped and invalid are reported', async () => {
      const { sim, run } = given();
      const { instanceId, volumeIds } = sim.addInstance({
        volumes: [{ tags: { [TAG]: '0' } }, { tags: { [TAG]: 'two' } }],
      });
      const output = await run();
      expect(output.counts).toEqual({
        instances: 0,
        volumes: 0,
        invalid: 1,
        skipped: 1,
        copies: 0,
        sets: 0,
        setVolumes: 0,
      });
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

  describe('copies in other regions (SPEC §10)', () => {
    const COPY_REGIONS = [
      { region: 'eu-west-1' },
      { region: 'us-west-2', kmsKeyArn: 'arn:aws:kms:us-west-2:1:key/k' },
    ];
    const volumeFilters = (sim: ReturnType<typeof given>['sim']) => {
      const requests: DescribeVolumesRequest[] = [];
      const describe = sim.describeVolumes.bind(sim);
      jest.spyOn(sim, 'describeVolumes').mockImplementation((input) => {
        // A copy: the SDK's paginator sets the next page's token on the same input object.
        requests.push({ ...input });
        return describe(input);
      });
      return requests;
    };

    it('GIVEN copy tags on an instance and a volume WHEN discovered THEN the copy plan has each volume with copies once per region', async () => {
      const { sim, run, s3 } = given({}, { copyRegions: COPY_REGIONS });
      const web = sim.addInstance({
        name: 'web',
        tags: { [TAG]: '3', [COPY]: '2' },
        volumes: [{}, { tags: { [COPY]: '0' } }, { tags: { [COPY]: '5' } }],
      });
      const plain = sim.addInstance({ tags: { [TAG]: '1' }, volumes: [{}] });

      const output = await run();

      const items = await getJson<VolumeWorkItem[]>(s3, output.items);
      const byVolume = new Map(items.map((i) => [i.volumeId, i.copyGenerations]));
      expect(byVolume).toEqual(
        new Map([
          [web.volumeIds[0], 2],
          [web.volumeIds[1], undefined],
          [web.volumeIds[2], 5],
          [plain.volumeIds[0], undefined],
        ]),
      );
      expect(output.copyPruneItems).toEqual({ bucket: BUCKET, key: 'runs/run-1/copy-plan.json' });
      const plan = await getJson<PruneWorkItem[]>(s3, output.copyPruneItems as S3Location);
      const item = (volumeId: string, region: string, generations: number) => ({
        volumeId,
        instanceId: web.instanceId,
        instanceName: 'web',
        description: `Auto Snapshot ${volumeId}(web)`,
        generations,
        copyGenerations: generations,
        region,
      });
      expect(plan).toEqual(
        [
          item(web.volumeIds[0], 'eu-west-1', 2),
          item(web.volumeIds[0], 'us-west-2', 2),
          item(web.volumeIds[2], 'eu-west-1', 5),
          item(web.volumeIds[2], 'us-west-2', 5),
        ].sort((a, b) => (a.volumeId < b.volumeId ? -1 : a.volumeId > b.volumeId ? 1 : 0)),
      );
      expect(output.counts).toEqual({
        instances: 2,
        volumes: 4,
        invalid: 0,
        skipped: 0,
        copies: 4,
        sets: 0,
        setVolumes: 0,
      });
    });

    it('GIVEN copy regions but no volume with copies WHEN discovered THEN no copy plan is written or returned', async () => {
      const { sim, run, account } = given({}, { copyRegions: COPY_REGIONS });
      sim.addInstance({ tags: { [TAG]: '3', [COPY]: '0' }, volumes: [{}] });
      const output = await run();
      expect(output).not.toHaveProperty('copyPruneItems');
      expect(output.counts.copies).toBe(0);
      expect(account.s3.keys(BUCKET, 'runs/run-1/')).toEqual([
        'runs/run-1/discovery.json',
        'runs/run-1/volumes.json',
      ]);
    });

    it('GIVEN a volume carrying only the copy tag WHEN discovered THEN it overrides its instance, seen by one tag-key filter with both keys', async () => {
      const { sim, run, s3 } = given({}, { copyRegions: COPY_REGIONS });
      const requests = volumeFilters(sim);
      const { volumeIds } = sim.addInstance({
        tags: { [TAG]: '2', [COPY]: '1' },
        volumes: [{}, { tags: { [COPY]: '4' } }],
      });
      sim.addVolume({ tags: { [COPY]: '3' } });
      sim.addVolume({ tags: { other: 'x' } });
      const items = await getJson<VolumeWorkItem[]>(s3, (await run()).items);
      expect(items.map((i) => [i.volumeId, i.generations, i.copyGenerations])).toEqual([
        [volumeIds[0], 2, 1],
        [volumeIds[1], 2, 4],
      ]);
      expect(requests).toEqual([{ Filters: [{ Name: 'tag-key', Values: [TAG, COPY] }], MaxResults: 500 }]);
    });

    it('GIVEN an invalid copy tag on an instance and a volume WHEN discovered THEN reported once each, naming the key, and every volume still backed up without copies', async () => {
      const { sim, run, s3 } = given({}, { copyRegions: COPY_REGIONS });
      const bad = sim.addInstance({ tags: { [TAG]: '2', [COPY]: 'many' }, volumes: [{}, {}] });
      const ok = sim.addInstance({
        tags: { [TAG]: '2', [COPY]: '1' },
        volumes: [{ tags: { [COPY]: '-1' } }],
      });
      const output = await run();
      const items = await getJson<VolumeWorkItem[]>(s3, output.items);
      expect(items.map((i) => i.volumeId).sort()).toEqual([...bad.volumeIds, ...ok.volumeIds].sort());
      expect(items.every((i) => i.copyGenerations === undefined)).toBe(true);
      expect(output.invalid).toEqual([
        {
          resource: 'instance',
          tagKey: COPY,
          id: bad.instanceId,
          value: 'many',
          reason: expect.stringMatching(`^${COPY} is not a whole number`),
        },
        {
          resource: 'volume',
          tagKey: COPY,
          id: ok.volumeIds[0],
          instanceId: ok.instanceId,
          value: '-1',
          reason: expect.stringMatching(`^${COPY} `),
        },
      ]);
      expect(output.counts).toEqual({
        instances: 2,
        volumes: 3,
        invalid: 2,
        skipped: 0,
        copies: 0,
        sets: 0,
        setVolumes: 0,
      });
      expect(output).not.toHaveProperty('copyPruneItems');
    });

    it('GIVEN copy tags, valid and invalid, but no copy regions WHEN discovered THEN ignored entirely, and volumes listed by the generation tag only', async () => {
      const { sim, run, s3 } = given();
      const requests = volumeFilters(sim);
      sim.addInstance({ tags: { [TAG]: '2', [COPY]: 'many' }, volumes: [{}, { tags: { [COPY]: '3' } }] });
      const output = await run();
      const items = await getJson<VolumeWorkItem[]>(s3, output.items);
      expect(items).toHaveLength(2);
      expect(items.some((i) => 'copyGenerations' in i)).toBe(false);
      expect(output.invalid).toEqual([]);
      expect(output.counts.copies).toBe(0);
      expect(requests.map((r) => r.Filters)).toEqual([[{ Name: 'tag-key', Values: [TAG] }]]);
    });

    describe('carried volume tags (SPEC §10.7)', () => {
      const volumeTags = {
        team: 'data',
        cost: 'cc-7',
        Name: 'disk',
        'aws:cloudformation:stack-name': 'app',
        [SnapshotTag.managedBy]: 'someone-else',
        [SnapshotTag.runId]: 'forged',
        [TAG]: '4',
        [COPY]: '2',
      };

      it.each<[string, CopyVolumeTags, Record<string, string>]>([
        ['a list', ['team', 'Name', SnapshotTag.managedBy, TAG, 'missing'], { team: 'data' }],
        ['*', '*', { team: 'data', cost: 'cc-7' }],
      ])(
        'GIVEN copyVolumeTags %s WHEN discovered and snapshotted THEN the snapshot carries them, never our keys or aws: keys',
        async (_, copyVolumeTags, carried) => {
          const { sim, run, s3, ec2 } = given({}, { copyRegions: COPY_REGIONS, copyVolumeTags });
          const { instanceId, volumeIds } = sim.addInstance({
            name: 'web',
            tags: { [TAG]: '3' },
            volumes: [{ tags: volumeTags }, {}],
          });
          const items = await getJson<VolumeWorkItem[]>(s3, (await run()).items);
          const tagged = items.find((i) => i.volumeId === volumeIds[0]);
          expect(tagged?.carriedTags).toEqual(carried);
          expect(items.find((i) => i.volumeId === volumeIds[1])).not.toHaveProperty('carriedTags');

          const created = await createVolumeSnapshot(
            { ec2, managedBy: MANAGED_BY },
            task(tagged as VolumeWorkItem, 'run-1'),
          );
          expect(
            Object.fromEntries((sim.snapshot(created.snapshotId)?.Tags ?? []).map((t) => [t.Key, t.Value])),
          ).toEqual({
            Name: 'web',
            [SnapshotTag.managedBy]: MANAGED_BY,
            [SnapshotTag.volumeId]: volumeIds[0],
            [SnapshotTag.instanceId]: instanceId,
            [SnapshotTag.generation]: '4',
            [SnapshotTag.execution]: 'run-1',
            [SnapshotTag.runId]: 'run-1-key',
            ...carried,
          });
        },
      );

      it('GIVEN copyVolumeTags and no copy regions WHEN discovered THEN tags are still carried (and both tag keys still kept out)', async () => {
        const { sim, run, s3 } = given({}, { copyVolumeTags: '*' });
        sim.addInstance({ tags: { [TAG]: '3' }, volumes: [{ tags: { team: 'a', [COPY]: '2' } }] });
        const [item] = await getJson<VolumeWorkItem[]>(s3, (await run()).items);
        expect(item.carriedTags).toEqual({ team: 'a' });
        expect(item).not.toHaveProperty('copyGenerations');
      });

      it.each<[string, CopyVolumeTags, number[]]>([
        ['none', [], []],
        ['a list', ['team'], [MAX_FILTER_VALUES, MAX_FILTER_VALUES, 50]],
        ['*', '*', [MAX_FILTER_VALUES, MAX_FILTER_VALUES, 50]],
      ])(
        'GIVEN 450 backed-up volumes without tags of ours and copyVolumeTags %s, at page size 7 WHEN discovered THEN fetched by volume-id filter in chunks of 200 only when tags are carried',
        async (_, copyVolumeTags, chunks) => {
          const { sim, run, s3 } = given({ maxPageSize: 7 }, { copyRegions: COPY_REGIONS, copyVolumeTags });
          const requests = volumeFilters(sim);
          for (let i = 0; i < 450; i++)
            sim.addInstance({ tags: { [TAG]: '1' }, volumes: [{ tags: { team: `t${i}` } }] });
          for (let i = 0; i < 20; i++)
            sim.addInstance({ tags: { [TAG]: '1' }, volumes: [{ tags: { team: 'own', [COPY]: '1' } }] });
          for (let i = 0; i < 30; i++) sim.addVolume({ tags: { team: 'not backed up' } });

          const items = await getJson<VolumeWorkItem[]>(s3, (await run()).items);

          expect(items).toHaveLength(470);
          const carried = items.filter((i) => i.carriedTags !== undefined);
          expect(carried).toHaveLength(copyVolumeTags.length === 0 ? 0 : 470);
          for (const item of carried) expect(item.carriedTags?.team).toMatch(/^(t\d+|own)$/);
          const byId = requests.flatMap((r) => r.Filters?.find((f) => f.Name === 'volume-id')?.Values ?? []);
          const chunkSizes = requests.flatMap((r) => {
            const ids = r.Filters?.find((f) => f.Name === 'volume-id')?.Values;
            return ids && r.NextToken === undefined ? [ids.length] : [];
          });
          expect(chunkSizes).toEqual(chunks);
          expect(new Set(byId).size).toBe(chunks.reduce((a, b) => a + b, 0));
          for (const request of requests) {
            expect(request.Filters).toHaveLength(1);
            expect(['tag-key', 'volume-id']).toContain(request.Filters?.[0].Name);
          }
          const pagesOf = (n: number) => Math.ceil(n / 7);
          expect(requests).toHaveLength(pagesOf(20) + chunks.reduce((sum, n) => sum + pagesOf(n), 0));
        },
      );
    });

    describe('retired copy regions (SPEC §10.6)', () => {
      const RECORD = 'state/copy-regions.json';
      const copyIn = (sim: ReturnType<ReturnType<typeof given>['simIn']>, tags: Record<string, string>) =>
        sim.addSnapshot({ volumeId: 'vol-0000000000000000a', tags });
      const ours = { [SnapshotTag.managedBy]: MANAGED_BY, [SnapshotTag.sourceRegion]: REGION };

      function givenRetired(input: { dryRun?: boolean } = {}) {
        const fixture = given({}, { copyRegions: [{ region: 'us-west-2' }, { region: 'ap-south-1' }] });
        fixture.account.s3.putJson(BUCKET, RECORD, { regions: ['us-west-2', 'eu-west-1', 'eu-central-1'] });
        const eu = fixture.simIn('eu-west-1');
        for (let i = 0; i < 3; i++) copyIn(eu, ours);
        copyIn(eu, { ...ours, [SnapshotTag.sourceRegion]: 'eu-north-1' });
        copyIn(eu, { [SnapshotTag.sourceRegion]: REGION, [SnapshotTag.managedBy]: 'another-deployment' });
        copyIn(eu, {});
        copyIn(fixture.simIn('eu-central-1'), ours);
        return { ...fixture, output: fixture.run(input) };
      }

      it('GIVEN regions recorded but no longer configured WHEN discovered THEN each is reported with the copies from this region still there', async () => {
        const { output, s3, ec2In } = givenRetired();
        const report = await getJson<DiscoveryReport>(s3, (await output).discovery);
        expect(report.retiredCopyRegions).toEqual([
          {
            region: 'eu-central-1',
            copies: 1,
            message: 'no longer in copyRegions: 1 copy left untouched, not pruned',
          },
          {
            region: 'eu-west-1',
            copies: 3,
            message: 'no longer in copyRegions: 3 copies left untouched, not pruned',
          },
        ]);
        expect(ec2In.mock.calls.map(([region]) => region).sort()).toEqual(['eu-central-1', 'eu-west-1']);
      });

      it('GIVEN a live run WHEN discovered THEN the record is the union of recorded and configured regions, sorted', async () => {
        const { output, account } = givenRetired();
        await output;
        expect(account.s3.getJson(BUCKET, RECORD)).toEqual({
          regions: ['ap-south-1', 'eu-central-1', 'eu-west-1', 'us-west-2'],
        });
      });

      it('GIVEN a dry run WHEN discovered THEN retired regions are reported and the record is left as it was', async () => {
        const { output, account, s3 } = givenRetired({ dryRun: true });
        const report = await getJson<DiscoveryReport>(s3, (await output).discovery);
        expect(report.retiredCopyRegions?.map((r) => r.region)).toEqual(['eu-central-1', 'eu-west-1']);
        expect(account.s3.getJson(BUCKET, RECORD)).toEqual({
          regions: ['us-west-2', 'eu-west-1', 'eu-central-1'],
        });
      });

      it('GIVEN no record and no copy regions WHEN a live run is discovered THEN nothing is reported, written or asked of other regions', async () => {
        const { run, s3, account, ec2In } = given();
        const report = await getJson<DiscoveryReport>(s3, (await run()).discovery);
        expect(report).not.toHaveProperty('retiredCopyRegions');
        expect(account.s3.keys(BUCKET, 'state/')).toEqual([]);
        expect(ec2In).not.toHaveBeenCalled();
      });

      it('GIVEN the first live run with copy regions WHEN discovered THEN they are recorded, and a later run without one of them reports it', async () => {
        const { run, account, deps, s3 } = given(
          {},
          { copyRegions: [{ region: 'us-west-2' }, { region: 'eu-west-1' }] },
        );
        await run();
        expect(account.s3.getJson(BUCKET, RECORD)).toEqual({ regions: ['eu-west-1', 'us-west-2'] });
        const later = await discover(
          { ...deps, copyRegions: [{ region: 'us-west-2' }] },
          { executionName: 'run-2', input: {} },
        );
        const report = await getJson<DiscoveryReport>(s3, later.discovery);
        // No copy is left there: reported this once, then forgotten.
        expect(report.retiredCopyRegions).toEqual([
          {
            region: 'eu-west-1',
            copies: 0,
            message: 'no longer in copyRegions: no copies left there; no longer watched',
          },
        ]);
        expect(account.s3.getJson(BUCKET, RECORD)).toEqual({ regions: ['us-west-2'] });
        const third = await discover(
          { ...deps, copyRegions: [{ region: 'us-west-2' }] },
          { executionName: 'run-3', input: {} },
        );
        expect(await getJson<DiscoveryReport>(s3, third.discovery)).not.toHaveProperty('retiredCopyRegions');
      });

      it('GIVEN a retired region whose count fails WHEN a live run is discovered THEN it stays in the record', async () => {
        const { run, account, deps } = given({}, { copyRegions: [{ region: 'us-west-2' }] });
        account.s3.putJson(BUCKET, RECORD, { regions: ['eu-west-1', 'us-west-2'] });
        account
          .ec2In('eu-west-1')
          .injectFault({ action: 'DescribeSnapshots', error: 'UnauthorizedOperation', times: 10 });
        await run();
        expect(deps.copyRegions).toHaveLength(1);
        expect(account.s3.getJson(BUCKET, RECORD)).toEqual({ regions: ['eu-west-1', 'us-west-2'] });
      });

      it.each([
        ['access is denied', 'UnauthorizedOperation', 1],
        ['throttling outlasts the retries', 'RequestLimitExceeded', 100_000],
      ])(
        'GIVEN counting in a retired region fails (%s) WHEN discovered THEN it is reported without a count and discovery goes on',
        async (_, error, times) => {
          const fixture = given({}, { copyRegions: [{ region: 'us-west-2' }] });
          fixture.account.s3.putJson(BUCKET, RECORD, { regions: ['eu-west-1', 'us-west-2'] });
          fixture.simIn('eu-west-1').injectFault({ action: 'DescribeSnapshots', error, times });
          const { volumeIds } = fixture.sim.addInstance({ tags: { [TAG]: '1' }, volumes: [{}] });
          const output = await fixture.run();
          const report = await getJson<DiscoveryReport>(fixture.s3, output.discovery);
          expect(report.retiredCopyRegions).toEqual([
            {
              region: 'eu-west-1',
              message: expect.stringMatching(
                /^no longer in copyRegions: its copies are left untouched, not pruned; they could not be counted \(\w+: .+\)$/,
              ),
            },
          ]);
          expect(report.retiredCopyRegions?.[0].message).toContain(
            error === 'UnauthorizedOperation' ? error : 'Ec2Throttled',
          );
          expect(report.items.map((i) => i.volumeId)).toEqual(volumeIds);
        },
      );

      it('GIVEN no client can be made for a retired region WHEN discovered THEN it is reported without a count', async () => {
        const fixture = given(
          {},
          {
            ec2In: (region) => {
              throw new Error(`no client for ${region}`);
            },
          },
        );
        fixture.account.s3.putJson(BUCKET, RECORD, { regions: ['eu-west-1'] });
        const report = await getJson<DiscoveryReport>(fixture.s3, (await fixture.run()).discovery);
        expect(report.retiredCopyRegions).toEqual([
          {
            region: 'eu-west-1',
            message: expect.stringContaining('could not be counted (Error: no client for eu-west-1)'),
          },
        ]);
      });
    });
  });
});
