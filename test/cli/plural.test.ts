import { count } from '../../cli/plural';

describe('count: a number with its noun', () => {
  it.each([
    [0, 'volume', undefined, '0 volumes'],
    [1, 'volume', undefined, '1 volume'],
    [2, 'poll', undefined, '2 polls'],
    [1, 'copy', 'copies', '1 copy'],
    [3, 'copy', 'copies', '3 copies'],
  ])('GIVEN %i %s THEN %s', (n, noun, plural, expected) => {
    expect(count(n, noun, plural)).toBe(expected);
  });
});
