import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import type { EngineEvent } from '../../local/runner/local-execution';
import { DAY, givenWorkflow, START, TAG } from '../fixtures/workflow';

/**
 * The local runner gives each step's simulated clients the retries of the deployed function's
 * clients (EC2_RETRIES_IN_SDK): the SDK's standard retries where the step lets the SDK retry,
 * none for the create and copy steps, whose calls must not be repeated blindly.
 */
describe('the SDK retries of each step, in a local run', () => {
  let world: ReturnType<typeof givenWorkflow>;
  afterEach(() => world.close());

  /** A volume with two generations of N=2, so that the run deletes one; the states its children entered. */
  async function runOneVolume() {
    const { volumeIds } = world.sim.addInstance({ name: 'db', tags: { [TAG]: '2' }, volumes: [{}] });
    const tags = {
      [SnapshotTag.managedBy]: world.deployment.managedBy,
      [SnapshotTag.volumeId]: volumeIds[0],
    };
    for (const day of [1, 2])
      world.sim.addSnapshot({ volumeId: volumeIds[0], startTime: START - day * DAY, tags });
    const entered: string[] = [];
    const retried: string[] = [];
    const onEngineEvent = (event: EngineEvent, map?: string) => {
      if (map === undefined || !event.state) return;
      if (event.type === 'StateEntered') entered.push(event.state.name);
      if (event.type === 'StateRetried') retried.push(event.state.name);
    };
    const result = await world.run({}, { observer: { onEngineEvent } });
    return { result, entered, retried };
  }

  it('GIVEN DeleteSnapshot answers a 5xx twice THEN the prune step’s SDK retries absorb them: no Retry of the state', async () => {
    world = givenWorkflow();
    world.sim.injectFault({ action: 'DeleteSnapshot', error: 'InternalError', times: 2 });
    const { result, retried } = await runOneVolume();
    expect(result.status).toBe('SUCCEEDED');
    expect(world.sim.calls().DeleteSnapshot).toEqual({ succeeded: 1, throttled: 0, failed: 2 });
    expect(retried).toEqual([]);
  });

  it('GIVEN CreateSnapshot answers a 5xx once THEN the create step sees it (no SDK retry) and confirms before creating again', async () => {
    world = givenWorkflow();
    world.sim.injectFault({ action: 'CreateSnapshot', error: 'InternalError', times: 1 });
    const { result, entered } = await runOneVolume();
    expect(result.status).toBe('SUCCEEDED');
    expect(world.sim.calls().CreateSnapshot).toEqual({ succeeded: 1, throttled: 0, failed: 1 });
    expect(entered).toContain('ConfirmSnapshot');
  });
});
