import fc from 'fast-check';
import type { InvalidTarget } from '../../lambdas/contracts/work-items';
import {
  resolveTargets,
  restrictToVolumes,
  type TaggedVolume,
  type TargetInstance,
} from '../../lambdas/core/volume-targets';

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
const volume = (id: string, tagValue: string | undefined, instanceIds: string[] = []): TaggedVolume => ({
  volumeId: id,
  ...(tagValue !== undefined && { tagValue }),
  instanceIds,
});

/** The same instance or volume, carrying the copy tag `value`. */
const copying = <T extends TargetInstance | TaggedVolume>(target: T, value: string): T => ({
  ...target,
  copyTagValue: value,
});

const COPY = 'Backup-Copy-Generation';
const copies = { tagKey: COPY };

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

describe('resolveTargets with copy tags (SPEC §10.2)', () => {
  const copyGenerations = (result: ReturnType<typeof resolveTargets>) =>
    result.items.map((i) => [i.volumeId, i.copyGenerations]);

  it('GIVEN an instance with copy tag 2 WHEN resolved with copies THEN each of its volumes keeps 2 copies', () => {
    const web = copying(instance('i-1', '3', ['vol-a', 'vol-b'], 'web'), ' 2 ');
    const result = resolveTargets([web], [], {}, copies);
    expect(result.items).toEqual([
      {
        volumeId: 'vol-a',
        instanceId: 'i-1',
        instanceName: 'web',
        description: 'Auto Snapshot vol-a(web)',
        generations: 3,
        copyGenerations: 2,
      },
      {
        volumeId: 'vol-b',
        instanceId: 'i-1',
        instanceName: 'web',
        description: 'Auto Snapshot vol-b(web)',
        generations: 3,
        copyGenerations: 2,
      },
    ]);
    expect(result.invalid).toEqual([]);
  });

  it('GIVEN copy tags, valid and invalid WHEN resolved without copies (no copy regions) THEN ignored entirely', () => {
    const result = resolveTargets(
      [copying(instance('i-1', '3', ['vol-a', 'vol-b']), 'abc')],
      [copying(volume('vol-b', undefined, ['i-1']), '4')],
    );
    expect(result.items.map((i) => i)).toEqual([
      expect.not.objectContaining({ copyGenerations: expect.anything() }),
      expect.not.objectContaining({ copyGenerations: expect.anything() }),
    ]);
    expect(result.invalid).toEqual([]);
  });

  it("GIVEN volumes with their own copy tag (one without the generation tag) WHEN resolved THEN each overrides the instance's for that volume", () => {
    const result = resolveTargets(
      [copying(instance('i-1', '3', ['vol-a', 'vol-b', 'vol-c', 'vol-d']), '2')],
      [
        copying(volume('vol-b', undefined, ['i-1']), '5'),
        copying(volume('vol-c', '7', ['i-1']), '0'),
        volume('vol-d', '1', ['i-1']),
      ],
      {},
      copies,
    );
    expect(result.items.map((i) => [i.volumeId, i.generations, i.copyGenerations])).toEqual([
      ['vol-a', 3, 2],
      ['vol-b', 3, 5],
      ['vol-c', 7, undefined],
      ['vol-d', 1, 2],
    ]);
    expect(result.skipped).toEqual([]);
  });

  it('GIVEN a volume carrying only the copy tag, unattached or on an untagged instance WHEN resolved THEN it is no target', () => {
    const result = resolveTargets(
      [instance('i-1', undefined, ['vol-a'])],
      [copying(volume('vol-a', undefined, ['i-1']), '2'), copying(volume('vol-spare', undefined), '2')],
      {},
      copies,
    );
    expect(result).toEqual({ items: [], invalid: [], skipped: [] });
  });

  it("GIVEN a volume tagged itself on an untagged instance, and an unattached one WHEN resolved THEN the instance's copy tag applies to the first, none to the second", () => {
    const result = resolveTargets(
      [copying(instance('i-1', undefined, ['vol-a', 'vol-x']), '4')],
      [volume('vol-a', '2', ['i-1']), volume('vol-spare', '1'), copying(volume('vol-own', '1'), '6')],
      {},
      copies,
    );
    expect(copyGenerations(result)).toEqual([
      ['vol-a', 4],
      ['vol-own', 6],
      ['vol-spare', undefined],
    ]);
  });

  it('GIVEN a multi-attached volume WHEN resolved THEN the copy tag is that of the instance it is backed up under', () => {
    const result = resolveTargets(
      [
        copying(instance('i-0a', '0', ['vol-shared']), '9'),
        copying(instance('i-0b', '4', ['vol-shared']), '2'),
      ],
      [],
      {},
      copies,
    );
    expect(result.items).toEqual([
      expect.objectContaining({ volumeId: 'vol-shared', instanceId: 'i-0b', copyGenerations: 2 }),
    ]);
  });

  it('GIVEN an invalid copy tag on an instance with three volumes WHEN resolved THEN reported once, naming the key, and every volume still backed up without copies', () => {
    const result = resolveTargets(
      [copying(instance('i-1', '3', ['vol-a', 'vol-b', 'vol-c']), '2.5')],
      [],
      {},
      copies,
    );
    expect(result.items.map((i) => [i.volumeId, i.generations, i.copyGenerations])).toEqual([
      ['vol-a', 3, undefined],
      ['vol-b', 3, undefined],
      ['vol-c', 3, undefined],
    ]);
    expect(result.invalid).toEqual([
      {
        resource: 'instance',
        tagKey: COPY,
        id: 'i-1',
        value: '2.5',
        reason: `${COPY} is not a whole number of ASCII digits; expected 0 to 1000`,
      },
    ]);
  });

  it('GIVEN invalid copy tags on two volumes WHEN resolved THEN each reported with its first attachment, both still backed up', () => {
    const result = resolveTargets(
      [copying(instance('i-0b', '3', ['vol-a', 'vol-b']), '1'), instance('i-0a', undefined, ['vol-a'])],
      [copying(volume('vol-a', undefined, ['i-0b']), '1001'), copying(volume('vol-b', '3', ['i-0b']), '')],
      {},
      copies,
    );
    expect(result.items.map((i) => [i.volumeId, i.instanceId, i.copyGenerations])).toEqual([
      ['vol-a', 'i-0b', undefined],
      ['vol-b', 'i-0b', undefined],
    ]);
    expect(result.invalid).toEqual([
      {
        resource: 'volume',
        tagKey: COPY,
        id: 'vol-a',
        instanceId: 'i-0a',
        value: '1001',
        reason: `${COPY} is above 1000; expected 0 to 1000`,
      },
      {
        resource: 'volume',
        tagKey: COPY,
        id: 'vol-b',
        instanceId: 'i-0b',
        value: '',
        reason: expect.stringMatching(`^${COPY} is empty`),
      },
    ]);
  });

  it('GIVEN invalid copy tags on what is not backed up (generation invalid or 0, or every volume overriding) WHEN resolved THEN only the generation tags are reported', () => {
    const result = resolveTargets(
      [
        copying(instance('i-bad', 'x', ['vol-1']), 'y'),
        copying(instance('i-zero', '0', ['vol-2']), 'y'),
        copying(instance('i-over', '2', ['vol-3']), 'y'),
      ],
      [
        copying(volume('vol-3', undefined, ['i-over']), '1'),
        copying(volume('vol-4', '0'), 'y'),
        copying(volume('vol-5', 'z'), 'y'),
      ],
      {},
      copies,
    );
    expect(result.invalid).toEqual([
      { resource: 'instance', id: 'i-bad', value: 'x', reason: expect.any(String) },
      { resource: 'volume', id: 'vol-5', value: 'z', reason: expect.any(String) },
    ]);
    expect(copyGenerations(result)).toEqual([['vol-3', 1]]);
    expect(result.skipped.map((s) => s.id)).toEqual(['i-zero', 'vol-4']);
  });

  it("GIVEN an instance tagged 0 whose volume is backed up by its own tag WHEN the instance's copy tag is invalid THEN reported, since it decides that volume's copies", () => {
    const zero = instance('i-1', '0', ['vol-a', 'vol-b']);
    const own = [volume('vol-a', '2', ['i-1'])];
    expect(copyGenerations(resolveTargets([copying(zero, '3')], own, {}, copies))).toEqual([['vol-a', 3]]);
    const result = resolveTargets([copying(zero, 'three')], own, {}, copies);
    expect(copyGenerations(result)).toEqual([['vol-a', undefined]]);
    expect(result.invalid).toEqual([
      { resource: 'instance', tagKey: COPY, id: 'i-1', value: 'three', reason: expect.any(String) },
    ]);
  });

  it('GIVEN generation and copy tags invalid on several targets WHEN resolved in any order THEN one sorted list, instances before volumes', () => {
    const instances = [
      copying(instance('i-3', '1', ['vol-9']), 'c'),
      instance('i-2', 'g', ['vol-8']),
      copying(instance('i-1', '1', ['vol-7']), 'c'),
    ];
    const volumes = [
      copying(volume('vol-6', '1'), 'c'),
      volume('vol-5', 'g'),
      copying(volume('vol-4', undefined, ['i-3']), '2'),
    ];
    const ids = (invalid: InvalidTarget[]) => invalid.map((t) => [t.resource, t.id, t.tagKey]);
    const expected = [
      ['instance', 'i-1', COPY],
      ['instance', 'i-2', undefined],
      ['instance', 'i-3', COPY],
      ['volume', 'vol-5', undefined],
      ['volume', 'vol-6', COPY],
    ];
    expect(ids(resolveTargets(instances, volumes, {}, copies).invalid)).toEqual(expected);
    expect(ids(resolveTargets([...instances].reverse(), [...volumes].reverse(), {}, copies).invalid)).toEqual(
      expected,
    );
  });

  describe('properties', () => {
    const value = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom('0', '1', '2', ' 7 ', '1000', '1001', 'abc', '', '2.5'),
    );
    const fleet = fc
      .record({
        instances: fc.uniqueArray(
          fc.record({
            id: fc.integer({ min: 0, max: 5 }),
            tagValue: value,
            copyTagValue: value,
            volumes: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 4 }),
          }),
          { selector: (i) => i.id, maxLength: 5 },
        ),
        volumes: fc.uniqueArray(
          fc.record({
            id: fc.integer({ min: 0, max: 9 }),
            tagValue: value,
            copyTagValue: value,
            instances: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 3 }),
          }),
          { selector: (v) => v.id, maxLength: 8 },
        ),
        scoped: fc.boolean(),
      })
      .map(({ instances, volumes, scoped }) => ({
        instances: instances.map((i) => ({
          instanceId: `i-${i.id}`,
          ...(i.tagValue !== undefined && { tagValue: i.tagValue }),
          ...(i.copyTagValue !== undefined && { copyTagValue: i.copyTagValue }),
          volumeIds: i.volumes.map((v) => `vol-${v}`),
        })),
        volumes: volumes
          .filter((v) => v.tagValue !== undefined || v.copyTagValue !== undefined)
          .map((v) => ({
            volumeId: `vol-${v.id}`,
            ...(v.tagValue !== undefined && { tagValue: v.tagValue }),
            ...(v.copyTagValue !== undefined && { copyTagValue: v.copyTagValue }),
            instanceIds: v.instances.map((i) => `i-${i}`),
          })),
        scope: scoped ? { instanceIds: ['i-0', 'i-1', 'i-2'] } : {},
      }));

    it('the copy tags (and volumes carrying only one) never change which volumes are backed up, their N, or what the generation tags report', () => {
      const withoutCopyTags = <T extends { copyTagValue?: string }>({ copyTagValue: _, ...target }: T) =>
        target;
      fc.assert(
        fc.property(fleet, ({ instances, volumes, scope }) => {
          const without = resolveTargets(
            instances.map(withoutCopyTags),
            volumes.filter((v) => v.tagValue !== undefined).map(withoutCopyTags),
            scope,
          );
          expect(resolveTargets(instances, volumes, scope)).toEqual(without);
          const withCopies = resolveTargets(instances, volumes, scope, copies);
          expect(withCopies.items.map(({ copyGenerations: _, ...item }) => item)).toEqual(without.items);
          expect(withCopies.invalid.filter((t) => t.tagKey === undefined)).toEqual(without.invalid);
          expect(withCopies.skipped).toEqual(without.skipped);
        }),
      );
    });

    it('a copy tag is reported only on what is backed up, at most once, and never with copies', () => {
      fc.assert(
        fc.property(fleet, ({ instances, volumes, scope }) => {
          const { items, invalid } = resolveTargets(instances, volumes, scope, copies);
          const reported = invalid.filter((t) => t.tagKey !== undefined);
          expect(reported.every((t) => t.tagKey === COPY && t.reason.startsWith(`${COPY} `))).toBe(true);
          const keys = invalid.map((t) => `${t.resource}/${t.id}`);
          expect(new Set(keys).size).toBe(keys.length);
          for (const target of reported) {
            const decided =
              target.resource === 'volume'
                ? items.filter((i) => i.volumeId === target.id)
                : items.filter((i) => i.instanceId === target.id);
            expect(decided.length).toBeGreaterThan(0);
            if (target.resource === 'volume') expect(decided[0].copyGenerations).toBeUndefined();
          }
          const copied = items.filter((i) => i.copyGenerations !== undefined);
          expect(
            copied.every((i) => Number.isInteger(i.copyGenerations) && (i.copyGenerations ?? 0) >= 1),
          ).toBe(true);
        }),
      );
    });

    it('the result does not depend on the order EC2 listed things in', () => {
      fc.assert(
        fc.property(fleet, ({ instances, volumes, scope }) => {
          const reversed = resolveTargets(
            [...instances].reverse().map((i) => ({ ...i, volumeIds: [...i.volumeIds].reverse() })),
            [...volumes].reverse(),
            scope,
            copies,
          );
          expect(reversed).toEqual(resolveTargets(instances, volumes, scope, copies));
        }),
      );
    });
  });
});

