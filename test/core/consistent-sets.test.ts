import fc from 'fast-check';
import type { SetScope } from '../../lambdas/core/consistent-sets';
import { groupConsistentSets, MAX_VOLUMES_PER_SET } from '../../lambdas/core/consistent-sets';
import {
  resolveTargets,
  restrictToVolumes,
  type TaggedVolume,
  type TargetInstance,
} from '../../lambdas/core/volume-targets';

const KEY = 'Backup-Consistency';
const scope: SetScope = { tagKey: KEY, onPreScriptFailure: 'crash-consistent' };

/** A live instance tagged N (undefined: untagged); its first volume is its root volume. */
const instance = (
  id: string,
  generation: string | undefined,
  consistency: string | undefined,
  volumeIds: string[],
  extra: Partial<TargetInstance> = {},
): TargetInstance => ({
  instanceId: id,
  ...(generation !== undefined && { tagValue: generation }),
  ...(consistency !== undefined && { consistencyTagValue: consistency }),
  volumeIds,
  ...(volumeIds.length > 0 && { rootVolumeId: volumeIds[0] }),
  ...extra,
});

const volume = (id: string, tagValue: string, instanceIds: string[]): TaggedVolume => ({
  volumeId: id,
  tagValue,
  instanceIds,
});

/** What discovery decides: resolveTargets, then the sets. */
function decide(instances: TargetInstance[], volumes: TaggedVolume[] = [], instanceIds?: string[]) {
  const resolved = resolveTargets(instances, volumes, { instanceIds });
  return { resolved, ...groupConsistentSets(resolved.items, instances, scope) };
}

const ids = (items: readonly { volumeId: string }[]) => items.map((i) => i.volumeId);

