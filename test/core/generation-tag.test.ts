import { parseGenerationTag } from '../../lambdas/core/generation-tag';

describe('parseGenerationTag (SPEC §1.2)', () => {
  it.each([
    ['2', 2],
    [' 3 ', 3],
    ['\t7\n', 7],
    ['1', 1],
    ['1000', 1000],
    ['007', 7],
  ])('GIVEN %j WHEN parsed THEN keeps %i generations', (raw, generations) => {
    expect(parseGenerationTag(raw)).toEqual({ kind: 'generation', generations });
  });

  it.each(['0', ' 0 ', '000'])('GIVEN %j WHEN parsed THEN the target is skipped, not failed', (raw) => {
    expect(parseGenerationTag(raw)).toEqual({ kind: 'skip' });
  });

  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['abc', /not a whole number of ASCII digits/],
    ['-1', /not a whole number of ASCII digits/],
    ['+1', /not a whole number of ASCII digits/],
    ['2.5', /not a whole number of ASCII digits/],
    ['1e3', /not a whole number of ASCII digits/],
    ['0x10', /not a whole number of ASCII digits/],
    ['12abc', /not a whole number of ASCII digits/],
    ['1 2', /not a whole number of ASCII digits/],
    ['１', /not a whole number of ASCII digits/],
    ['٣', /not a whole number of ASCII digits/],
    ['\u00a05', /not a whole number of ASCII digits/],
    ['1001', /above 1000/],
    ['99999999999999999999', /above 1000/],
  ])('GIVEN %j WHEN parsed THEN it is invalid with the value and a reason', (raw, reason) => {
    const parsed = parseGenerationTag(raw);
    expect(parsed).toMatchObject({ kind: 'invalid', value: raw });
    expect(parsed.kind === 'invalid' && parsed.reason).toMatch(reason);
  });

  it('GIVEN an invalid value WHEN parsed THEN the reason names the accepted range', () => {
    const parsed = parseGenerationTag('abc');
    expect(parsed.kind === 'invalid' && parsed.reason).toContain('0 to 1000');
  });
});
