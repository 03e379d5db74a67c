/**
 * A small seeded generator (mulberry32): the same seed and the same sequence of draws give the
 * same numbers, in [0, 1) like Math.random. Everything local that draws at random and prints
 * figures draws from one of these, so a rerun with the same seed reproduces them.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
