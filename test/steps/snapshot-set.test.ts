import { CreateSnapshotCommand } from '@aws-sdk/client-ec2';
import type { CaughtError } from '../../lambdas/contracts/run-documents';
import type { CreatedSet, ScriptOutcome, SetState, SetWorkItem } from '../../lambdas/contracts/sets';
import { setDescription, setId } from '../../lambdas/contracts/sets';
import { LISTING_LAG_TOLERANCE_MS } from '../../lambdas/core/listing-lag';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { parseSetStepEvent } from '../../lambdas/core/work-item';
import { createSnapshotSet, finishSet } from '../../lambdas/steps/snapshot-set';
import { LOST_RESPONSE } from '../../local/simulated-account';
import { givenSteps, rejection, workItem } from '../fixtures/steps';

// CreateSnapshotSet, ConfirmSnapshotSet and FinishSet (SPEC §12.2–§12.4) against the simulated
// account's CreateSnapshots (one crash-consistent set per call: one StartTime, tags and
// description alike on every snapshot of the set).

function given(
  options: { mode?: SetWorkItem['mode']; onPreScriptFailure?: SetWorkItem['onPreScriptFailure'] } = {},
) {
  const steps = givenSteps();
  const { instanceId, volumeIds } = steps.sim.addInstance({
    name: 'db',
    volumes: [{}, {}, {}, {}],
  });
  const [root, data, log, scratch] = volumeIds;
  const set: SetWorkItem = {
    instanceId,
    instanceName: 'db',
    mode: options.mode ?? 'instance',
    // The root and the scratch volume are left out; data keeps 7 generations, log 2.
    volumes: [
      { ...workItem(data, 7, 'db'), instanceId },
      { ...workItem(log, 2, 'db'), instanceId },
    ].sort((a, b) => (a.volumeId < b.volumeId ? -1 : 1)),
    excludeBootVolume: true,
    excludeDataVolumeIds: [scratch],
    onPreScriptFailure: options.onPreScriptFailure ?? 'crash-consistent',
  };
  const state = (extra: Partial<SetState> = {}): SetState => ({
    set,
    executionName: 'exec-1',
    runId: 'run-key-1',
    absenceConfirmed: false,
    ...extra,
  });
  const clock = { now: steps.clock.now, sleep: async (ms: number) => steps.clock.advance(ms) };
  const deps = { ec2: steps.ec2, managedBy: steps.managedBy, clock };
  return { ...steps, set, state, deps, root, data, log, scratch, instanceId };
}

const tagsOf = (tags: { Key?: string; Value?: string }[] | undefined) =>
  Object.fromEntries((tags ?? []).map((t) => [t.Key, t.Value]));

const success = (phase: 'pre' | 'post'): ScriptOutcome => ({
  phase,
  status: 'Success',
  ran: true,
  message: 'succeeded',
});

