import type { ScriptOutcome, SetState, SetStepEvent } from '../../lambdas/contracts/sets';
import { SSM_LISTING_LAG_TOLERANCE_MS } from '../../lambdas/contracts/sets';
import { runScript, scriptComment } from '../../lambdas/steps/run-script';
import { LOST_RESPONSE, ManualClock, SimulatedAccount, script } from '../../local/simulated-account';
import { snapshotScriptsDocument } from '../../local/simulated-account/ssm-documents';
import { rejection, workItem } from '../fixtures/steps';

// PreScript and PostScript (SPEC §12.4) against the simulated account's SSM Run Command: each
// invocation sends or follows, and throws ScriptPending while the script runs, so the wait is the
// state machine's Retry, not a sleeping Lambda.

const DOCUMENT = 'EbsGenerationBackup-SnapshotScripts';
const SECOND = 1000;

function given() {
  const clock = new ManualClock();
  const account = new SimulatedAccount({ now: clock.now });
  const { instanceId, volumeIds } = account.ec2.addInstance({ name: 'db', volumes: [{}, {}] });
  account.ssm.registerInstance(instanceId);
  account.ssm.createDocument(snapshotScriptsDocument(DOCUMENT));
  const deps = { ssm: account.ssmClient(), document: DOCUMENT, scriptTimeoutSeconds: 30, now: clock.now };
  const state = (extra: Partial<SetState> = {}): SetState => ({
    set: {
      instanceId,
      instanceName: 'db',
      mode: 'application',
      volumes: volumeIds.map((v) => ({ ...workItem(v, 3, 'db'), instanceId })),
      excludeBootVolume: false,
      excludeDataVolumeIds: [],
      onPreScriptFailure: 'crash-consistent',
    },
    executionName: 'exec-1',
    runId: 'run-key-1',
    absenceConfirmed: false,
    ...extra,
  });
  const entered = new Date(clock.now()).toISOString();
  /** The state's first attempt, then its retries, as the definition's ScriptPending retrier makes them. */
  const untilDone = async (phase: 'pre' | 'post', extra: Partial<SetState> = {}, everyMs = 3 * SECOND) => {
    const event = (retryCount: number): SetStepEvent => ({
      phase,
      state: state(extra),
      retryCount,
      enteredTime: entered,
      redriveCount: 0,
    });
    for (let retry = 0; retry < 100; retry++) {
      try {
        return await runScript(deps, event(retry));
      } catch (error) {
        if ((error as Error).name !== 'ScriptPending') throw error;
        clock.advance(everyMs);
      }
    }
    throw new Error('the script never ended');
  };
  return { clock, account, ssm: account.ssm, deps, state, instanceId, untilDone, entered };
}

