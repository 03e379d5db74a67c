import { SendCommandCommand, waitUntilCommandExecuted } from '@aws-sdk/client-ssm';
import { SimulatedAccount, script } from '../../local/simulated-account';

// The SDK's own CommandExecuted waiter (@aws-sdk/client-ssm waitForCommandExecuted) against the
// simulated SSM: it retries on InvocationDoesNotExist and on Pending / InProgress / Delayed, so it
// gets through SSM's eventual consistency and reports the script's end.

describe('waitUntilCommandExecuted', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: Date.UTC(2025, 0, 1) });
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  test.each([
    { outcome: script.succeeds({ afterMs: 20_000 }), state: 'SUCCESS', status: 'Success' },
    { outcome: script.fails(2, { afterMs: 20_000 }), state: 'FAILURE', status: 'Failed' },
  ])(
    'GIVEN a script that ends $status after 20 s WHEN the waiter waits THEN it ends $state',
    async ({ outcome, state, status }) => {
      const account = new SimulatedAccount({ now: () => Date.now() });
      const { instanceId } = account.ec2.addInstance();
      account.ssm.registerInstance(instanceId);
      account.ssm.setScriptOutcome(instanceId, outcome);
      const client = account.ssmClient();
      const { Command } = await client.send(
        new SendCommandCommand({
          DocumentName: 'AWS-RunShellScript',
          InstanceIds: [instanceId],
          Parameters: { commands: ['true'] },
        }),
      );

      const waiting = waitUntilCommandExecuted(
        { client, maxWaitTime: 120, minDelay: 5, maxDelay: 5 },
        { CommandId: Command?.CommandId, InstanceId: instanceId },
      ).then(
        (result) => ({ state: result.state, status: (result.reason as { Status?: string }).Status }),
        // The waiter throws a non-success result as an Error whose message is the result's JSON.
        (error: Error) => {
          const result = JSON.parse(error.message) as { state: string; reason: { Status?: string } };
          return { state: result.state, status: result.reason.Status };
        },
      );
      await jest.advanceTimersByTimeAsync(60_000);

      expect(await waiting).toEqual({ state, status });
    },
  );
});
