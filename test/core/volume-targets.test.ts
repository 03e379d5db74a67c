import { resolveTargets, type TargetInstance } from '../../lambdas/core/volume-targets';

const instance = (id: string, tagValue: string, volumeIds: string[], name?: string): TargetInstance => ({
  instanceId: id,
  tagValue,
  volumeIds,
  ...(name !== undefined && { name }),
});

describe('resolveTargets (SPEC §1.2–§1.4)', () => {
  it('GIVEN an instance with N=3 and two volumes WHEN resolved THEN both volumes are items with its Name', () => {
    const { items } = resolveTargets([instance('i-1', '3', ['vol-root', 'vol-data'], 'web')], new Map());
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
    const result = resolveTargets([instance('i-1', '0', ['vol-1'])], new Map());
    expect(result.items).toEqual([]);
    expect(result.invalid).toEqual([]);
    expect(result.skipped).toEqual([{ resource: 'instance', id: 'i-1', reason: 'instance tag is 0' }]);
  });

  it('GIVEN an invalid instance value WHEN resolved THEN reported with value and reason, its volumes untouched, others processed', () => {
    const result = resolveTargets(
      [instance('i-bad', 'abc', ['vol-1']), instance('i-good', '2', ['vol-2'])],
      new Map([['vol-1', '5']]),
    );
    expect(result.items.map((i) => i.volumeId)).toEqual(['vol-2']);
    expect(result.invalid).toEqual([
      { resource: 'instance', id: 'i-bad', value: 'abc', reason: expect.stringContaining('ASCII digits') },
    ]);
  });

  it('GIVEN a volume tagged 0 on an instance tagged 3 WHEN resolved THEN just that volume is excluded', () => {
    const result = resolveTargets(
      [instance('i-1', '3', ['vol-root', 'vol-scratch'])],
      new Map([['vol-scratch', '0']]),
    );
    expect(result.items.map((i) => i.volumeId)).toEqual(['vol-root']);
    expect(result.skipped).toEqual([{ resource: 'volume', id: 'vol-scratch', reason: 'volume tag is 0' }]);
  });

  it("GIVEN a volume tagged 7 WHEN resolved THEN its value overrides the instance's", () => {
    const { items } = resolveTargets([instance('i-1', '3', ['vol-a', 'vol-b'])], new Map([['vol-b', ' 7 ']]));
    expect(items.map((i) => [i.volumeId, i.generations])).toEqual([
      ['vol-a', 3],
      ['vol-b', 7],
    ]);
  });

  it('GIVEN an instance tagged 0 with one volume tagged 2 WHEN resolved THEN only that volume is backed up', () => {
    const result = resolveTargets([instance('i-1', '0', ['vol-a', 'vol-b'])], new Map([['vol-b', '2']]));
    expect(result.items.map((i) => i.volumeId)).toEqual(['vol-b']);
    expect(result.skipped).toEqual([]);
  });

  it('GIVEN an invalid volume value WHEN resolved THEN that volume is invalid and the rest of the instance proceeds', () => {
    const result = resolveTargets([instance('i-1', '3', ['vol-a', 'vol-b'])], new Map([['vol-b', '2.5']]));
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
      const shared = resolveTargets(order, new Map()).items.filter((i) => i.volumeId === 'vol-shared');
      expect(shared).toEqual([
        expect.objectContaining({ instanceId: 'i-0a', instanceName: 'node-a', generations: 2 }),
      ]);
    }
  });

  it('GIVEN a multi-attached volume whose first instance is tagged 0 WHEN resolved THEN the instance that backs it up wins', () => {
    const items = resolveTargets(
      [instance('i-0a', '0', ['vol-shared']), instance('i-0b', '4', ['vol-shared'])],
      new Map(),
    ).items;
    expect(items).toEqual([
      expect.objectContaining({ volumeId: 'vol-shared', instanceId: 'i-0b', generations: 4 }),
    ]);
  });

  it('GIVEN no Name WHEN resolved THEN no instanceName and the short description', () => {
    const [item] = resolveTargets([instance('i-1', '1', ['vol-1'])], new Map()).items;
    expect(item).not.toHaveProperty('instanceName');
    expect(item.description).toBe('Auto Snapshot vol-1');
  });
});
