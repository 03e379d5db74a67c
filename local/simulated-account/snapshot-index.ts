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

  add(snapshot: SnapshotRecord): void {
    addTo(this.byVolume, snapshot.volumeId, snapshot.snapshotId);
    for (const tag of snapshot.tags) addTo(this.byTag, tagKey(tag), snapshot.snapshotId);
  }

  remove(snapshot: SnapshotRecord): void {
    removeFrom(this.byVolume, snapshot.volumeId, snapshot.snapshotId);
    for (const tag of snapshot.tags) removeFrom(this.byTag, tagKey(tag), snapshot.snapshotId);
  }

  ofVolume(volumeId: string): ReadonlySet<string> {
    return this.byVolume.get(volumeId) ?? new Set();
  }

  withTag(key: string, value: string): ReadonlySet<string> {
    return this.byTag.get(tagKey({ Key: key, Value: value })) ?? new Set();
  }
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
