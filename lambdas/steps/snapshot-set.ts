import { CreateSnapshotsCommand, CreateTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { CallPace, type EnvironmentPace } from '../aws/call-pace';
import { ec2Call } from '../aws/ec2-errors';
import { listManagedSnapshots, type ManagedSnapshot } from '../aws/snapshot-queries';
import { type BackoffClock, realSleep, retryThrottled } from '../aws/throttle-backoff';
import { LISTING_THROTTLE_BUDGET_MS, THROTTLE_BUDGET_MS } from '../commons/function-limits';
import type { CaughtError } from '../contracts/run-documents';
import {
  type CreatedSet,
  type ScriptOutcome,
  type SetSnapshot,
  type SetState,
  type SetStepEvent,
  type SetWorkItem,
  type SkippedSet,
  setDescription,
  setId,
  setLabel,
} from '../contracts/sets';
import {
  SetFailedError,
  SnapshotAbsentError,
  SnapshotNotListedError,
  SnapshotOutcomeUnknownError,
} from '../core/errors';
import { LISTING_LAG_TOLERANCE_MS } from '../core/listing-lag';
import { isReservedTagKey, SnapshotTag } from '../core/snapshot-tags';

export interface SnapshotSetDeps {
  ec2: EC2Client;
  managedBy: string;
  /** Timers for retrying throttled calls in the invocation; default the process's. */
  clock?: BackoffClock;
  /** The pace of CreateSnapshots calls (see CreateSnapshotDeps.callIntervalMs). Absent: unpaced. */
  callIntervalMs?: number;
  environmentPace?: EnvironmentPace;
}

/**
 * CreateSnapshotSet and ConfirmSnapshotSet (SPEC §12.2, §12.3): this run's set of one instance,
 * exactly once. As for a single volume (`createVolumeSnapshot`), CreateSnapshots has no client
 * token: the set carries its set id (`setId`, one per run and instance) from its creation, and
 * - a request EC2 refused (throttled, a volume's 15 s rule) made nothing and is retried without a
 *   look-up;
 * - an attempt of unknown outcome is caught into ConfirmSnapshotSet (`confirmSince`), which looks
 *   for the set until the listing has had LISTING_LAG_TOLERANCE_MS to show it, and never creates;
 * - a redriven child looks once, and leaves the deciding to ConfirmSnapshotSet when nothing is
 *   listed yet.
 *
 * CreateSnapshots applies one Description and one set of tags to every snapshot of the set, so
 * the per-volume tags (the volume ID, its own N, the volume tags it carries) are added by
 * CreateTags on each new snapshot right after, which IAM allows only on snapshots already carrying
 * the marker. Every path that returns a set has checked those tags (a look-up adds what an
 * interrupted attempt left out); once the set exists, any failure is reported as of unknown
 * outcome, so that it is found, never made again.
 *
 * With `application` mode and a pre-script that did not succeed, the set is taken crash-consistent,
 * or not at all when the deployment says `skip` (SPEC §12.4).
 */
export async function createSnapshotSet(
  deps: SnapshotSetDeps,
  event: SetStepEvent,
): Promise<CreatedSet | SkippedSet> {
  const { state } = event;
  const clock = deps.clock ?? { now: Date.now, sleep: realSleep };
  const consistency = consistencyOf(state);
  if (
    consistency === 'crash' &&
    state.set.mode === 'application' &&
    state.set.onPreScriptFailure === 'skip'
  ) {
    return {
      instanceId: state.set.instanceId,
      skipped: true,
      reason: `pre-script ${preScriptSummary(state)}; no set taken (preScriptFailure is skip)`,
    };
  }
  const found = await setOnReentry(deps, event, clock);
  if (found) return found;
  const pace = new CallPace(deps.callIntervalMs ?? 0, clock, deps.environmentPace);
  try {
    return await createOnce(deps, state, consistency, clock, pace);
  } finally {
    await pace.finish();
  }
}

/** `application` only when the pre-script ran and succeeded; every other case is crash-consistent. */
export function consistencyOf(state: SetState): CreatedSet['consistency'] {
  return state.set.mode === 'application' && state.preScript?.status === 'Success' ? 'application' : 'crash';
}

async function createOnce(
  deps: SnapshotSetDeps,
  state: SetState,
  consistency: CreatedSet['consistency'],
  clock: BackoffClock,
  pace: CallPace,
): Promise<CreatedSet> {
  const { set, runId, executionName } = state;
  const id = setId(runId, set.instanceId);
  const response = await retryThrottled(
    () =>
      pace.paced(() =>
        ec2Call(() =>
          deps.ec2.send(
            new CreateSnapshotsCommand({
              InstanceSpecification: {
                InstanceId: set.instanceId,
                ExcludeBootVolume: set.excludeBootVolume,
                ...(set.excludeDataVolumeIds.length > 0 && {
                  ExcludeDataVolumeIds: set.excludeDataVolumeIds,
                }),
              },
              Description: setDescription(set.instanceId, set.instanceName),
              TagSpecifications: [
                { ResourceType: 'snapshot', Tags: setTagsAtCreation(deps.managedBy, state, consistency) },
              ],
            }),
          ),
        ),
      ),
    clock,
    THROTTLE_BUDGET_MS,
  );
  const snapshots: ManagedSnapshot[] = (response.Snapshots ?? []).map((s) => ({
    snapshotId: s.SnapshotId ?? '',
    state: s.State ?? 'pending',
    startTime: s.StartTime ? new Date(s.StartTime).getTime() : clock.now(),
    volumeId: s.VolumeId,
    encrypted: s.Encrypted === true,
    tags: Object.fromEntries((s.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
  }));
  try {
    return await completeSet(deps, set, id, snapshots, consistency, false, clock);
  } catch (error) {
    // The set exists: whatever failed after it must lead to finding it, never to a second one.
    const { name, message } = error as Error;
    throw new SnapshotOutcomeUnknownError(
      `set ${id} of ${setLabel(set)} made by CreateSnapshots (execution ${executionName}), then ${name}: ${message}`,
    );
  }
}

/** The tags CreateSnapshots gives every snapshot of the set alike (SPEC §12.2): no per-volume one. */
export function setTagsAtCreation(
  managedBy: string,
  state: Pick<SetState, 'set' | 'runId' | 'executionName'>,
  consistency: CreatedSet['consistency'],
): { Key: string; Value: string }[] {
  const { set, runId, executionName } = state;
  const name = set.instanceName?.trim() ? set.instanceName : set.instanceId;
  return [
    { Key: 'Name', Value: name },
    { Key: SnapshotTag.managedBy, Value: managedBy },
    { Key: SnapshotTag.instanceId, Value: set.instanceId },
    { Key: SnapshotTag.execution, Value: executionName },
    { Key: SnapshotTag.runId, Value: runId },
    { Key: SnapshotTag.setId, Value: setId(runId, set.instanceId) },
    { Key: SnapshotTag.consistency, Value: consistency },
  ];
}

/** The tags one snapshot of the set gets by CreateTags: its volume, that volume's own N and carried tags. */
export function perVolumeTags(volume: SetWorkItem['volumes'][number]): { Key: string; Value: string }[] {
  return [
    { Key: SnapshotTag.volumeId, Value: volume.volumeId },
    { Key: SnapshotTag.generation, Value: String(volume.generations) },
    ...Object.entries(volume.carriedTags ?? {})
      .filter(([key]) => !isReservedTagKey(key))
      .map(([Key, Value]) => ({ Key, Value })),
  ];
}

/**
 * The set as the run reports it, each snapshot tagged for its volume first (CreateTags where a tag
 * is missing or differs). A snapshot of a volume the item does not name (the instance's volumes
 * changed since discovery) gets no volume tag, so no retention ever counts it; it is named in the
 * error, which the definition reports as an unknown outcome to be looked up.
 */
async function completeSet(
  deps: SnapshotSetDeps,
  set: SetWorkItem,
  id: string,
  snapshots: readonly ManagedSnapshot[],
  consistency: CreatedSet['consistency'],
  reused: boolean,
  clock: BackoffClock,
): Promise<CreatedSet> {
  const byVolume = new Map(set.volumes.map((v) => [v.volumeId, v]));
  const unexpected = snapshots.filter((s) => s.volumeId === undefined || !byVolume.has(s.volumeId));
  if (unexpected.length > 0) {
    throw new Error(
      `CreateSnapshots took ${unexpected.map((s) => `${s.snapshotId} of ${s.volumeId ?? 'an unknown volume'}`).join(', ')}, ` +
        `not in the set discovery made (${set.volumes.map((v) => v.volumeId).join(', ')}): the instance's volumes changed during the run`,
    );
  }
  // One CreateTags per snapshot (their tags differ), all at once: a set of 40 volumes takes no
  // longer to tag than one, within one throttle budget (WORST_CASE_MS.snapshotSet). CreateTags
  // draws on a bucket of its own (100, refilled at 10 a second), which 40 calls leave room in.
  await Promise.all(
    snapshots.map((snapshot) => {
      const volume = byVolume.get(snapshot.volumeId as string) as SetWorkItem['volumes'][number];
      const missing = perVolumeTags(volume).filter((tag) => snapshot.tags[tag.Key] !== tag.Value);
      if (missing.length === 0) return undefined;
      return retryThrottled(
        () =>
          ec2Call(
            () => deps.ec2.send(new CreateTagsCommand({ Resources: [snapshot.snapshotId], Tags: missing })),
            { volumeId: volume.volumeId },
          ),
        clock,
        THROTTLE_BUDGET_MS,
      );
    }),
  );
  const taken = new Set(snapshots.map((s) => s.volumeId));
  const notTaken = set.volumes.filter((v) => !taken.has(v.volumeId));
  if (notTaken.length > 0) {
    throw new Error(
      `set ${id}: CreateSnapshots took no snapshot of ${notTaken.map((v) => v.volumeId).join(', ')} (detached since discovery?)`,
    );
  }
  const volumes: SetSnapshot[] = snapshots
    .map((s) => ({
      volumeId: s.volumeId as string,
      snapshotId: s.snapshotId,
      state: s.state,
      startTime: s.startTime,
      reused,
    }))
    .sort((a, b) => (a.volumeId < b.volumeId ? -1 : a.volumeId > b.volumeId ? 1 : 0));
  return {
    instanceId: set.instanceId,
    setId: id,
    consistency: (snapshots[0]?.tags[SnapshotTag.consistency] as CreatedSet['consistency']) ?? consistency,
    startTime: Math.min(...snapshots.map((s) => s.startTime)),
    volumes,
    reused,
  };
}

/** This run's set of the instance, as listed by its set id (marker and set checked client-side too). */
async function findSet(deps: SnapshotSetDeps, set: SetWorkItem, runId: string, clock: BackoffClock) {
  return retryThrottled(
    () => listManagedSnapshots(deps.ec2, { managedBy: deps.managedBy, setId: setId(runId, set.instanceId) }),
    clock,
    LISTING_THROTTLE_BUDGET_MS,
  );
}

/**
 * The look-up of a re-entry (see `runSnapshotOnReentry`): ConfirmSnapshotSet (`confirmSince`)
 * finds the set or, after LISTING_LAG_TOLERANCE_MS, says it is absent; a redriven child looks once.
 */
async function setOnReentry(
  deps: SnapshotSetDeps,
  event: SetStepEvent,
  clock: BackoffClock,
): Promise<CreatedSet | undefined> {
  const { state } = event;
  const { set, runId } = state;
  const id = setId(runId, set.instanceId);
  const what = `this run's set ${id} of ${setLabel(set)}`;
  const reuse = (found: ManagedSnapshot[]) =>
    completeSet(deps, set, id, found, consistencyOf(state), true, clock);
  if (event.confirmSince !== undefined) {
    const found = await findSet(deps, set, runId, clock);
    if (found.length > 0) return reuse(found);
    const entered = Date.parse(event.confirmSince);
    const waited = clock.now() - entered;
    const seconds = Math.round(waited / 1000);
    if (Number.isNaN(entered) || waited < LISTING_LAG_TOLERANCE_MS) {
      throw new SnapshotNotListedError(
        `${what}: none listed ${seconds} s after an attempt of unknown outcome; looking again, not creating`,
      );
    }
    throw new SnapshotAbsentError(
      `${what}: none listed ${seconds} s after an attempt of unknown outcome (the listing lags at most ` +
        `${LISTING_LAG_TOLERANCE_MS / 1000} s): the attempt made none; making it now`,
    );
  }
  if ((event.redriveCount ?? 0) === 0 || state.absenceConfirmed === true) return undefined;
  const found = await findSet(deps, set, runId, clock);
  if (found.length > 0) return reuse(found);
  throw new SnapshotOutcomeUnknownError(
    `${what}: redriven, and an earlier attempt may have made it; looking for it before making it`,
  );
}

/**
 * FinishSet (SPEC §12.3, §12.4): the set's outcome. Everything as asked: the set, which the pruning
 * loop joins per volume. Otherwise the child fails, so the console, `status` and the email show it,
 * with a cause naming the instance, its volumes, what failed and what was taken; the most urgent
 * names the error: a post-script that did not confirm (the application may be left frozen), then
 * no set, then a set taken without its application's help.
 */
export function finishSet(event: SetStepEvent): CreatedSet {
  const { state } = event;
  const { set } = state;
  const problems: string[] = [];
  let name: 'PreScriptFailed' | 'SnapshotSetFailed' | 'PostScriptFailed' | undefined;
  const worst = (next: typeof name) => {
    const order = [undefined, 'PreScriptFailed', 'SnapshotSetFailed', 'PostScriptFailed'];
    if (order.indexOf(next) > order.indexOf(name)) name = next;
  };
  if (set.mode === 'application' && (state.preScriptError || state.preScript?.status !== 'Success')) {
    problems.push(`pre-script ${preScriptSummary(state)}`);
    worst('PreScriptFailed');
  }
  const created = state.created;
  if (state.createError || !created) {
    problems.push(`CreateSnapshots failed: ${caught(state.createError) ?? 'no result'}; no set taken`);
    worst('SnapshotSetFailed');
  } else if ('skipped' in created) {
    problems.push(created.reason);
  } else if (problems.length > 0) {
    problems.push(`set ${created.setId} taken ${created.consistency}-consistent: ${snapshotList(created)}`);
  }
  if (set.mode === 'application') {
    const post = state.postScript;
    if (state.postScriptError) {
      problems.push(
        `post-script could not be confirmed (${caught(state.postScriptError)}): the application may be left frozen`,
      );
      worst('PostScriptFailed');
    } else if (post && post.status !== 'Success' && post.status !== 'NotRun') {
      problems.push(`post-script ${scriptSummary(post)}: the application may be left frozen`);
      worst('PostScriptFailed');
    }
  }
  if (name === undefined) return created as CreatedSet;
  throw new SetFailedError(name, `${setLabel(set)}: ${problems.join('; ')}`);
}

function snapshotList(created: CreatedSet): string {
  return created.volumes.map((v) => `${v.snapshotId} (${v.volumeId})`).join(', ');
}

function preScriptSummary(state: SetState): string {
  if (state.preScriptError) return `could not be confirmed (${caught(state.preScriptError)})`;
  return state.preScript ? scriptSummary(state.preScript) : 'did not run';
}

/** `Failed (exit 3): <message>`, `AgentOffline: <message>`, … */
export function scriptSummary(outcome: ScriptOutcome): string {
  const code =
    outcome.responseCode !== undefined && outcome.status === 'Failed'
      ? ` (exit ${outcome.responseCode})`
      : '';
  return `${outcome.status}${code}: ${outcome.message}`;
}

/** A caught error's name and message (a Lambda error's Cause is its JSON document). */
function caught(error: CaughtError | undefined): string | undefined {
  if (!error) return undefined;
  let message = error.Cause ?? '';
  try {
    message = (JSON.parse(message) as { errorMessage?: string }).errorMessage ?? message;
  } catch {
    // Not a Lambda error document: the Cause as it is.
  }
  return `${error.Error ?? 'Error'}: ${message}`;
}