describe('snapshot-set step: one set, one point in time (SPEC §12.2)', () => {
  it('GIVEN an instance in instance mode WHEN its set is taken THEN one CreateSnapshots call snapshots exactly the set volumes at one StartTime, tagged with the marker, set id and each volume', async () => {
    const { sim, deps, state, data, log, root, scratch, instanceId } = given();
    const created = (await createSnapshotSet(deps, { state: state() })) as CreatedSet;

    expect(sim.calls().CreateSnapshots.succeeded).toBe(1);
    expect(sim.calls().CreateSnapshot.succeeded).toBe(0);
    expect(created.volumes.map((v) => v.volumeId)).toEqual([data, log].sort());
    expect(sim.snapshotsOf(root)).toHaveLength(0);
    expect(sim.snapshotsOf(scratch)).toHaveLength(0);
    expect(new Set(created.volumes.map((v) => v.startTime)).size).toBe(1);
    expect(created).toMatchObject({
      instanceId,
      setId: setId('run-key-1', instanceId),
      consistency: 'crash',
      reused: false,
    });

    for (const volume of created.volumes) {
      const snapshot = sim.snapshot(volume.snapshotId);
      expect(snapshot?.Description).toBe(setDescription(instanceId, 'db'));
      expect(tagsOf(snapshot?.Tags)).toEqual({
        Name: 'db',
        [SnapshotTag.managedBy]: 'backup-test',
        [SnapshotTag.instanceId]: instanceId,
        [SnapshotTag.execution]: 'exec-1',
        [SnapshotTag.runId]: 'run-key-1',
        [SnapshotTag.setId]: setId('run-key-1', instanceId),
        [SnapshotTag.consistency]: 'crash',
        // Added per snapshot, after creation: a volume's own N governs its pruning.
        [SnapshotTag.volumeId]: volume.volumeId,
        [SnapshotTag.generation]: volume.volumeId === data ? '7' : '2',
      });
    }
  });

  it('GIVEN the set volumes WHEN CreateSnapshots is asked THEN every snapshot carries the marker from its creation (only the volume tags come after)', async () => {
    const { sim, deps, state } = given();
    const created = (await createSnapshotSet(deps, { state: state() })) as CreatedSet;
    const sets = sim.snapshotSetsOf(state().set.instanceId);
    expect(sets).toHaveLength(1);
    // CreateTags only on snapshots of the set, one call each, with the per-volume keys only.
    expect(sim.calls().CreateTags.succeeded).toBe(created.volumes.length);
  });

  it('GIVEN a pre-script that succeeded WHEN the set is taken THEN it is application-consistent; after one that failed, crash-consistent', async () => {
    const app = given({ mode: 'application' });
    const good = (await createSnapshotSet(app.deps, {
      state: app.state({ preScript: success('pre') }),
    })) as CreatedSet;
    expect(good.consistency).toBe('application');
    expect(tagsOf(app.sim.snapshot(good.volumes[0].snapshotId)?.Tags)[SnapshotTag.consistency]).toBe(
      'application',
    );

    const failing = given({ mode: 'application' });
    const failed: ScriptOutcome = {
      phase: 'pre',
      status: 'Failed',
      ran: true,
      responseCode: 3,
      message: 'exited 3',
    };
    const crash = (await createSnapshotSet(failing.deps, {
      state: failing.state({ preScript: failed }),
    })) as CreatedSet;
    expect(crash.consistency).toBe('crash');
  });

  it('GIVEN a failed pre-script and preScriptFailure skip WHEN CreateSnapshotSet runs THEN no set is taken and it says why', async () => {
    const { sim, deps, state } = given({ mode: 'application', onPreScriptFailure: 'skip' });
    const offline: ScriptOutcome = {
      phase: 'pre',
      status: 'AgentOffline',
      ran: false,
      message: 'agent offline',
    };
    const result = await createSnapshotSet(deps, { state: state({ preScript: offline }) });
    expect(result).toMatchObject({ skipped: true });
    expect('reason' in result && result.reason).toContain('AgentOffline');
    expect(sim.calls().CreateSnapshots).toEqual({ succeeded: 0, throttled: 0, failed: 0 });
  });

  it('GIVEN a volume of the set snapshotted less than 15 s ago WHEN the set is asked THEN SnapshotRateExceeded and nothing is made (retried without a look-up)', async () => {
    const { sim, deps, state, data, clock } = given();
    await deps.ec2.send(new CreateSnapshotCommand({ VolumeId: data }));
    clock.advance(5_000);
    const error = await rejection(createSnapshotSet(deps, { state: state() }));
    expect(error.name).toBe('SnapshotRateExceeded');
    expect(sim.snapshotSetsOf(state().set.instanceId)).toHaveLength(0);
  });
});

