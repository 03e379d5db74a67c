/**
 * When the pruning loop hands PruneVolumes a batch, while SnapshotVolumes may still be making
 * snapshots (SPEC §3.3 holds per volume: a volume is batched only once its own new snapshot
 * settled).
 *
 * Each batch is one turn of the loop in the parent execution (AwaitSnapshots, AnyToPrune,
 * PruneVolumes: 13 history events), so a batch as soon as one volume is ready would spend the
 * parent's history on hundreds of turns at 10,000 volumes. A batch waits for
 * PRUNE_BATCH_MIN_VOLUMES ready volumes instead: about 50 s of DeleteSnapshot's refill (5 per
 * second, https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html), so the
 * deletions of one batch take about as long as the snapshots of the next need to complete, and
 * the loop keeps pace with creation in some 40 turns at 10,000 volumes. The cost is the last
 * batches: pruning ends about two batches (some 100 s) after the last snapshot completes. The
 * last volumes go in one final batch, however few, once nothing is left to wait for.
 */
export const PRUNE_BATCH_MIN_VOLUMES = 250;

/** `final`: the last batch; `batch`: a batch now, more to come; `wait`: no batch yet. */
export type BatchDecision = 'final' | 'batch' | 'wait';

export interface LoopStanding {
  /** Volumes in no batch yet whose new snapshot settled, or that will get none. */
  ready: number;
  /** Volumes in no batch yet whose new snapshot is still pending, or not known yet. */
  waiting: number;
  /** SnapshotVolumes has ended: every volume's new snapshot is known (or known not to exist). */
  snapshotsMade: boolean;
}

export function batchDecision({ ready, waiting, snapshotsMade }: LoopStanding): BatchDecision {
  if (snapshotsMade && waiting === 0) return 'final';
  return ready >= PRUNE_BATCH_MIN_VOLUMES ? 'batch' : 'wait';
}
