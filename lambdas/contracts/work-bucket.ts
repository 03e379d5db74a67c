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
  /** `runs/<execution>/{volumes,discovery,created,prune,report}.json`. */
  runs: 'runs/',
  /** Distributed Map results (ResultWriter): `map-runs/<map>/<map run id>/manifest.json`, … */
  mapRuns: 'map-runs/',
} as const;

/** The ResultWriter prefix of each Distributed Map (a placeholder of the definition). */
export const MapRunPrefix = {
  snapshot: `${WorkPrefix.mapRuns}snapshot`,
  prune: `${WorkPrefix.mapRuns}prune`,
} as const;

/** The documents of one run. */
export type RunDocument = 'volumes' | 'discovery' | 'created' | 'prune' | 'report';

/** Key of one run's document in the work bucket. */
export function runKey(executionName: string, document: RunDocument): string {
  return `${WorkPrefix.runs}${executionName}/${document}.json`;
}
