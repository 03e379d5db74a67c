import { resolveTargets, type TaggedVolume, type TargetInstance } from '../../lambdas/core/volume-targets';

/** A live instance; `tagValue` undefined: it carries no generation tag. */
const instance = (
  id: string,
  tagValue: string | undefined,
  volumeIds: string[],
  name?: string,
): TargetInstance => ({
  instanceId: id,
  ...(tagValue !== undefined && { tagValue }),
  volumeIds,
  ...(name !== undefined && { name }),
});

/** A volume carrying the tag itself, attached to `instanceIds` (none: not attached). */
const volume = (id: string, tagValue: string, instanceIds: string[] = []): TaggedVolume => ({
  volumeId: id,
  tagValue,
  instanceIds,
});

describe('resolveTargets (SPEC §1.2–§1.4)', () => {
  it('GIVEN an instance with N=3 and two volumes WHEN resolved THEN both volumes are items with its Name', () => {
    const { items } = resolveTargets([instance('i-1', '3', ['vol-root', 'vol-data'], 'web')], []);
    expect(items).toEqual([
      {
        volumeId: 'vol-data',
        instanceId: 'i-1',
        instanceName: 'web',
        description: 'Auto Snapshot vol-data(web)',
        generations: 3,
      },
      {
        volumeId: 'vol-root',
        instanceId: 'i-1',
        instanceName: 'web',
        description: 'Auto Snapshot vol-root(web)',
        generations: 3,
      },
    ]);
  });

  it('GIVEN an instance tagged 0 WHEN resolved THEN it is skipped, not invalid', () => {
    const result = resolveTargets([instance('i-1', '0', ['vol-1'])], []);
    expect(result.items).toEqual([]);
    expect(result.invalid).toEqual([]);
    expect(result.skipped).toEqual([{ resource: 'instance', id: 'i-1', reason: 'instance tag is 0' }]);
  });

  it('GIVEN an invalid instance value WHEN resolved THEN reported with value and reason, its volumes untouched, others processed', () => {
    const result = resolveTargets(
      [instance('i-bad', 'abc', ['vol-1']), instance('i-good', '2', ['vol-2'])],
      [volume('vol-1', '5', ['i-bad'])],
    );
    expect(result.items.map((i) => i.volumeId)).toEqual(['vol-2']);
    expect(result.invalid).toEqual([
      { resource: 'instance', id: 'i-bad', value: 'abc', reason: expect.stringContaining('ASCII digits') },
    ]);
  });

  it('GIVEN a volume tagged 0 on an instance tagged 3 WHEN resolved THEN just that volume is excluded', () => {
    const result = resolveTargets(
      [instance('i-1', '3', ['vol-root', 'vol-scratch'])],
      [volume('vol-scratch', '0', ['i-1'])],
    );
    expect(result.items.map((i) => i.volumeId)).toEqual(['vol-root']);
    expect(result.skipped).toEqual([{ resource: 'volume', id: 'vol-scratch', reason: 'volume tag is 0' }]);
  });

  it("GIVEN a volume tagged 7 WHEN resolved THEN its value overrides the instance's", () => {
    const { items } = resolveTargets(
      [instance('i-1', '3', ['vol-a', 'vol-b'])],
      [volume('vol-b', ' 7 ', ['i-1'])],
    );
    expect(items.map((i) => [i.volumeId, i.generations])).toEqual([
      ['vol-a', 3],
      ['vol-b', 7],
    ]);
  });

  it('GIVEN an instance tagged 0 with one volume tagged 2 WHEN resolved THEN only that volume is backed up', () => {
    const result = resolveTargets(
      [instance('i-1', '0', ['vol-a', 'vol-b'])],
      [volume('vol-b', '2', ['i-1'])],
    );
    expect(result.items.map((i) => i.volumeId)).toEqual(['vol-b']);
    expect(result.skipped).toEqual([]);
  });

  it('GIVEN an invalid volume value WHEN resolved THEN that volume is invalid and the rest of the instance proceeds', () => {
    const result = resolveTargets(
      [instance('i-1', '3', ['vol-a', 'vol-b'])],
      [volume('vol-b', '2.5', ['i-1'])],
    );
    expect(result.items.map((i) => i.volumeId)).toEqual(['vol-a']);
    expect(result.invalid).toEqual([
      { resource: 'volume', id: 'vol-b', instanceId: 'i-1', value: '2.5', reason: expect.any(String) },
    ]);
  });

  it('GIVEN a multi-attached volume WHEN resolved in any order THEN one item, under the smallest instance ID', () => {
    const a = instance('i-0b', '5', ['vol-shared'], 'node-b');
    const b = instance('i-0a', '2', ['vol-shared', 'vol-own'], 'node-a');
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const shared = resolveTargets(order, []).items.filter((i) => i.volumeId === 'vol-shared');
      expect(shared).toEqual([
        expect.objectContaining({ instanceId: 'i-0a', instanceName: 'node-a', generations: 2 }),
      ]);
    }
  });

  it('GIVEN a multi-attached volume whose first instance is tagged 0 WHEN resolved THEN the instance that backs it up wins', () => {
    const items = resolveTargets(
      [instance('i-0a', '0', ['vol-shared']), instance('i-0b', '4', ['vol-shared'])],
      [],
    ).items;
    expect(items).toEqual([
      expect.objectContaining({ volumeId: 'vol-shared', instanceId: 'i-0b', generations: 4 }),
    ]);
  });

  it('GIVEN no Name WHEN resolved THEN no instanceName and the short description', () => {
    const [item] = resolveTargets([instance('i-1', '1', ['vol-1'])], []).items;
    expect(item).not.toHaveProperty('instanceName');
    expect(item.description).toBe('Auto Snapshot vol-1');
  });
  describe('a volume targeted by its own tag (SPEC §1.3)', () => {
    it('GIVEN a volume tagged 4 on an untagged instance WHEN resolved THEN backed up under that instance, its other volumes not', () => {
      const result = resolveTargets(
        [instance('i-1', undefined, ['vol-root', 'vol-data'], 'db')],
        [volume('vol-data', '4', ['i-1'])],
      );
      expect(result).toEqual({
        items: [
          {
            volumeId: 'vol-data',
            instanceId: 'i-1',
            instanceName: 'db',
            description: 'Auto Snapshot vol-data(db)',
            generations: 4,
          },
        ],
        invalid: [],
        skipped: [],
      });
    });

    it('GIVEN an unattached volume tagged 2 WHEN resolved THEN an item without an instance and the short description', () => {
      const { items } = resolveTargets([], [volume('vol-spare', ' 2 ')]);
      expect(items).toEqual([
        { volumeId: 'vol-spare', description: 'Auto Snapshot vol-spare', generations: 2 },
      ]);
    });

    it('GIVEN a volume attached only to an instance that is not live WHEN resolved THEN it counts as not attached', () => {
      // Discovery passes only live instances: i-gone is terminated or shutting down.
      const { items } = resolveTargets([], [volume('vol-1', '3', ['i-gone'])]);
      expect(items).toEqual([{ volumeId: 'vol-1', description: 'Auto Snapshot vol-1', generations: 3 }]);
    });

    it('GIVEN a volume tagged 0 on an untagged instance WHEN resolved THEN excluded and reported as skipped', () => {
      const result = resolveTargets([instance('i-1', undefined, ['vol-1'])], [volume('vol-1', '0', ['i-1'])]);
      expect(result).toEqual({
        items: [],
        invalid: [],
        skipped: [{ resource: 'volume', id: 'vol-1', reason: 'volume tag is 0' }],
      });
    });

    it('GIVEN invalid values on volumes of an untagged instance and unattached WHEN resolved THEN each reported invalid', () => {
      const result = resolveTargets(
        [instance('i-1', undefined, ['vol-a'])],
        [volume('vol-a', '-1', ['i-1']), volume('vol-b', '1e3')],
      );
      expect(result.items).toEqual([]);
      expect(result.invalid).toEqual([
        { resource: 'volume', id: 'vol-a', instanceId: 'i-1', value: '-1', reason: expect.any(String) },
        { resource: 'volume', id: 'vol-b', value: '1e3', reason: expect.any(String) },
      ]);
    });

    it('GIVEN an instanceIds run WHEN resolved THEN only volumes attached to those instances, never unattached ones', () => {
      const { items, skipped } = resolveTargets(
        [instance('i-1', undefined, ['vol-mine']), instance('i-2', undefined, ['vol-other'])],
        [volume('vol-mine', '1', ['i-1']), volume('vol-other', '0', ['i-2']), volume('vol-spare', '1')],
        { instanceIds: ['i-1'] },
      );
      expect(items).toEqual([expect.objectContaining({ volumeId: 'vol-mine', instanceId: 'i-1' })]);
      expect(skipped).toEqual([]);
    });
  });

  describe('multi-attach between tagged and untagged instances (SPEC §1.4)', () => {
    const untagged = instance('i-0a', undefined, ['vol-shared'], 'node-a');
    const tagged = instance('i-0b', '5', ['vol-shared'], 'node-b');

    it('GIVEN a volume shared by an untagged and a tagged instance WHEN resolved THEN without its own tag under the tagged one, with it under the lowest ID', () => {
      expect(resolveTargets([untagged, tagged], []).items).toEqual([
        expect.objectContaining({
          volumeId: 'vol-shared',
          instanceId: 'i-0b',
          instanceName: 'node-b',
          generations: 5,
        }),
      ]);
      expect(resolveTargets([tagged, untagged], [volume('vol-shared', '2', ['i-0b', 'i-0a'])]).items).toEqual(
        [
          {
            volumeId: 'vol-shared',
            instanceId: 'i-0a',
            instanceName: 'node-a',
            description: 'Auto Snapshot vol-shared(node-a)',
            generations: 2,
          },
        ],
      );
    });

    it('GIVEN a volume with its own tag on an untagged instance WHEN another of its instances is invalid THEN blocked; only that instance is reported', () => {
      const own = [volume('vol-shared', '2', ['i-0a', 'i-0c'])];
      expect(resolveTargets([untagged], own).items).toEqual([
        expect.objectContaining({ volumeId: 'vol-shared', instanceId: 'i-0a' }),
      ]);
      const result = resolveTargets([untagged, instance('i-0c', 'abc', ['vol-shared'])], own);
      expect(result.items).toEqual([]);
      expect(result.invalid).toEqual([
        { resource: 'instance', id: 'i-0c', value: 'abc', reason: expect.any(String) },
      ]);
    });

    it('GIVEN a volume without its own tag shared by a valid and an invalid instance WHEN resolved THEN blocked (SPEC §1.2)', () => {
      const result = resolveTargets([tagged, instance('i-0c', 'abc', ['vol-shared'])], []);
      expect(result.items).toEqual([]);
      expect(result.invalid.map((t) => t.id)).toEqual(['i-0c']);
    });
  });

  it('GIVEN the same fleet listed in any order WHEN resolved THEN the same result, each list sorted by ID', () => {
    const instances = [
      instance('i-3', 'x', ['vol-7']),
      instance('i-2', '0', ['vol-5', 'vol-6']),
      instance('i-1', undefined, ['vol-4', 'vol-3'], 'one'),
    ];
    const volumes = [
      volume('vol-9', '1'),
      volume('vol-8', 'y'),
      volume('vol-6', '0', ['i-2']),
      volume('vol-5', '2', ['i-2']),
      volume('vol-4', '0', ['i-1']),
      volume('vol-3', 'z', ['i-1']),
      volume('vol-2', '3'),
    ];
    const expected = {
      items: [
        { volumeId: 'vol-2', description: 'Auto Snapshot vol-2', generations: 3 },
        { volumeId: 'vol-5', instanceId: 'i-2', description: 'Auto Snapshot vol-5', generations: 2 },
        { volumeId: 'vol-9', description: 'Auto Snapshot vol-9', generations: 1 },
      ],
      invalid: [
        { resource: 'instance', id: 'i-3', value: 'x', reason: expect.any(String) },
        { resource: 'volume', id: 'vol-3', instanceId: 'i-1', value: 'z', reason: expect.any(String) },
        { resource: 'volume', id: 'vol-8', value: 'y', reason: expect.any(String) },
      ],
      skipped: [
        { resource: 'volume', id: 'vol-4', reason: 'volume tag is 0' },
        { resource: 'volume', id: 'vol-6', reason: 'volume tag is 0' },
      ],
    };
    expect(resolveTargets(instances, volumes)).toEqual(expected);
    const reversed = (list: TargetInstance[]) =>
      list.map((i) => ({ ...i, volumeIds: [...i.volumeIds].reverse() }));
    expect(resolveTargets(reversed([...instances].reverse()), [...volumes].reverse())).toEqual(expected);
  });
});