describe('snapshot-set step: a re-entry never makes a second set (SPEC §12.3, §2.3)', () => {
  it('GIVEN a lost CreateSnapshots answer WHEN the step runs THEN the error sends it to ConfirmSnapshotSet, which finds the set once listed, completing its volume tags', async () => {
    const { sim, deps, state, instanceId, clock } = given();
    sim.injectFault({ action: 'CreateSnapshots', instanceId, error: LOST_RESPONSE });
    const lost = await rejection(createSnapshotSet(deps, { state: state() }));
    expect(['Ec2Transient', 'SnapshotOutcomeUnknown']).toContain(lost.name);
    expect(sim.snapshotSetsOf(instanceId)).toHaveLength(1);

    const since = new Date(clock.now()).toISOString();
    const confirmed = (await createSnapshotSet(deps, { state: state(), confirmSince: since })) as CreatedSet;
    expect(confirmed.reused).toBe(true);
    expect(sim.snapshotSetsOf(instanceId)).toHaveLength(1);
    for (const volume of confirmed.volumes) {
      expect(tagsOf(sim.snapshot(volume.snapshotId)?.Tags)[SnapshotTag.volumeId]).toBe(volume.volumeId);
    }
  });

  it('GIVEN the listing lags WHEN ConfirmSnapshotSet finds nothing THEN SnapshotNotListed until the tolerance has passed, then SnapshotAbsent; it never creates', async () => {
    const { sim, deps, state, instanceId, clock } = given();
    const since = new Date(clock.now()).toISOString();
    const early = await rejection(createSnapshotSet(deps, { state: state(), confirmSince: since }));
    expect(early.name).toBe('SnapshotNotListed');
    clock.advance(LISTING_LAG_TOLERANCE_MS);
    const late = await rejection(createSnapshotSet(deps, { state: state(), confirmSince: since }));
    expect(late.name).toBe('SnapshotAbsent');
    expect(sim.snapshotSetsOf(instanceId)).toHaveLength(0);
  });

  it('GIVEN a set made with its response lost and the listing lagging 20 s WHEN ConfirmSnapshotSet looks THEN it waits for the listing and finds that set', async () => {
    const steps = given();
    const { sim, deps, state, instanceId, clock } = steps;
    sim.setVisibilityLag(20_000);
    sim.injectFault({ action: 'CreateSnapshots', instanceId, error: LOST_RESPONSE });
    await rejection(createSnapshotSet(deps, { state: state() }));
    const since = new Date(clock.now()).toISOString();
    let found: CreatedSet | undefined;
    for (let attempt = 0; attempt < 20 && !found; attempt++) {
      try {
        found = (await createSnapshotSet(deps, { state: state(), confirmSince: since })) as CreatedSet;
      } catch (error) {
        expect((error as Error).name).toBe('SnapshotNotListed');
        clock.advance(5_000);
      }
    }
    expect(found?.reused).toBe(true);
    expect(sim.snapshotSetsOf(instanceId)).toHaveLength(1);
  });

  it('GIVEN a redriven child WHEN its set exists THEN it is returned; WHEN not listed THEN SnapshotOutcomeUnknown (to ConfirmSnapshotSet), never a new set', async () => {
    const { sim, deps, state, instanceId } = given();
    const first = (await createSnapshotSet(deps, { state: state() })) as CreatedSet;
    const again = (await createSnapshotSet(deps, { state: state(), redriveCount: 1 })) as CreatedSet;
    expect(again.reused).toBe(true);
    expect(again.volumes.map((v) => v.snapshotId)).toEqual(first.volumes.map((v) => v.snapshotId));
    expect(sim.snapshotSetsOf(instanceId)).toHaveLength(1);

    const other = given();
    const unknown = await rejection(createSnapshotSet(other.deps, { state: other.state(), redriveCount: 1 }));
    expect(unknown.name).toBe('SnapshotOutcomeUnknown');
    expect(other.sim.snapshotSetsOf(other.instanceId)).toHaveLength(0);
  });

  it('GIVEN the volume tags failed after the set was made WHEN the step fails THEN as of unknown outcome (found, not made again)', async () => {
    const { sim, deps, state } = given();
    sim.injectFault({ action: 'CreateTags', error: 'InternalError', times: 10 });
    const error = await rejection(createSnapshotSet(deps, { state: state() }));
    expect(error.name).toBe('SnapshotOutcomeUnknown');
    expect(error.message).toContain('made by CreateSnapshots');
  });
});