describe('groupConsistentSets (SPEC §12.1–§12.2)', () => {
  it('GIVEN an instance in instance mode WHEN grouped THEN one set of its volumes, each item as it was; none on its own', () => {
    const db = instance('i-db', '3', 'instance', ['vol-c', 'vol-a', 'vol-b'], { name: 'db' });
    const web = instance('i-web', '2', undefined, ['vol-w']);
    const { resolved, sets, volumeItems, modes, invalid } = decide([db, web]);

    expect(sets).toEqual([
      {
        instanceId: 'i-db',
        instanceName: 'db',
        mode: 'instance',
        volumes: resolved.items.filter((i) => i.instanceId === 'i-db'),
        excludeBootVolume: false,
        excludeDataVolumeIds: [],
        onPreScriptFailure: 'crash-consistent',
      },
    ]);
    expect(ids(sets[0].volumes)).toEqual(['vol-a', 'vol-b', 'vol-c']);
    expect(ids(volumeItems)).toEqual(['vol-w']);
    expect(modes).toEqual({ 'i-db': 'instance', 'i-web': 'volume' });
    expect(invalid).toEqual([]);
  });

  it('GIVEN application mode on Windows and the skip setting WHEN grouped THEN the set says so', () => {
    const app = instance('i-app', '1', ' application ', ['vol-r'], { platform: 'windows' });
    const { sets } = groupConsistentSets(resolveTargets([app], []).items, [app], {
      tagKey: KEY,
      onPreScriptFailure: 'skip',
    });
    expect(sets).toEqual([
      expect.objectContaining({ mode: 'application', platform: 'windows', onPreScriptFailure: 'skip' }),
    ]);
    expect(sets[0]).not.toHaveProperty('instanceName');
  });

  it('GIVEN the root volume tagged 0 WHEN grouped THEN it is left out by ExcludeBootVolume, not by ID', () => {
    const db = instance('i-db', '3', 'instance', ['vol-root', 'vol-data']);
    const { sets } = decide([db], [volume('vol-root', '0', ['i-db'])]);
    expect(sets).toEqual([expect.objectContaining({ excludeBootVolume: true, excludeDataVolumeIds: [] })]);
    expect(ids(sets[0].volumes)).toEqual(['vol-data']);
  });

  it('GIVEN a data volume tagged 0 and one with an invalid own tag WHEN grouped THEN both are left out by ID', () => {
    const db = instance('i-db', '3', 'instance', ['vol-root', 'vol-zero', 'vol-bad', 'vol-data']);
    const { sets, resolved } = decide(
      [db],
      [volume('vol-zero', '0', ['i-db']), volume('vol-bad', 'x', ['i-db'])],
    );
    expect(ids(sets[0].volumes)).toEqual(['vol-data', 'vol-root']);
    expect(sets[0]).toMatchObject({
      excludeBootVolume: false,
      excludeDataVolumeIds: ['vol-bad', 'vol-zero'],
    });
    // The volume's own invalid tag is reported by targeting, once; sets add nothing.
    expect(resolved.invalid.map((t) => t.id)).toEqual(['vol-bad']);
  });

  it('GIVEN a volume tagged with its own N WHEN grouped THEN it is in the set with its own N', () => {
    const db = instance('i-db', '3', 'instance', ['vol-root', 'vol-logs']);
    const { sets } = decide([db], [volume('vol-logs', ' 14 ', ['i-db'])]);
    expect(sets[0].volumes.map((v) => [v.volumeId, v.generations])).toEqual([
      ['vol-logs', 14],
      ['vol-root', 3],
    ]);
  });

  it('GIVEN a multi-attached volume backed up under another instance WHEN grouped THEN the other set leaves it out', () => {
    const a = instance('i-a', '2', 'instance', ['vol-a-root', 'vol-shared']);
    const b = instance('i-b', '5', 'instance', ['vol-b-root', 'vol-shared']);
    const { sets } = decide([a, b]);
    expect(sets.map((s) => [s.instanceId, ids(s.volumes), s.excludeDataVolumeIds])).toEqual([
      ['i-a', ['vol-a-root', 'vol-shared'], []],
      ['i-b', ['vol-b-root'], ['vol-shared']],
    ]);
  });

  it('GIVEN an instanceIds run WHEN grouped THEN a multi-attached volume goes to the requested instance’s set', () => {
    const a = instance('i-a', '2', 'instance', ['vol-a-root', 'vol-shared']);
    const b = instance('i-b', '5', 'instance', ['vol-b-root', 'vol-shared']);
    const { sets, modes } = decide([a, b], [], ['i-b']);
    expect(sets.map((s) => [s.instanceId, ids(s.volumes), s.excludeDataVolumeIds])).toEqual([
      ['i-b', ['vol-b-root', 'vol-shared'], []],
    ]);
    expect(modes).toEqual({ 'i-b': 'instance' });
  });

  it('GIVEN a volumeIds run WHEN grouped THEN the set holds the requested volumes; the others are left out', () => {
    const db = instance('i-db', '3', 'instance', ['vol-root', 'vol-a', 'vol-b']);
    const resolved = restrictToVolumes(resolveTargets([db], []), [db], ['vol-b'], 'Backup-Generation');
    const { sets, volumeItems } = groupConsistentSets(resolved.items, [db], scope);
    expect(sets).toEqual([
      expect.objectContaining({ excludeBootVolume: true, excludeDataVolumeIds: ['vol-a'] }),
    ]);
    expect(ids(sets[0].volumes)).toEqual(['vol-b']);
    expect(volumeItems).toEqual([]);
  });

  it.each(['', 'Instance', 'crash', 'app'])(
    'GIVEN the invalid consistency value %j WHEN grouped THEN reported with the key, backed up as volume',
    (value) => {
      const db = instance('i-db', '3', value, ['vol-root', 'vol-data']);
      const { sets, volumeItems, modes, invalid, resolved } = decide([db]);
      expect(sets).toEqual([]);
      expect(volumeItems).toEqual(resolved.items);
      expect(ids(volumeItems)).toEqual(['vol-data', 'vol-root']);
      expect(modes).toEqual({ 'i-db': 'volume' });
      expect(invalid).toEqual([
        {
          resource: 'instance',
          id: 'i-db',
          tagKey: KEY,
          value,
          reason: expect.stringMatching(/^Backup-Consistency .*volume, instance or application/),
        },
      ]);
    },
  );

  it('GIVEN an invalid consistency value on an instance with nothing backed up WHEN grouped THEN neither reported nor given a mode', () => {
    const skipped = instance('i-zero', '0', 'bogus', ['vol-1']);
    const excluded = instance('i-all-zero', '2', 'bogus', ['vol-2']);
    const { invalid, modes } = decide([skipped, excluded], [volume('vol-2', '0', ['i-all-zero'])]);
    expect(invalid).toEqual([]);
    expect(modes).toEqual({});
  });

  it('GIVEN an instance in instance mode with every volume excluded WHEN grouped THEN it has no set', () => {
    const db = instance('i-db', '3', 'instance', ['vol-root']);
    const { sets, modes } = decide([db], [volume('vol-root', '0', ['i-db'])]);
    expect(sets).toEqual([]);
    expect(modes).toEqual({});
  });

  it('GIVEN a volume backed up under an instance whose own listing does not show it WHEN grouped THEN it is snapshotted on its own and an empty set is none', () => {
    // The volume's listing shows the attachment; the instance's block devices do not (yet).
    const db = instance('i-db', undefined, 'instance', []);
    const { sets, volumeItems, modes } = decide([db], [volume('vol-new', '4', ['i-db'])]);
    expect(sets).toEqual([]);
    expect(ids(volumeItems)).toEqual(['vol-new']);
    expect(modes).toEqual({ 'i-db': 'volume' });
  });

  it('GIVEN an untagged instance in instance mode with one volume tagged itself WHEN grouped THEN a set of that volume, the root left out', () => {
    const db = instance('i-db', undefined, 'instance', ['vol-root', 'vol-data']);
    const { sets } = decide([db], [volume('vol-data', '7', ['i-db'])]);
    expect(sets).toEqual([expect.objectContaining({ excludeBootVolume: true, excludeDataVolumeIds: [] })]);
    expect(ids(sets[0].volumes)).toEqual(['vol-data']);
  });

  it('GIVEN an instance without a root EBS volume WHEN grouped THEN ExcludeBootVolume stays false', () => {
    const db = instance('i-db', '2', 'instance', ['vol-a', 'vol-b'], { rootVolumeId: undefined });
    const { sets } = decide([db], [volume('vol-a', '0', ['i-db'])]);
    expect(sets[0]).toMatchObject({ excludeBootVolume: false, excludeDataVolumeIds: ['vol-a'] });
  });

  const volumeIds = (n: number, prefix: string) =>
    Array.from({ length: n }, (_, i) => `vol-${prefix}${String(i).padStart(3, '0')}`);

  it('GIVEN 40 volumes in a set WHEN grouped THEN a set; 41 THEN reported and backed up one by one', () => {
    const fits = instance('i-40', '2', 'instance', volumeIds(MAX_VOLUMES_PER_SET, 'a'));
    const over = instance('i-41', '2', 'application', volumeIds(MAX_VOLUMES_PER_SET + 1, 'b'));
    const { sets, volumeItems, modes, invalid } = decide([fits, over]);
    expect(sets.map((s) => [s.instanceId, s.volumes.length])).toEqual([['i-40', 40]]);
    expect(volumeItems).toHaveLength(41);
    expect(modes).toEqual({ 'i-40': 'instance', 'i-41': 'volume' });
    expect(invalid).toEqual([
      {
        resource: 'instance',
        id: 'i-41',
        tagKey: KEY,
        value: 'application',
        reason:
          'Backup-Consistency cannot be honoured: CreateSnapshots takes at most 40 volumes in a set and it would have 41; its volumes are backed up one by one (volume)',
      },
    ]);
  });

  it('GIVEN 41 attached data volumes outside the set WHEN grouped THEN reported: CreateSnapshots cannot leave them all out', () => {
    const big = instance('i-big', undefined, 'instance', ['vol-root', ...volumeIds(41, 'x')]);
    const { sets, invalid } = decide([big], [volume('vol-root', '1', ['i-big'])]);
    expect(sets).toEqual([]);
    expect(invalid).toEqual([
      expect.objectContaining({
        id: 'i-big',
        reason: expect.stringContaining('leaves out at most 40 data volumes and 41 attached ones'),
      }),
    ]);
  });

  describe('for any fleet', () => {
    const mode = fc.constantFrom(undefined, 'volume', 'instance', 'application', 'bogus');
    const generation = fc.constantFrom(undefined, '0', '2', 'x');
    const fleet = fc
      .tuple(
        fc.array(fc.tuple(generation, mode, fc.subarray(['a', 'b', 'c', 'd', 'e', 'f'])), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), fc.constantFrom('0', '5', 'bad'))),
      )
      .map(([specs, own]) => {
        const instances = specs.map(([g, m, vols], i) =>
          instance(
            `i-${i}`,
            g,
            m,
            vols.map((v) => `vol-${v}`),
          ),
        );
        const attachedTo = (v: string) =>
          instances.filter((i) => i.volumeIds.includes(`vol-${v}`)).map((i) => i.instanceId);
        const volumes = [
          ...new Map(own.map(([v, tag]) => [v, volume(`vol-${v}`, tag, attachedTo(v))])).values(),
        ];
        return { instances, volumes };
      });

    it('THEN every backed-up volume is in exactly one set or on its own, unchanged, and each set with its exclusions is exactly what is attached', () => {
      fc.assert(
        fc.property(fleet, ({ instances, volumes }) => {
          const { resolved, sets, volumeItems } = decide(instances, volumes);
          const inSets = sets.flatMap((s) => s.volumes);
          expect([...inSets, ...volumeItems].sort((a, b) => a.volumeId.localeCompare(b.volumeId))).toEqual(
            resolved.items,
          );
          for (const set of sets) {
            const attached = instances.find((i) => i.instanceId === set.instanceId) as TargetInstance;
            const setIds = ids(set.volumes);
            expect(setIds).toEqual([...setIds].sort());
            expect(set.volumes.every((v) => v.instanceId === set.instanceId)).toBe(true);
            const left = [
              ...(set.excludeBootVolume ? [attached.rootVolumeId] : []),
              ...set.excludeDataVolumeIds,
            ];
            expect([...setIds, ...left].sort()).toEqual([...attached.volumeIds].sort());
            expect(set.excludeDataVolumeIds).not.toContain(attached.rootVolumeId);
          }
        }),
      );
    });
  });
});