describe('restrictToVolumes: a run of some volumes only (SPEC §6.2, the re-run of a failed run)', () => {
  const TAG = 'Backup-Generation';
  const fleet = [
    instance('i-1', '3', ['vol-a', 'vol-b'], 'web'),
    instance('i-bad', 'abc', ['vol-c']),
    instance('i-off', '0', ['vol-d']),
  ];
  const resolved = resolveTargets(fleet, [volume('vol-e', '0', ['i-1'])]);

  it('GIVEN the whole account resolved WHEN restricted to some volumes THEN only their items, and only what concerns them is reported', () => {
    const only = restrictToVolumes(resolved, fleet, ['vol-b', 'vol-c'], TAG);
    expect(only.items.map((item) => item.volumeId)).toEqual(['vol-b']);
    // The invalid instance still blocks its requested volume; the skipped ones concern no requested volume.
    expect(only.invalid.map((t) => t.id)).toEqual(['i-bad']);
    expect(only.skipped).toEqual([]);
  });

  it('GIVEN a requested volume nothing targets WHEN restricted THEN it is reported invalid, naming the tag key', () => {
    const only = restrictToVolumes(resolved, fleet, ['vol-a', 'vol-zzz'], TAG);
    expect(only.items.map((item) => item.volumeId)).toEqual(['vol-a']);
    expect(only.invalid).toEqual([
      {
        resource: 'volume',
        id: 'vol-zzz',
        reason: `was requested in volumeIds but is not a volume this deployment backs up (tagged ${TAG}, or attached to a live instance tagged ${TAG})`,
      },
    ]);
  });

  it('GIVEN requested volumes excluded by a 0 WHEN restricted THEN skipped, not invalid', () => {
    const only = restrictToVolumes(resolved, fleet, ['vol-d', 'vol-e'], TAG);
    expect(only.items).toEqual([]);
    expect(only.skipped.map((t) => t.id).sort()).toEqual(['i-off', 'vol-e']);
    expect(only.invalid).toEqual([]);
  });
});