describe('run-script step (SPEC §12.4)', () => {
  it('GIVEN a managed instance WHEN its pre-script runs THEN one command of the document with the phase and timeout, waited for by ScriptPending, and Success', async () => {
    const { ssm, instanceId, untilDone } = given();
    ssm.setScriptOutcome(instanceId, script.succeeds({ afterMs: 4 * SECOND }));
    const outcome = await untilDone('pre');
    expect(outcome).toMatchObject({ phase: 'pre', status: 'Success', ran: true });
    const invocations = ssm.invocationsTo(instanceId);
    expect(invocations).toHaveLength(1);
    expect(invocations[0]).toMatchObject({
      DocumentName: DOCUMENT,
      Comment: scriptComment('run-key-1', 'pre'),
    });
    expect(ssm.calls().SendCommand.succeeded).toBe(1);
  });

  it('GIVEN the first attempt WHEN it sends THEN it returns nothing yet: ScriptPending, the Retry waits', async () => {
    const { deps, state, entered } = given();
    const error = await rejection(
      runScript(deps, { phase: 'pre', state: state(), retryCount: 0, enteredTime: entered }),
    );
    expect(error.name).toBe('ScriptPending');
    expect(error.message).toContain('sent');
  });

  it('GIVEN a script that exits 3 WHEN followed THEN Failed with the exit code and the end of its error output', async () => {
    const { ssm, instanceId, untilDone } = given();
    ssm.setScriptOutcome(
      instanceId,
      script.fails(3, { stderr: 'fsfreeze: /data: Device or resource busy\n' }),
    );
    const outcome = await untilDone('pre');
    expect(outcome).toMatchObject({ status: 'Failed', ran: true, responseCode: 3 });
    expect(outcome.message).toContain('fsfreeze: /data: Device or resource busy');
  });

  it('GIVEN a script that hangs WHEN followed THEN TimedOut at its timeout, within the bound the definition waits', async () => {
    const { ssm, instanceId, untilDone, clock } = given();
    ssm.setScriptOutcome(instanceId, script.hangs());
    const started = clock.now();
    const outcome = await untilDone('pre');
    expect(outcome).toMatchObject({ status: 'TimedOut', ran: true });
    expect(clock.now() - started).toBeLessThanOrEqual((30 + 10) * SECOND);
  });

  it('GIVEN an agent that is offline WHEN the pre-script is sent THEN AgentOffline at once (not waited for), the command cancelled, the script never ran', async () => {
    const { ssm, instanceId, untilDone, clock } = given();
    ssm.setAgentStatus(instanceId, 'connection-lost');
    const started = clock.now();
    const outcome = await untilDone('pre');
    expect(outcome).toMatchObject({ status: 'AgentOffline', ran: false });
    expect(clock.now() - started).toBeLessThan(10 * SECOND);
    expect(ssm.calls().CancelCommand.succeeded).toBe(1);
  });

  it('GIVEN an instance that is no managed node WHEN the pre-script is sent THEN NotManaged, saying what an SSM managed node needs', async () => {
    const { account, deps, state, entered } = given();
    const { instanceId } = account.ec2.addInstance({ name: 'legacy' });
    const outcome = await runScript(deps, {
      phase: 'pre',
      state: { ...state(), set: { ...state().set, instanceId } },
      retryCount: 0,
      enteredTime: entered,
    });
    expect(outcome).toMatchObject({ status: 'NotManaged', ran: false });
    expect(outcome.message).toContain('not an SSM managed node');
  });

  it('GIVEN a lost SendCommand answer WHEN the state retries THEN it finds the command it sent and follows it: the script runs once', async () => {
    const { ssm, instanceId, untilDone } = given();
    ssm.injectFault({ action: 'SendCommand', error: LOST_RESPONSE });
    const outcome = await untilDone('pre');
    expect(outcome.status).toBe('Success');
    expect(ssm.invocationsTo(instanceId)).toHaveLength(1);
  });

  it('GIVEN a re-entry that lists no command yet WHEN within the listing tolerance THEN ScriptPending without sending; after it, the command is sent', async () => {
    const { ssm, deps, state, entered, clock, instanceId } = given();
    const retry = (): SetStepEvent => ({
      phase: 'pre',
      state: state(),
      retryCount: 1,
      enteredTime: entered,
      redriveCount: 0,
    });
    const early = await rejection(runScript(deps, retry()));
    expect(early.name).toBe('ScriptPending');
    expect(ssm.invocationsTo(instanceId)).toHaveLength(0);
    clock.advance(SSM_LISTING_LAG_TOLERANCE_MS);
    await rejection(runScript(deps, retry()));
    expect(ssm.invocationsTo(instanceId)).toHaveLength(1);
  });

  it('GIVEN a phase redriven hours after its command was sent WHEN it looks THEN it finds that command from the child’s start: the script is not run again', async () => {
    const { ssm, deps, state, entered, clock, instanceId } = given();
    await rejection(runScript(deps, { phase: 'pre', state: state(), retryCount: 0, enteredTime: entered }));
    clock.advance(2 * 3_600_000);
    const redriven: SetStepEvent = {
      phase: 'pre',
      state: state(),
      retryCount: 0,
      redriveCount: 1,
      enteredTime: new Date(clock.now()).toISOString(),
      executionStartTime: entered,
    };
    expect(await runScript(deps, redriven)).toMatchObject({ status: 'Success', ran: true });
    expect(ssm.invocationsTo(instanceId)).toHaveLength(1);
  });

  it('GIVEN a pre-script that never ran WHEN PostScript runs THEN NotRun, nothing sent; GIVEN one whose outcome is unknown THEN the post-script runs', async () => {
    const { ssm, instanceId, untilDone } = given();
    const offline: ScriptOutcome = { phase: 'pre', status: 'AgentOffline', ran: false, message: 'offline' };
    expect(await untilDone('post', { preScript: offline })).toMatchObject({ status: 'NotRun', ran: false });
    expect(ssm.invocationsTo(instanceId)).toHaveLength(0);

    const post = await untilDone('post', { preScriptError: { Error: 'Lambda.Unknown', Cause: 'timed out' } });
    expect(post.status).toBe('Success');
    expect(ssm.invocationsTo(instanceId)).toHaveLength(1);
  });

  it('GIVEN SSM throttles WHEN the step calls it THEN ScriptPending (the Retry takes it again), never a failed phase', async () => {
    const { ssm, deps, state, entered } = given();
    ssm.injectFault({ action: 'SendCommand', error: 'ThrottlingException' });
    const error = await rejection(
      runScript(deps, { phase: 'pre', state: state(), retryCount: 0, enteredTime: entered }),
    );
    expect(error.name).toBe('ScriptPending');
    expect(error.message).toContain('ThrottlingException');
  });
});