describe('FinishSet: every outcome named with the instance and its volumes (SPEC §12.4)', () => {
  const created = (set: SetWorkItem): CreatedSet => ({
    instanceId: set.instanceId,
    setId: `${set.instanceId}/run-key-1`,
    consistency: 'application',
    startTime: 1,
    volumes: set.volumes.map((v, i) => ({
      volumeId: v.volumeId,
      snapshotId: `snap-${i}`,
      state: 'pending',
      startTime: 1,
      reused: false,
    })),
    reused: false,
  });
  const lambdaError = (name: string, message: string): CaughtError => ({
    Error: name,
    Cause: JSON.stringify({ errorType: name, errorMessage: message }),
  });

  it('GIVEN everything succeeded WHEN finished THEN the set is the output (the pruning loop joins it per volume)', () => {
    const { set, state } = given({ mode: 'application' });
    const done = finishSet({
      state: state({ preScript: success('pre'), created: created(set), postScript: success('post') }),
    });
    expect(done.volumes).toHaveLength(2);
  });

  it.each([
    [
      'a pre-script that failed',
      {
        preScript: {
          phase: 'pre',
          status: 'Failed',
          ran: true,
          responseCode: 3,
          message: 'exited 3: fsfreeze: busy',
        } as ScriptOutcome,
        postScript: success('post'),
      },
      'PreScriptFailed',
      /pre-script Failed \(exit 3\).*fsfreeze: busy.*taken crash-consistent/,
    ],
    [
      'an agent offline',
      {
        preScript: {
          phase: 'pre',
          status: 'AgentOffline',
          ran: false,
          message: 'the SSM agent is offline',
        } as ScriptOutcome,
        postScript: { phase: 'post', status: 'NotRun', ran: false, message: '' } as ScriptOutcome,
      },
      'PreScriptFailed',
      /pre-script AgentOffline/,
    ],
    [
      'a post-script that failed',
      {
        preScript: success('pre'),
        postScript: {
          phase: 'post',
          status: 'Failed',
          ran: true,
          responseCode: 1,
          message: 'exited 1',
        } as ScriptOutcome,
      },
      'PostScriptFailed',
      /post-script Failed \(exit 1\).*may be left frozen/,
    ],
    [
      'a post-script that could not be confirmed',
      { preScript: success('pre'), postScriptError: lambdaError('ScriptPending', 'still running') },
      'PostScriptFailed',
      /post-script could not be confirmed \(ScriptPending: still running\)/,
    ],
  ])(
    'GIVEN %s WHEN finished THEN the child fails with the error it names, naming the instance and its volumes',
    (_, outcome, name, message) => {
      const { set, state } = given({ mode: 'application' });
      const consistency =
        (outcome as Partial<SetState>).preScript?.status === 'Success' ? 'application' : 'crash';
      const error = (() => {
        try {
          finishSet({
            state: state({ created: { ...created(set), consistency }, ...(outcome as Partial<SetState>) }),
          });
        } catch (e) {
          return e as Error;
        }
        throw new Error('finishSet did not fail');
      })();
      expect(error.name).toBe(name);
      expect(error.message).toMatch(message as RegExp);
      expect(error.message).toContain(set.instanceId);
      for (const volume of set.volumes) expect(error.message).toContain(volume.volumeId);
    },
  );

  it('GIVEN CreateSnapshots failed WHEN finished THEN SnapshotSetFailed with EC2 error, and a failed post-script outranks it', () => {
    const { state } = given({ mode: 'application' });
    const createError = lambdaError('ConcurrentSnapshotLimit', 'vol-1: EC2 refused a new snapshot');
    expect(() =>
      finishSet({ state: state({ preScript: success('pre'), createError, postScript: success('post') }) }),
    ).toThrow(
      expect.objectContaining({
        name: 'SnapshotSetFailed',
        message: expect.stringContaining('ConcurrentSnapshotLimit'),
      }),
    );
    const postFailed: ScriptOutcome = {
      phase: 'post',
      status: 'TimedOut',
      ran: true,
      message: 'ran past its 30 s timeout',
    };
    expect(() =>
      finishSet({ state: state({ preScript: success('pre'), createError, postScript: postFailed }) }),
    ).toThrow(
      expect.objectContaining({ name: 'PostScriptFailed', message: expect.stringContaining('no set taken') }),
    );
  });

  it('GIVEN a skipped set WHEN finished THEN PreScriptFailed saying no set was taken', () => {
    const { state, set } = given({ mode: 'application', onPreScriptFailure: 'skip' });
    const failed: ScriptOutcome = {
      phase: 'pre',
      status: 'TimedOut',
      ran: true,
      message: 'ran past its 30 s timeout',
    };
    expect(() =>
      finishSet({
        state: state({
          preScript: failed,
          created: {
            instanceId: set.instanceId,
            skipped: true,
            reason: 'no set taken (preScriptFailure is skip)',
          },
          postScript: success('post'),
        }),
      }),
    ).toThrow(
      expect.objectContaining({ name: 'PreScriptFailed', message: expect.stringContaining('no set taken') }),
    );
  });
});

describe('parseSetStepEvent: a wiring bug is named by field', () => {
  it.each([
    [{}, 'state.set'],
    [{ state: { set: { instanceId: 'i-1', volumes: [] } } }, 'state.set'],
    [
      {
        state: {
          set: { instanceId: 'i-1', mode: 'volume', volumes: [{ volumeId: 'vol-1', generations: 1 }] },
        },
      },
      'state.set.mode',
    ],
    [
      {
        state: {
          set: {
            instanceId: 'i-1',
            mode: 'instance',
            volumes: [{ volumeId: 'vol-1', generations: 0 }],
            excludeBootVolume: false,
            excludeDataVolumeIds: [],
            onPreScriptFailure: 'skip',
          },
          executionName: 'e',
          runId: 'r',
        },
      },
      'state.set.volumes[0].generations',
    ],
  ])('GIVEN %j THEN InvalidInput names %s', (event, field) => {
    expect(() => parseSetStepEvent(event)).toThrow(
      expect.objectContaining({ name: 'InvalidInput', message: expect.stringContaining(field) }),
    );
  });
});
