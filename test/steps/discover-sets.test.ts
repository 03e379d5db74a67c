import type { S3Client } from '@aws-sdk/client-s3';
import { rootVolumeOf } from '../../lambdas/aws/instance-queries';
import { getJson } from '../../lambdas/aws/json-store';
import type { DiscoverOutput, DiscoveryReport } from '../../lambdas/contracts/run-documents';
import type { SetWorkItem } from '../../lambdas/contracts/sets';
import { runKey } from '../../lambdas/contracts/work-bucket';
import type { VolumeWorkItem } from '../../lambdas/contracts/work-items';
import { BUCKET, givenDiscover } from '../fixtures/steps';

const TAG = 'Backup-Generation';
const CONSISTENCY = 'Backup-Consistency';

describe('discover step: consistent sets (SPEC §12.1–§12.2)', () => {
  /**
   * db (instance mode, N=3): root, data, scratch excluded by its own 0, logs with its own N=14;
   * app (application mode, Windows, N=2): root and data; web (no consistency tag, N=1).
   */
  function givenFleet(deps: Parameters<typeof givenDiscover>[1] = {}) {
    const fixture = givenDiscover({}, deps);
    const { sim } = fixture;
    const db = sim.addInstance({
      name: 'db',
      tags: { [TAG]: '3', [CONSISTENCY]: 'instance' },
      volumes: [{}, {}, { tags: { [TAG]: '0' } }, { tags: { [TAG]: '14' } }],
    });
    const app = sim.addInstance({
      name: 'app',
      platform: 'windows',
      tags: { [TAG]: '2', [CONSISTENCY]: ' application ' },
      volumes: [{}, {}],
    });
    const web = sim.addInstance({ name: 'web', tags: { [TAG]: '1' }, volumes: [{}] });
    const [dbRoot, dbData, dbScratch, dbLogs] = db.volumeIds;
    return { ...fixture, db: { ...db, dbRoot, dbData, dbScratch, dbLogs }, app, web };
  }

  const item = (volumeId: string, instanceId: string, name: string, generations: number): VolumeWorkItem => ({
    volumeId,
    instanceId,
    instanceName: name,
    description: `Auto Snapshot ${volumeId}(${name})`,
    generations,
  });
  /** SnapshotSets' list as Discover wrote it (none written: a failure). */
  const setsOf = async (s3: S3Client, output: DiscoverOutput) => {
    if (!output.setItems) throw new Error('no setItems');
    return getJson<SetWorkItem[]>(s3, output.setItems);
  };
  const byVolumeId = (a: { volumeId: string }, b: { volumeId: string }) => (a.volumeId < b.volumeId ? -1 : 1);

  it('GIVEN instances in instance and application mode WHEN discovered THEN SnapshotSets’ list, SnapshotVolumes’ list of the rest, every volume in the items, with no extra EC2 call', async () => {
    const { run, s3, sim, db, app, web } = givenFleet();
    sim.resetCalls();

    const output = await run();

    const sets = [
      {
        instanceId: db.instanceId,
        instanceName: 'db',
        mode: 'instance',
        volumes: [
          item(db.dbRoot, db.instanceId, 'db', 3),
          item(db.dbData, db.instanceId, 'db', 3),
          item(db.dbLogs, db.instanceId, 'db', 14),
        ].sort(byVolumeId),
        excludeBootVolume: false,
        excludeDataVolumeIds: [db.dbScratch],
        onPreScriptFailure: 'crash-consistent',
      },
      {
        instanceId: app.instanceId,
        instanceName: 'app',
        mode: 'application',
        volumes: app.volumeIds.map((v) => item(v, app.instanceId, 'app', 2)).sort(byVolumeId),
        excludeBootVolume: false,
        excludeDataVolumeIds: [],
        platform: 'windows',
        onPreScriptFailure: 'crash-consistent',
      },
    ].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1)) as SetWorkItem[];
    expect(output.setItems).toEqual({ bucket: BUCKET, key: runKey('run-1', 'sets'), count: 2 });
    expect(await getJson(s3, { bucket: BUCKET, key: runKey('run-1', 'sets') })).toEqual(sets);
    expect(output.volumeItems).toEqual({ bucket: BUCKET, key: runKey('run-1', 'volume-items') });
    expect(await getJson(s3, output.volumeItems)).toEqual([item(web.volumeIds[0], web.instanceId, 'web', 1)]);
    const items = await getJson<VolumeWorkItem[]>(s3, output.items);
    expect(items.map((i) => i.volumeId).sort()).toEqual(
      [db.dbRoot, db.dbData, db.dbLogs, ...app.volumeIds, ...web.volumeIds].sort(),
    );
    expect(output.counts).toEqual({
      instances: 3,
      volumes: 6,
      invalid: 0,
      skipped: 1,
      copies: 0,
      sets: 2,
      setVolumes: 5,
    });

    const report = await getJson<DiscoveryReport>(s3, output.discovery);
    expect(report.sets).toEqual(sets);
    expect(report.modes).toEqual({
      [db.instanceId]: 'instance',
      [app.instanceId]: 'application',
      [web.instanceId]: 'volume',
    });
    // The consistency tag comes with the instance listing: one page, as without sets.
    expect(sim.calls().DescribeInstances.succeeded).toBe(1);
  });

  it('GIVEN no instance in a set mode WHEN discovered THEN SnapshotVolumes reads the items themselves, and no set document is written', async () => {
    const { run, s3, sim, account } = givenDiscover();
    sim.addInstance({ tags: { [TAG]: '2', [CONSISTENCY]: 'volume' }, volumes: [{}, {}] });
    sim.addInstance({ tags: { [TAG]: '2' } });

    const output = await run();

    expect(output.volumeItems).toEqual(output.items);
    expect(output).not.toHaveProperty('setItems');
    expect(output.counts.sets).toBe(0);
    expect(account.s3.keys(BUCKET, 'runs/run-1/').sort()).toEqual([
      runKey('run-1', 'discovery'),
      runKey('run-1', 'volumes'),
    ]);
    const report = await getJson<DiscoveryReport>(s3, output.discovery);
    expect(report).not.toHaveProperty('sets');
    expect(Object.values(report.modes ?? {})).toEqual(['volume', 'volume']);
  });

  it('GIVEN an invalid consistency value WHEN discovered THEN reported with the key, the instance backed up volume by volume, the run to fail', async () => {
    const { run, s3, sim } = givenDiscover();
    const bad = sim.addInstance({ tags: { [TAG]: '2', [CONSISTENCY]: 'Instance' }, volumes: [{}, {}] });

    const output = await run();

    expect(output.invalid).toEqual([
      {
        resource: 'instance',
        id: bad.instanceId,
        tagKey: CONSISTENCY,
        value: 'Instance',
        reason: `${CONSISTENCY} is not a consistency mode; expected volume, instance or application (lowercase)`,
      },
    ]);
    expect(output.counts).toMatchObject({ volumes: 2, invalid: 1, sets: 0 });
    expect((await getJson<VolumeWorkItem[]>(s3, output.volumeItems)).map((i) => i.volumeId)).toEqual(
      [...bad.volumeIds].sort(),
    );
    const report = await getJson<DiscoveryReport>(s3, output.discovery);
    expect(report.modes).toEqual({ [bad.instanceId]: 'volume' });
  });

  it('GIVEN the root volume excluded by its own 0 and a volume multi-attached to a lower instance ID WHEN discovered THEN both are left out of the set', async () => {
    const { run, s3, sim } = givenDiscover();
    const a = sim.addInstance({ tags: { [TAG]: '2', [CONSISTENCY]: 'instance' }, volumes: [{}] });
    const b = sim.addInstance({
      tags: { [TAG]: '2', [CONSISTENCY]: 'instance' },
      volumes: [{ tags: { [TAG]: '0' } }, {}],
    });
    const shared = sim.addVolume({ instanceId: a.instanceId });
    sim.attachVolume(shared, b.instanceId);
    const [low, high] = [a, b].sort((x, y) => (x.instanceId < y.instanceId ? -1 : 1));

    const sets = await setsOf(s3, await run());

    const setOf = (id: string) => sets.find((s) => s.instanceId === id);
    expect(setOf(low.instanceId)?.volumes.map((v) => v.volumeId)).toContain(shared);
    expect(setOf(high.instanceId)?.excludeDataVolumeIds).toContain(shared);
    expect(setOf(b.instanceId)).toMatchObject({ excludeBootVolume: true });
    expect(setOf(b.instanceId)?.volumes.map((v) => v.volumeId)).not.toContain(b.volumeIds[0]);
  });

  it('GIVEN instanceIds WHEN discovered THEN only the requested instance’s set; GIVEN volumeIds THEN a set of just those', async () => {
    const { run, s3, sim } = givenDiscover();
    const one = sim.addInstance({ tags: { [TAG]: '2', [CONSISTENCY]: 'instance' }, volumes: [{}, {}] });
    sim.addInstance({ tags: { [TAG]: '2', [CONSISTENCY]: 'instance' }, volumes: [{}] });

    const byInstance = await run({ instanceIds: [one.instanceId] });
    const sets = await setsOf(s3, byInstance);
    expect(sets.map((s) => s.instanceId)).toEqual([one.instanceId]);

    const [, data] = one.volumeIds;
    const byVolume = await run({ volumeIds: [data] });
    expect(await setsOf(s3, byVolume)).toEqual([
      expect.objectContaining({
        instanceId: one.instanceId,
        volumes: [expect.objectContaining({ volumeId: data })],
        excludeBootVolume: true,
        excludeDataVolumeIds: [],
      }),
    ]);
  });

  it('GIVEN a custom consistency key and the skip setting WHEN discovered THEN only that key counts, a volume cannot set it, and each set says skip', async () => {
    const { run, s3, sim } = givenDiscover(
      {},
      { consistencyTagKey: 'Consistency', preScriptFailure: 'skip' },
    );
    const custom = sim.addInstance({ tags: { [TAG]: '1', Consistency: 'application' } });
    const defaultKey = sim.addInstance({ tags: { [TAG]: '1', [CONSISTENCY]: 'instance' } });
    const byVolume = sim.addInstance({
      tags: { [TAG]: '1' },
      volumes: [{ tags: { Consistency: 'instance' } }],
    });

    const output = await run();

    const sets = await setsOf(s3, output);
    expect(sets.map((s) => [s.instanceId, s.mode, s.onPreScriptFailure])).toEqual([
      [custom.instanceId, 'application', 'skip'],
    ]);
    const report = await getJson<DiscoveryReport>(s3, output.discovery);
    expect(report.modes?.[defaultKey.instanceId]).toBe('volume');
    expect(report.modes?.[byVolume.instanceId]).toBe('volume');
  });

  it('GIVEN volume tags carried to snapshots WHEN a volume carries the consistency key THEN it is not carried (a targeting key)', async () => {
    const { run, s3, sim } = givenDiscover({}, { copyVolumeTags: '*' });
    sim.addInstance({
      tags: { [TAG]: '1', [CONSISTENCY]: 'instance' },
      volumes: [{ tags: { [CONSISTENCY]: 'volume', Team: 'db' } }],
    });

    const [set] = await setsOf(s3, await run());

    expect(set.volumes.map((v) => v.carriedTags)).toEqual([{ Team: 'db' }]);
  });
});

describe('rootVolumeOf: the volume on an instance’s root device', () => {
  const mapping = (DeviceName: string, VolumeId: string) => ({ DeviceName, Ebs: { VolumeId } });

  it.each([
    ['/dev/xvda', '/dev/xvda', 'vol-root'],
    ['/dev/sda1', 'sda1', 'vol-root'],
    ['xvda', '/dev/xvda', 'vol-root'],
    ['/dev/sda1', '/dev/xvda', undefined], // nothing on the root device: instance store, or detached
  ])('GIVEN RootDeviceName %j and the root mapped as %j THEN %s', (root, device, expected) => {
    const instance = {
      RootDeviceName: root,
      BlockDeviceMappings: [mapping('/dev/sdf', 'vol-data'), mapping(device, 'vol-root')],
    };
    expect(rootVolumeOf(instance)).toBe(expected);
  });

  it('GIVEN no RootDeviceName THEN none', () => {
    expect(rootVolumeOf({ BlockDeviceMappings: [mapping('/dev/xvda', 'vol-a')] })).toBeUndefined();
  });
});
