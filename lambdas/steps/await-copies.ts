import type { EC2Client } from '@aws-sdk/client-ec2';
import type { S3Client } from '@aws-sdk/client-s3';
import { getJson, putJson } from '../aws/json-store';
import type {
  AwaitCopiesEvent,
  CopyOutcome,
  CopyPruneWorkList,
  SnapshotProgress,
  SupersededCopy,
} from '../contracts/run-documents';
import { runKey } from '../contracts/work-bucket';
import type { CopyWorkItem, NewSnapshot, PruneWorkItem } from '../contracts/work-items';
import { CopiesPendingError } from '../core/errors';
import { createdOnce, measure, pollRun, stillWaiting } from './await-created';

export interface AwaitCopiesDeps {
  /** EC2 in a copy region, where the copies are listed. */
  ec2In: (region: string) => EC2Client;
  s3: S3Client;
  bucket: string;
  managedBy: string;
  /** The deployment's own region: the source region the copies are tagged with. */
  region: string;
  /** How long one copy may stay pending, from its StartTime. */
  copyWaitLimitSeconds: number;
  now: () => number;
  /** Waits between retries of a throttled page; default the process's timers. */
  sleep?: (ms: number) => Promise<void>;
}

/** A copy CopyVolumes made, as the wait keeps it. */
interface MadeCopy extends NewSnapshot {
  volumeId: string;
  region: string;
}

/** What a CopyVolumes child did: made a copy, or found its source superseded (SupersededCopy). */
type CopyDone = MadeCopy | SupersededCopy;

/**
 * Waits for the copies CopyVolumes made (SPEC §10.4), as AwaitSnapshots waits for the snapshots
 * (see `await-created.ts`): known by ID from the fan-out's results, one listing by the run's tag
 * per copy region. While any copy is pending or not yet visible within the copy wait limit, or a
 * region could not be listed (throttled, transient), it throws `CopiesPending` and the state
 * machine's Retry paces the polls.
 *
 * When done, it writes PruneCopies' work list: every copy work item, as the retention of that
 * volume's copies in that region, with this run's copy when CopyVolumes made one, or the newer
 * snapshot that superseded its source. One without either fails in PruneCopySnapshots (no copy
 * of this run there) and keeps its older copies.
 */
export async function awaitCopies(
  deps: AwaitCopiesDeps,
  event: AwaitCopiesEvent,
): Promise<CopyPruneWorkList> {
  const done = await createdOnce<CopyDone>(
    deps.s3,
    { bucket: deps.bucket, key: runKey(event.executionName, 'copies-created') },
    event.copyRun,
    (output) => {
      const outcome = output as CopyOutcome | undefined;
      if (outcome && 'supersededBy' in outcome) return [copyKey(outcome.volumeId, outcome.region), outcome];
      if (!outcome?.snapshotId) return undefined;
      const { volumeId, region, snapshotId, startTime } = outcome;
      return [copyKey(volumeId, region), { volumeId, region, snapshotId, startTime }];
    },
  );
  // A superseded copy was never made: nothing to wait for.
  const created = new Map(
    [...done].filter((entry): entry is [string, MadeCopy] => !('supersededBy' in entry[1])),
  );
  const byRegion = new Map<string, MadeCopy[]>();
  for (const copy of created.values())
    byRegion.set(copy.region, [...(byRegion.get(copy.region) ?? []), copy]);

  const now = deps.now();
  const deadline = now - deps.copyWaitLimitSeconds * 1000;
  const query = { managedBy: deps.managedBy, runId: event.runId, sourceRegion: deps.region };
  const progress: Record<string, SnapshotProgress> = {};
  const polls = await Promise.all(
    [...byRegion].map(async ([region, copies]) => ({
      region,
      copies,
      poll: await pollRun(deps.ec2In(region), query, deps),
    })),
  );
  for (const { region, copies, poll } of polls) {
    if ('unavailable' in poll) {
      throw new CopiesPendingError(
        created.size,
        `Could not check the ${copies.length} copies of execution ${event.executionName} in ${region} this time (${poll.unavailable.message}); still waiting`,
      );
    }
    progress[region] = measure(copies, poll.listed, deadline, now);
  }
  const waiting = Object.entries(progress).filter(([, p]) => stillWaiting(p) > 0);
  if (waiting.length > 0) {
    const total = waiting.reduce((n, [, p]) => n + stillWaiting(p), 0);
    const where = waiting
      .map(([region, p]) => `${region}: ${stillWaiting(p)}, ${p.notVisible} not yet visible in EC2`)
      .join('; ');
    throw new CopiesPendingError(
      total,
      `${total} of ${created.size} copies of execution ${event.executionName} still pending (${where})`,
    );
  }

  const items = await getJson<CopyWorkItem[]>(deps.s3, event.copyItems);
  const pruneItems: PruneWorkItem[] = items.map(({ source: _, copyGenerations, region, ...volume }) => {
    progress[region] ??= measure([], [], deadline, now);
    const copied = done.get(copyKey(volume.volumeId, region));
    const newSnapshot = copied &&
      'snapshotId' in copied && { snapshotId: copied.snapshotId, startTime: copied.startTime };
    return {
      ...volume,
      generations: copyGenerations,
      region,
      ...(newSnapshot && { newSnapshot }),
      ...(copied && 'supersededBy' in copied && { supersededBy: copied.supersededBy }),
    };
  });
  const location = { bucket: deps.bucket, key: runKey(event.executionName, 'copy-prune') };
  await putJson(deps.s3, location, pruneItems);
  return { ...location, progress };
}

function copyKey(volumeId: string, region: string): string {
  return `${region}/${volumeId}`;
}
