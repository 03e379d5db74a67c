import fc from 'fast-check';
import { CONSISTENCY_MODES } from '../../lambdas/contracts/sets';
import { parseConsistencyTag } from '../../lambdas/core/consistency-tag';

describe('parseConsistencyTag (SPEC §12.1)', () => {
  it('GIVEN no tag WHEN parsed THEN volume, today’s per-volume snapshots', () => {
    expect(parseConsistencyTag(undefined)).toEqual({ kind: 'mode', mode: 'volume' });
  });

  it.each([
    ['volume', 'volume'],
    ['instance', 'instance'],
    ['application', 'application'],
    [' instance ', 'instance'],
    ['\tapplication\n', 'application'],
    ['\r\vvolume\f', 'volume'],
  ])('GIVEN %j WHEN parsed THEN mode %s', (raw, mode) => {
    expect(parseConsistencyTag(raw)).toEqual({ kind: 'mode', mode });
  });

  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['Instance', /is not a consistency mode/],
    ['APPLICATION', /is not a consistency mode/],
    ['Volume', /is not a consistency mode/],
    ['app', /is not a consistency mode/],
    ['crash', /is not a consistency mode/],
    ['instance,application', /is not a consistency mode/],
    ['in stance', /is not a consistency mode/],
    ['\u00a0instance', /is not a consistency mode/],
    ['ｉｎｓｔａｎｃｅ', /is not a consistency mode/],
    ['1', /is not a consistency mode/],
  ])(
    'GIVEN %j WHEN parsed THEN invalid with the value as given and a reason naming the accepted values',
    (raw, reason) => {
      const parsed = parseConsistencyTag(raw);
      expect(parsed).toMatchObject({ kind: 'invalid', value: raw });
      expect(parsed.kind === 'invalid' && parsed.reason).toMatch(reason);
      expect(parsed.kind === 'invalid' && parsed.reason).toContain(
        'volume, instance or application (lowercase)',
      );
    },
  );

  it('GIVEN any string WHEN parsed THEN a mode exactly when, trimmed of ASCII space, it is one', () => {
    const space = fc.constantFrom(' ', '\t', '\n', '\r', '\v', '\f');
    const padding = fc.array(space, { maxLength: 3 }).map((s) => s.join(''));
    const raw = fc.oneof(
      fc.tuple(padding, fc.constantFrom(...CONSISTENCY_MODES), padding).map(([a, m, b]) => a + m + b),
      fc.string(),
    );
    fc.assert(
      fc.property(raw, (value) => {
        const parsed = parseConsistencyTag(value);
        const bare = value.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');
        const mode = CONSISTENCY_MODES.find((m) => m === bare);
        expect(parsed).toEqual(
          mode ? { kind: 'mode', mode } : { kind: 'invalid', value, reason: expect.any(String) },
        );
      }),
    );
  });
});
