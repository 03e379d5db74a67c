import type { Tag } from '@aws-sdk/client-ec2';
import type { SnapshotRecord } from './ec2-records';

/**
 * Snapshot ids by volume and by tag. At benchmark scale (10,000 volumes, many generations each)
 * a per-volume DescribeSnapshots that scanned every snapshot would make the simulator, not the
 * product, the bottleneck. The index only narrows the candidates; the filters still decide.
 */
export class SnapshotIndex {
  private readonly byVolume = new Map<string, Set<string>>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly records = new Map<string, SnapshotRecord>();
  /**
   * The snapshots of a tag in snapshot ID order (the order EC2 pages in), built the first time a
   * listing asks for that tag, then kept in order as snapshots come and go: a run's poll lists
   * its 10,000 snapshots page after page, turn after turn, without sorting them each time.
   */
  private readonly sortedByTag = new Map<string, SnapshotRecord[]>();

  add(snapshot: SnapshotRecord): void {
    this.records.set(snapshot.snapshotId, snapshot);
    addTo(this.byVolume, snapshot.volumeId, snapshot.snapshotId);
    for (const tag of snapshot.tags) {
      addTo(this.byTag, tagKey(tag), snapshot.snapshotId);
      const sorted = this.sortedByTag.get(tagKey(tag));
      if (sorted) sorted.splice(positionOf(sorted, snapshot.snapshotId), 0, snapshot);
    }
  }

  remove(snapshot: SnapshotRecord): void {
    this.records.delete(snapshot.snapshotId);
    removeFrom(this.byVolume, snapshot.volumeId, snapshot.snapshotId);
    for (const tag of snapshot.tags) {
      removeFrom(this.byTag, tagKey(tag), snapshot.snapshotId);
      const sorted = this.sortedByTag.get(tagKey(tag));
      const at = sorted ? positionOf(sorted, snapshot.snapshotId) : -1;
      if (sorted && sorted[at]?.snapshotId === snapshot.snapshotId) sorted.splice(at, 1);
    }
  }

  /** The snapshots carrying the tag, in snapshot ID order; not to be changed by the caller. */
  sortedWithTag(key: string, value: string): readonly SnapshotRecord[] {
    const k = tagKey({ Key: key, Value: value });
    let sorted = this.sortedByTag.get(k);
    if (!sorted) {
      sorted = [...(this.byTag.get(k) ?? [])].map((id) => this.records.get(id) as SnapshotRecord);
      sorted.sort((a, b) => (a.snapshotId < b.snapshotId ? -1 : a.snapshotId > b.snapshotId ? 1 : 0));
      this.sortedByTag.set(k, sorted);
    }
    return sorted;
  }

  ofVolume(volumeId: string): ReadonlySet<string> {
    return this.byVolume.get(volumeId) ?? new Set();
  }

  withTag(key: string, value: string): ReadonlySet<string> {
    return this.byTag.get(tagKey({ Key: key, Value: value })) ?? new Set();
  }
}

/** Where a snapshot of this ID is, or would go, in a list in snapshot ID order. */
export function positionOf(sorted: readonly { snapshotId: string }[], snapshotId: string): number {
  let [low, high] = [0, sorted.length];
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle].snapshotId < snapshotId) low = middle + 1;
    else high = middle;
  }
  return low;
}

// Keys and values cannot contain NUL, so it separates them unambiguously.
function tagKey(tag: Tag): string {
  return `${tag.Key}\u0000${tag.Value ?? ''}`;
}

function addTo(index: Map<string, Set<string>>, key: string, id: string): void {
  let ids = index.get(key);
  if (!ids) {
    ids = new Set();
    index.set(key, ids);
  }
  ids.add(id);
}

function removeFrom(index: Map<string, Set<string>>, key: string, id: string): void {
  const ids = index.get(key);
  ids?.delete(id);
  if (ids?.size === 0) index.delete(key);
}
