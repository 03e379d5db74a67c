import type { SetMode, SetWorkItem } from '../lambdas/contracts/sets';

/**
 * A set tonight's run would take (SPEC §12.2), as `plan` and `generations` show it: the volumes in
 * the one CreateSnapshots call, and the attached ones it leaves out.
 */
export interface SetView {
  mode: SetMode;
  /** The volumes snapshotted together, sorted. */
  volumeIds: string[];
  /** The root volume is left out (`ExcludeBootVolume`). */
  excludeBootVolume: boolean;
  /** That root volume, when it is left out and known. */
  excludedRootVolumeId?: string;
  /** The other attached volumes left out (`ExcludeDataVolumeIds`), sorted. */
  excludeDataVolumeIds: string[];
  /** `windows`: the set's scripts are the PowerShell ones. */
  platform?: 'windows';
}

/** The set as shown; `rootVolumeId`: the instance's root volume, when known. */
export function setView(set: SetWorkItem, rootVolumeId: string | undefined): SetView {
  return {
    mode: set.mode,
    volumeIds: set.volumes.map((v) => v.volumeId),
    excludeBootVolume: set.excludeBootVolume,
    ...(set.excludeBootVolume && rootVolumeId !== undefined && { excludedRootVolumeId: rootVolumeId }),
    excludeDataVolumeIds: set.excludeDataVolumeIds,
    ...(set.platform && { platform: set.platform }),
  };
}

/** `vol-a, vol-b in one CreateSnapshots call; left out: vol-c (root volume), vol-d` */
export function setLine(view: SetView): string {
  const rootId = view.excludedRootVolumeId;
  const root = view.excludeBootVolume
    ? [rootId === undefined ? 'the root volume' : `${rootId} (root volume)`]
    : [];
  const left = [...root, ...view.excludeDataVolumeIds];
  const scripts =
    view.mode === 'application' && view.platform === 'windows' ? ' (Windows: PowerShell scripts)' : '';
  return (
    `${view.volumeIds.join(', ')} in one CreateSnapshots call${scripts}` +
    (left.length > 0 ? `; left out: ${left.join(', ')}` : '')
  );
}
