/**
 * The work bucket's layout: where each document of a run lives. Discover, AwaitSnapshots and
 * Summarise write under `runs/`; the Distributed Maps' ResultWriter under `map-runs/`. IAM grants
 * (infra), the definition (its ResultWriter prefixes), the local runner and the operator CLI all
 * read these names from here.
 */

/** Where a JSON document lives in S3. Step Functions' ItemReader and ResultWriter speak this shape. */
export interface S3Location {
  bucket: string;
  key: string;
}

/** Key prefixes of the work bucket. */
export const WorkPrefix = {
  /** `runs/<execution>/<RunDocument>.json`. */
  runs: 'runs/',
  /** Distributed Map results (ResultWriter): `map-runs/<map>/<map run id>/manifest.json`, … */
  mapRuns: 'map-runs/',
  /**
   * What a deployment remembers between runs (not expired): `state/copy-regions.json`, the
   * regions it ever kept copies in (SPEC §10.6).
   */
  state: 'state/',
} as const;

/** The regions this deployment ever kept copies in (CopyRegionsRecord), written by Discover. */
export const COPY_REGIONS_RECORD_KEY = `${WorkPrefix.state}copy-regions.json`;

/** The ResultWriter prefix of each Distributed Map (a placeholder of the definition). */
export const MapRunPrefix = {
  snapshot: `${WorkPrefix.mapRuns}snapshot`,
  prune: `${WorkPrefix.mapRuns}prune`,
  copy: `${WorkPrefix.mapRuns}copy`,
  copyPrune: `${WorkPrefix.mapRuns}copy-prune`,
  /** SnapshotSets (SPEC §12). */
  set: `${WorkPrefix.mapRuns}set`,
} as const;

/** The documents of one run. */
export type RunDocument =
  | 'volumes'
  /** SnapshotVolumes' list when some instances are taken as sets: the volumes on their own. */
  | 'volume-items'
  /** SnapshotSets' list (SetWorkItem[], SPEC §12). */
  | 'sets'
  | 'discovery'
  /** RecordSnapshotRun's record that SnapshotVolumes has ended (SnapshotRunRecord). */
  | 'snapshot-run'
  /** RecordSetRun's record that SnapshotSets has ended (SnapshotRunRecord with `setRun`). */
  | 'set-run'
  /** The pruning loop's copy of SnapshotVolumes' results. */
  | 'created'
  /** The pruning loop's copy of SnapshotSets' results (SPEC §12). */
  | 'sets-created'
  | 'report'
  /** Discover's PruneCopies list (dry run, fallback). */
  | 'copy-plan'
  /** AwaitSnapshots' CopyVolumes list. */
  | 'copies'
  /** AwaitCopies' cache of CopyVolumes' results. */
  | 'copies-created'
  /** AwaitCopies' PruneCopies list. */
  | 'copy-prune';

/** Key of one run's document in the work bucket. */
export function runKey(executionName: string, document: RunDocument): string {
  return `${WorkPrefix.runs}${executionName}/${document}.json`;
}

/**
 * Key of a document of one turn of the pruning loop: its batch's work list (PruneWorkItem[]) or
 * the ledger after it (PruneLedger), `runs/<execution>/prune-batches/<turn>/<volumes|ledger>.json`.
 * A turn's documents are its own: a retried turn rewrites them, no other turn reads them unfinished.
 */
export function pruneBatchKey(executionName: string, turn: number, document: 'volumes' | 'ledger'): string {
  return `${WorkPrefix.runs}${executionName}/prune-batches/${turn}/${document}.json`;
}

/**
 * The folder of every run where the prune function keeps a backlog's progress between slices:
 * `runs/<execution>/prune-progress/`. Only that function reads and writes there (its IAM grant
 * covers that folder of every run and nothing else of the bucket), and it expires with the run.
 */
export const PRUNE_PROGRESS_FOLDER = 'prune-progress/';

/**
 * Key of one volume's backlog progress in a run: by region (the deployment's own, or a copy
 * region's copies) and volume, the unit a prune child works on.
 */
export function pruneProgressKey(executionName: string, region: string, volumeId: string): string {
  return `${WorkPrefix.runs}${executionName}/${PRUNE_PROGRESS_FOLDER}${region}/${volumeId}.json`;
}
