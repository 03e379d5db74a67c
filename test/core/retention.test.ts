import fc from 'fast-check';
import { newestFirst, planRetention, type SnapshotRecord } from '../../lambdas/core/retention';

const DAY = 86_400_000;
const snap = (id: string, state: string, day: number): SnapshotRecord => ({
  snapshotId: id,
  state,
  startTime: day * DAY,
});
const ids = (list: SnapshotRecord[]) => list.map((s) => s.snapshotId);

describe('planRetention (SPEC §3.2, §3.4)', () => {
  it('GIVEN 5 completed and N=3 WHEN planned THEN keeps the newest 3 and deletes the 2 oldest', () => {
    const plan = planRetention(
      [
        snap('s1', 'completed', 1),
        snap('s5', 'completed', 5),
        snap('s3', 'completed', 3),
        snap('s2', 'completed', 2),
        snap('s4', 'completed', 4),
      ],
      3,
    );
    expect(ids(plan.keep)).toEqual(['s5', 's4', 's3']);
    expect(ids(plan.delete)).toEqual(['s2', 's1']);
  });

  it('GIVEN pending snapshots WHEN planned THEN they neither count toward N nor get deleted', () => {
    const plan = planRetention(
      [snap('p9', 'pending', 9), snap('s2', 'completed', 2), snap('s1', 'completed', 1)],
      2,
    );
    expect(ids(plan.keep)).toEqual(['s2', 's1']);
    expect(plan.delete).toEqual([]);
    expect(ids(plan.leave)).toEqual(['p9']);
  });

  it('GIVEN snapshots in state error WHEN planned THEN they are deleted even within N', () => {
    const plan = planRetention([snap('e3', 'error', 3), snap('s2', 'completed', 2)], 5);
    expect(ids(plan.keep)).toEqual(['s2']);
    expect(ids(plan.delete)).toEqual(['e3']);
  });

  it('GIVEN equal StartTimes WHEN planned THEN the higher SnapshotId counts as newer', () => {
    const plan = planRetention([snap('snap-a', 'completed', 1), snap('snap-b', 'completed', 1)], 1);
    expect(ids(plan.keep)).toEqual(['snap-b']);
    expect(ids(plan.delete)).toEqual(['snap-a']);
  });

  it('GIVEN N lowered from 5 to 2 WHEN planned THEN 3 are deleted', () => {
    const five = [1, 2, 3, 4, 5].map((d) => snap(`s${d}`, 'completed', d));
    expect(planRetention(five, 2).delete).toHaveLength(3);
  });

  it.each([0, -1, 2.5, Number.NaN])('GIVEN N=%p WHEN planned THEN refused', (n) => {
    expect(() => planRetention([], n)).toThrow(RangeError);
  });
});

describe('planRetention properties (fast-check, 1,000 runs each)', () => {
  const states = fc.constantFrom('completed', 'completed', 'completed', 'pending', 'error');
  const snapshots = fc.uniqueArray(
    fc.record({
      snapshotId: fc.stringMatching(/^snap-[0-9a-f]{4}$/),
      state: states,
      startTime: fc.integer({ min: 0, max: 50 }),
    }),
    { selector: (s) => s.snapshotId, maxLength: 40 },
  );
  const generations = fc.integer({ min: 1, max: 12 });
  const runs = { numRuns: 1000 };

  it('never deletes any of the newest N completed', () => {
    fc.assert(
      fc.property(snapshots, generations, (list, n) => {
        const newest = list
          .filter((s) => s.state === 'completed')
          .sort(newestFirst)
          .slice(0, n);
        const deleted = new Set(ids(planRetention(list, n).delete));
        return newest.every((s) => !deleted.has(s.snapshotId));
      }),
      runs,
    );
  });

  it('never deletes a pending snapshot, and deletes only completed beyond N or error', () => {
    fc.assert(
      fc.property(snapshots, generations, (list, n) => {
        const plan = planRetention(list, n);
        const completed = list.filter((s) => s.state === 'completed').length;
        const errors = list.filter((s) => s.state === 'error').length;
        return (
          plan.delete.every((s) => s.state !== 'pending') &&
          plan.delete.length === Math.max(0, completed - n) + errors &&
          plan.keep.length + plan.delete.length + plan.leave.length === list.length
        );
      }),
      runs,
    );
  });

  it('running it twice equals running it once', () => {
    fc.assert(
      fc.property(snapshots, generations, (list, n) => {
        const first = planRetention(list, n);
        const deleted = new Set(ids(first.delete));
        const second = planRetention(
          list.filter((s) => !deleted.has(s.snapshotId)),
          n,
        );
        return second.delete.length === 0 && ids(second.keep).join() === ids(first.keep).join();
      }),
      runs,
    );
  });

  it('input order does not matter', () => {
    fc.assert(
      fc.property(
        snapshots.chain((list) =>
          fc.tuple(
            fc.constant(list),
            fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length }),
          ),
        ),
        generations,
        ([list, shuffled], n) => {
          const a = planRetention(list, n);
          const b = planRetention(shuffled, n);
          return (
            ids(a.keep).join() === ids(b.keep).join() &&
            ids(a.delete).sort().join() === ids(b.delete).sort().join()
          );
        },
      ),
      runs,
    );
  });
});
