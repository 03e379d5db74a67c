import fc from 'fast-check';
import {
  MAX_DESCRIPTION_LENGTH,
  parseSnapshotDescription,
  snapshotDescription,
} from '../../lambdas/core/description';

describe('snapshotDescription (SPEC §2.1)', () => {
  it('GIVEN a Name WHEN described THEN matches the original recipe byte for byte', () => {
    expect(snapshotDescription('vol-0123456789abcdef0', 'web-1')).toBe(
      'Auto Snapshot vol-0123456789abcdef0(web-1)',
    );
  });

  it('GIVEN no Name tag WHEN described THEN only the volume ID', () => {
    expect(snapshotDescription('vol-0123456789abcdef0', undefined)).toBe(
      'Auto Snapshot vol-0123456789abcdef0',
    );
  });

  it.each(['', '   '])('GIVEN a blank Name %j WHEN described THEN only the volume ID', (name) => {
    expect(snapshotDescription('vol-1', name)).toBe('Auto Snapshot vol-1');
  });

  it('GIVEN a Name with surrounding spaces WHEN described THEN kept as the recipe did', () => {
    expect(snapshotDescription('vol-1', ' db ')).toBe('Auto Snapshot vol-1( db )');
  });

  it('GIVEN a 300-character Name WHEN described THEN cut to 255 characters', () => {
    const description = snapshotDescription('vol-0123456789abcdef0', 'n'.repeat(300));
    expect(description).toHaveLength(MAX_DESCRIPTION_LENGTH);
    expect(description.startsWith('Auto Snapshot vol-0123456789abcdef0(nnn')).toBe(true);
  });

  it('GIVEN a non-ASCII Name WHEN described THEN kept as is', () => {
    expect(snapshotDescription('vol-1', 'データベース')).toBe('Auto Snapshot vol-1(データベース)');
  });

  it('GIVEN a cut that would split an emoji WHEN described THEN the pair is not split', () => {
    const prefix = 'Auto Snapshot vol-1(';
    const name = `${'a'.repeat(MAX_DESCRIPTION_LENGTH - prefix.length - 1)}😀😀`;
    const description = snapshotDescription('vol-1', name);
    expect(description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_LENGTH);
    expect(() => encodeURIComponent(description)).not.toThrow();
  });
});

describe('parseSnapshotDescription (recognising the original recipe’s snapshots, SPEC §3.6)', () => {
  it.each([
    ['Auto Snapshot vol-0123456789abcdef0', { volumeId: 'vol-0123456789abcdef0' }],
    ['Auto Snapshot vol-1(web-1)', { volumeId: 'vol-1', instanceName: 'web-1' }],
    ['Auto Snapshot vol-1(web (old))', { volumeId: 'vol-1', instanceName: 'web (old)' }],
    ['Auto Snapshot vol-1( db )', { volumeId: 'vol-1', instanceName: ' db ' }],
    ['Auto Snapshot vol-1()', { volumeId: 'vol-1', instanceName: '' }],
    ['Auto Snapshot vol-1(データベース)', { volumeId: 'vol-1', instanceName: 'データベース' }],
  ])('GIVEN %j WHEN parsed THEN %j', (description, expected) => {
    expect(parseSnapshotDescription(description)).toEqual(expected);
  });

  it.each([
    'Auto Snapshot vol-1 (web)',
    'Auto Snapshot vol-1(web',
    'auto snapshot vol-1',
    'Auto Snapshot vol-XYZ',
    'Auto Snapshot vol-1 copy',
    'Created by CreateImage(i-1) for ami-1',
    ' Auto Snapshot vol-1',
    '',
  ])('GIVEN %j WHEN parsed THEN not this format', (description) => {
    expect(parseSnapshotDescription(description)).toBeUndefined();
  });

  it('GIVEN any volume ID and Name that fit WHEN described and parsed back THEN the same volume and Name (blank: none)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^vol-[0-9a-f]{17}$/),
        fc.option(fc.string({ maxLength: 200, unit: 'grapheme' }), { nil: undefined }),
        (volumeId, name) => {
          const description = snapshotDescription(volumeId, name);
          fc.pre(description.length < MAX_DESCRIPTION_LENGTH);
          const parsed = parseSnapshotDescription(description);
          const named = name !== undefined && name.trim() !== '';
          expect(parsed).toEqual(named ? { volumeId, instanceName: name } : { volumeId });
        },
      ),
    );
  });
});
