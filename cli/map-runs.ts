import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  type MapRunListItem,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { executionConsoleUrl } from '../lambdas/contracts/console-links';
import type { VolumeFailure } from '../lambdas/contracts/run-documents';
import { toSetFailures, toVolumeFailure } from '../lambdas/steps/summarise';
import { StateName } from '../statemachine/names';
import { regionOf } from './arns';
import { awsCall } from './errors';

/** How far one Distributed Map of an execution has got (DescribeMapRun's item counts). */
export interface MapRunProgress {
  /**
   * The Map's label: SnapshotVolumes, SnapshotSets (one child per instance taken as a set),
   * PruneVolumes (one Map Run per batch), CopyVolumes or PruneCopies.
   */
  map: string;
  mapRunArn: string;
  /** RUNNING, SUCCEEDED, FAILED or ABORTED. */
  status: string;
  succeeded: number;
  /** Failed, timed out or aborted. */
  failed: number;
  running: number;
  total: number;
}

/** A volume that failed in a fan-out, with the child execution that failed it. */
export interface FailedVolume extends VolumeFailure {
  /** The failed child execution, when read from the Map Run rather than the run's report. */
  childExecutionArn?: string;
  consoleUrl?: string;
}

/** The state inside each Map whose failure fails a child (the step of a VolumeFailure). */
const STEP_OF_MAP: Record<string, string> = {
  [StateName.snapshotVolumes]: StateName.createSnapshot,
  [StateName.pruneVolumes]: StateName.pruneSnapshots,
  [StateName.copyVolumes]: StateName.copySnapshot,
  [StateName.pruneCopies]: StateName.pruneCopySnapshots,
};

/**
 * The Map's label, from its Map Run's ARN:
 * `arn:aws:states:<region>:<account>:mapRun:<state machine>/<label>:<id>`.
 */
export function mapLabel(mapRunArn: string): string {
  return /:mapRun:[^/]+\/([^:]+):/.exec(mapRunArn)?.[1] ?? mapRunArn;
}

/** The execution's Map Runs, oldest first (every page). */
export async function listMapRuns(sfn: SFNClient, executionArn: string): Promise<MapRunListItem[]> {
  const runs: MapRunListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('states:ListMapRuns', () =>
      sfn.send(new ListMapRunsCommand({ executionArn, nextToken })),
    );
    runs.push(...(page.mapRuns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return runs.sort((a, b) => (a.startDate?.getTime() ?? 0) - (b.startDate?.getTime() ?? 0));
}

/**
 * Item counts of each of the execution's Map Runs, oldest first. `ended`, kept by a caller that
 * asks again and again (`run --follow`), holds the Map Runs that had ended: their counts do not
 * change while the execution runs, so each is described once, not at every poll (the pruning loop
 * starts a Map Run per batch, some 40 in a run of 10,000 volumes).
 */
export async function mapRunProgress(
  sfn: SFNClient,
  executionArn: string,
  ended = new Map<string, MapRunProgress>(),
): Promise<MapRunProgress[]> {
  const runs = await listMapRuns(sfn, executionArn);
  return Promise.all(
    runs.map(async (run) => {
      const mapRunArn = run.mapRunArn ?? '';
      const known = ended.get(mapRunArn);
      if (known) return known;
      const progress = await describeProgress(sfn, mapRunArn);
      if (progress.status !== 'RUNNING') ended.set(mapRunArn, progress);
      return progress;
    }),
  );
}

async function describeProgress(sfn: SFNClient, mapRunArn: string): Promise<MapRunProgress> {
  const described = await awsCall('states:DescribeMapRun', () =>
    sfn.send(new DescribeMapRunCommand({ mapRunArn })),
  );
  const items = described.itemCounts;
  return {
    map: mapLabel(mapRunArn),
    mapRunArn,
    status: described.status ?? 'RUNNING',
    succeeded: items?.succeeded ?? 0,
    failed: (items?.failed ?? 0) + (items?.timedOut ?? 0) + (items?.aborted ?? 0),
    running: items?.running ?? 0,
    total: items?.total ?? 0,
  };
}

/**
 * Every volume that failed in the execution's fan-outs, read from Step Functions: each Map
 * Run's failed children and, for each, its input (the volume, and the region for a copy) and
 * error. A failed SnapshotSets child is one instance's set: each of its volumes is named, with
 * the set's error (`toSetFailures`). A volume that failed in SnapshotVolumes or SnapshotSets also
 * fails in PruneVolumes, and a copy that failed in CopyVolumes also in PruneCopies; each is named
 * once, with its first failure, as the run's report does: a set's first, since it says what
 * its volumes' own results cannot.
 */
export async function failedChildren(sfn: SFNClient, executionArn: string): Promise<FailedVolume[]> {
  const failures = new Map<string, FailedVolume>();
  const runs = await listMapRuns(sfn, executionArn);
  const setsFirst = [
    ...runs.filter((run) => isSetMap(run.mapRunArn)),
    ...runs.filter((run) => !isSetMap(run.mapRunArn)),
  ];
  for (const run of setsFirst) {
    const mapRunArn = run.mapRunArn ?? '';
    const step = STEP_OF_MAP[mapLabel(mapRunArn)] ?? mapLabel(mapRunArn);
    for (const childArn of await failedChildArns(sfn, mapRunArn)) {
      const child = await awsCall('states:DescribeExecution', () =>
        sfn.send(new DescribeExecutionCommand({ executionArn: childArn })),
      );
      const result = { ExecutionArn: childArn, Input: child.input, Error: child.error, Cause: child.cause };
      const childFailures = isSetMap(mapRunArn) ? toSetFailures(result) : [toVolumeFailure(result, step)];
      for (const failure of childFailures) {
        const key = failure.region === undefined ? failure.volumeId : `${failure.volumeId} ${failure.region}`;
        if (failures.has(key)) continue;
        failures.set(key, {
          ...failure,
          childExecutionArn: childArn,
          consoleUrl: executionConsoleUrl(regionOf(childArn), childArn),
        });
      }
    }
  }
  const order = (f: FailedVolume) => `${f.volumeId} ${f.region ?? ''}`;
  return [...failures.values()].sort((a, b) => (order(a) < order(b) ? -1 : 1));
}

function isSetMap(mapRunArn: string | undefined): boolean {
  return mapLabel(mapRunArn ?? '') === StateName.snapshotSets;
}

async function failedChildArns(sfn: SFNClient, mapRunArn: string): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await awsCall('states:ListExecutions', () =>
      sfn.send(new ListExecutionsCommand({ mapRunArn, statusFilter: 'FAILED', nextToken })),
    );
    arns.push(...(page.executions ?? []).flatMap((e) => (e.executionArn ? [e.executionArn] : [])));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}
