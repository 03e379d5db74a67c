import { batchDecision, PRUNE_BATCH_MIN_VOLUMES as MIN } from '../../lambdas/core/prune-batching';

describe('batchDecision: when the pruning loop hands PruneVolumes a batch', () => {
  it.each([
    // SnapshotVolumes still running: a batch only once enough volumes are ready.
    [{ ready: 0, waiting: 10, snapshotsMade: false }, 'wait'],
    [{ ready: MIN - 1, waiting: 10, snapshotsMade: false }, 'wait'],
    [{ ready: MIN, waiting: 10, snapshotsMade: false }, 'batch'],
    // Not made yet is not "nothing to wait for": SnapshotVolumes may still make every one of them.
    [{ ready: MIN - 1, waiting: 0, snapshotsMade: false }, 'wait'],
    [{ ready: MIN, waiting: 0, snapshotsMade: false }, 'batch'],
    // SnapshotVolumes has ended: the last ones go together, however few, once none is pending.
    [{ ready: 3, waiting: 1, snapshotsMade: true }, 'wait'],
    [{ ready: MIN, waiting: 1, snapshotsMade: true }, 'batch'],
    [{ ready: 3, waiting: 0, snapshotsMade: true }, 'final'],
    [{ ready: 0, waiting: 0, snapshotsMade: true }, 'final'],
  ] as const)('GIVEN %o THEN %s', (standing, decision) => {
    expect(batchDecision(standing)).toBe(decision);
  });
});
