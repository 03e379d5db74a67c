/** Prefixes of the EC2 resource ids the simulator hands out. */
export type ResourcePrefix = 'i' | 'vol' | 'snap' | 'ami';

// 17 hex digits, like EC2's long ids, is 68 bits.
const ID_BITS = 68n;
const ID_MASK = (1n << ID_BITS) - 1n;
// An odd multiplier is a bijection modulo 2^68: every counter value gets its own id. Being 2^68
// times the golden ratio's fraction, it also spreads consecutive ids all over the range, so they
// do not sort in creation order. Real EC2 ids are random, and product code that sorts by id where
// it means "by StartTime" must not pass by accident.
const SCRAMBLE = 0x9e3779b97f4a7c15bn;

// Each id space (one per Region of an account) starts its counter this far from the previous one.
const SPACE_SIZE = 1n << 40n;

/**
 * Hands out EC2-shaped ids (`vol-` + 17 hex digits) from a counter, so a test that seeds the same
 * fleet twice sees the same ids both times. One counter for all prefixes keeps the hex part
 * unique across resource types, which keeps logs unambiguous. Each Region of an account has its
 * own id space (`space`), so no two Regions hand out the same id: product code that looks for a
 * copy in the wrong Region finds nothing rather than another Region's snapshot.
 */
export class ResourceIds {
  private count: bigint;

  constructor(space = 0) {
    this.count = BigInt(space) * SPACE_SIZE;
  }

  next(prefix: ResourcePrefix): string {
    this.count += 1n;
    const scrambled = (this.count * SCRAMBLE) & ID_MASK;
    return `${prefix}-${scrambled.toString(16).padStart(17, '0')}`;
  }
}
