import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  InvocationDoesNotExist,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  type SendCommandRequest,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { LOST_RESPONSE, ManualClock, SimulatedAccount, script } from '../../local/simulated-account';
import { ssmErrorFrom } from '../fixtures/account';

// SSM Run Command as the simulated account answers it, through the real SSMClient. Sources:
// statuses and timeouts https://docs.aws.amazon.com/systems-manager/latest/userguide/monitor-commands.html,
// API https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html,
// API_GetCommandInvocation.html, API_ListCommandInvocations.html, API_CancelCommand.html beside it;
// each rule's own source is in local/simulated-account/ssm-*.ts.

const SECOND = 1000;
const LAG = 1000;

/** An account with one EC2 instance that is a managed node, its agent online. */
function givenManagedInstance() {
  const clock = new ManualClock();
  const account = new SimulatedAccount({ now: clock.now });
  const { instanceId } = account.ec2.addInstance({ name: 'db' });
  account.ssm.registerInstance(instanceId);
  return { clock, account, ssm: account.ssm, client: account.ssmClient(), instanceId };
}

function shell(instanceId: string, extra: Partial<SendCommandRequest> = {}) {
  return new SendCommandCommand({
    DocumentName: 'AWS-RunShellScript',
    InstanceIds: [instanceId],
    Parameters: { commands: ['/etc/ebs-backup/pre-snapshot'] },
    ...extra,
  });
}

async function send(client: SSMClient, command: SendCommandCommand): Promise<string> {
  const { Command } = await client.send(command);
  return Command?.CommandId as string;
}

function get(client: SSMClient, CommandId: string, InstanceId: string) {
  return client.send(new GetCommandInvocationCommand({ CommandId, InstanceId }));
}

describe('SendCommand', () => {
  test('GIVEN a managed instance WHEN SendCommand THEN a Pending command whose ExpiresAfter is the request time plus TimeoutSeconds plus the execution timeout', async () => {
    const { client, clock, instanceId } = givenManagedInstance();

    const { Command } = await client.send(
      shell(instanceId, {
        TimeoutSeconds: 600,
        Parameters: { commands: ['true'], executionTimeout: ['120'] },
        Comment: 'pre',
      }),
    );

    expect(Command).toMatchObject({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [instanceId],
      Status: 'Pending',
      StatusDetails: 'Pending',
      Comment: 'pre',
      TimeoutSeconds: 600,
      TargetCount: 1,
      RequestedDateTime: new Date(clock.now()),
      ExpiresAfter: new Date(clock.now() + (600 + 120) * SECOND),
    });
    expect(Command?.CommandId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test('GIVEN an instance that is not a managed node WHEN SendCommand THEN InvalidInstanceId, worded as SSM words it, and nothing is sent', async () => {
    const { account, client, ssm } = givenManagedInstance();
    const { instanceId } = account.ec2.addInstance();

    const error = await ssmErrorFrom(client.send(shell(instanceId)));

    expect(error.name).toBe('InvalidInstanceId');
    expect(error.$fault).toBe('client');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe(`Instances [[${instanceId}]] not in a valid state for account 123456789012`);
    expect(ssm.invocationsTo(instanceId)).toEqual([]);
    expect(ssm.calls().SendCommand).toEqual({ succeeded: 0, throttled: 0, failed: 1 });
  });

  test.each(['terminated', 'shutting-down'] as const)(
    'GIVEN a managed instance %s WHEN SendCommand THEN InvalidInstanceId',
    async (state) => {
      const { account, client, instanceId } = givenManagedInstance();
      account.ec2.setInstanceState(instanceId, state);

      const error = await ssmErrorFrom(client.send(shell(instanceId)));

      expect(error.name).toBe('InvalidInstanceId');
    },
  );

  test('GIVEN a managed instance whose agent lost its connection WHEN SendCommand THEN it is accepted: the command waits for the agent', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setAgentStatus(instanceId, 'connection-lost');

    const commandId = await send(client, shell(instanceId));
    clock.advance(LAG);

    expect((await get(client, commandId, instanceId)).Status).toBe('Delayed');
  });

  test.each([
    {
      problem: 'an unknown document',
      request: { DocumentName: 'No-Such-Document' },
      code: 'InvalidDocument',
    },
    { problem: 'no commands', request: { Parameters: {} }, code: 'InvalidParameters' },
    {
      problem: 'a parameter the document does not define',
      request: { Parameters: { commands: ['true'], timeout: ['5'] } },
      code: 'InvalidParameters',
    },
    {
      problem: 'an executionTimeout over 172800',
      request: { Parameters: { commands: ['true'], executionTimeout: ['172801'] } },
      code: 'InvalidParameters',
    },
    {
      problem: 'an instance ID twice',
      request: { InstanceIds: ['INSTANCE', 'INSTANCE'] },
      code: 'DuplicateInstanceId',
    },
  ] as { problem: string; request: Partial<SendCommandRequest>; code: string }[])(
    'GIVEN $problem WHEN SendCommand THEN $code and nothing is sent',
    async ({ request, code }) => {
      const { client, ssm, instanceId } = givenManagedInstance();
      const ids = request.InstanceIds?.map(() => instanceId);

      const error = await ssmErrorFrom(
        client.send(shell(instanceId, { ...request, ...(ids && { InstanceIds: ids }) })),
      );

      expect(error.name).toBe(code);
      expect(ssm.invocationsTo(instanceId)).toEqual([]);
    },
  );
});

describe('invocations are eventually consistent', () => {
  test('GIVEN a command just sent WHEN its invocation is read at once THEN InvocationDoesNotExist and an empty list; a second later both show it', async () => {
    const { client, clock, instanceId } = givenManagedInstance();
    const commandId = await send(client, shell(instanceId));

    const missing = await ssmErrorFrom(get(client, commandId, instanceId));
    const emptyList = await client.send(new ListCommandInvocationsCommand({ CommandId: commandId }));
    clock.advance(LAG);
    const found = await get(client, commandId, instanceId);
    const listed = await client.send(new ListCommandInvocationsCommand({ CommandId: commandId }));

    expect(missing).toBeInstanceOf(InvocationDoesNotExist);
    expect(emptyList.CommandInvocations).toEqual([]);
    expect(found.CommandId).toBe(commandId);
    expect(listed.CommandInvocations?.map((i) => i.InstanceId)).toEqual([instanceId]);
  });

  test('GIVEN a command ID that cannot be one WHEN GetCommandInvocation THEN InvalidCommandId; GIVEN another step name THEN InvalidPluginName', async () => {
    const { client, clock, instanceId } = givenManagedInstance();
    const commandId = await send(client, shell(instanceId));
    clock.advance(LAG);

    const malformed = await ssmErrorFrom(get(client, 'nope', instanceId));
    const plugin = await ssmErrorFrom(
      client.send(
        new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId, PluginName: 'x' }),
      ),
    );
    const named = await client.send(
      new GetCommandInvocationCommand({
        CommandId: commandId,
        InstanceId: instanceId,
        PluginName: 'aws:runShellScript',
      }),
    );

    expect(malformed.name).toBe('InvalidCommandId');
    expect(plugin.name).toBe('InvalidPluginName');
    expect(named.PluginName).toBe('aws:runShellScript');
  });
});

describe('a script on an online agent', () => {
  test('GIVEN a script that succeeds after 5 s WHEN it runs THEN InProgress (ResponseCode -1, no output) until it exits, then Success with exit code 0 and its output', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setScriptOutcome(instanceId, script.succeeds({ afterMs: 5 * SECOND, stdout: 'frozen\n' }));
    const sentAt = clock.now();
    const commandId = await send(client, shell(instanceId));

    clock.advance(LAG);
    const running = await get(client, commandId, instanceId);
    clock.advance(4 * SECOND);
    const done = await get(client, commandId, instanceId);

    expect(running).toMatchObject({
      Status: 'InProgress',
      StatusDetails: 'InProgress',
      ResponseCode: -1,
      StandardOutputContent: '',
      ExecutionStartDateTime: new Date(sentAt).toISOString(),
      ExecutionEndDateTime: '',
    });
    expect(done).toMatchObject({
      Status: 'Success',
      StatusDetails: 'Success',
      ResponseCode: 0,
      StandardOutputContent: 'frozen\n',
      DocumentName: 'AWS-RunShellScript',
      ExecutionEndDateTime: new Date(sentAt + 5 * SECOND).toISOString(),
      ExecutionElapsedTime: 'PT5.000S',
    });
  });

  test('GIVEN a script that exits 3 WHEN it ends THEN Failed, ResponseCode 3, its stderr reported', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setScriptOutcome(instanceId, script.fails(3, { stderr: 'database busy' }));
    const commandId = await send(client, shell(instanceId));

    clock.advance(2 * SECOND);

    expect(await get(client, commandId, instanceId)).toMatchObject({
      Status: 'Failed',
      StatusDetails: 'Failed',
      ResponseCode: 3,
      StandardErrorContent: 'database busy',
    });
  });

  test('GIVEN stdout over 24,000 and stderr over 8,000 characters WHEN reported THEN only the first 24,000 and 8,000 are in the answer', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setScriptOutcome(
      instanceId,
      script.fails(1, { stdout: 'o'.repeat(30_000), stderr: 'e'.repeat(9_000) }),
    );
    const commandId = await send(client, shell(instanceId));
    clock.advance(2 * SECOND);

    const answer = await get(client, commandId, instanceId);

    expect(answer.StandardOutputContent).toHaveLength(24_000);
    expect(answer.StandardErrorContent).toHaveLength(8_000);
  });

  test.each([
    { document: 'AWS-RunShellScript', code: 137 },
    { document: 'AWS-RunPowerShellScript', code: -1 },
  ])(
    'GIVEN a $document script that hangs WHEN the execution timeout passes THEN TimedOut / ExecutionTimedOut, ResponseCode $code',
    async ({ document, code }) => {
      const { client, ssm, clock, instanceId } = givenManagedInstance();
      ssm.setScriptOutcome(instanceId, script.hangs());
      const commandId = await send(
        client,
        shell(instanceId, {
          DocumentName: document,
          Parameters: { commands: ['x'], executionTimeout: ['60'] },
        }),
      );

      clock.advance(60 * SECOND - 1);
      const before = await get(client, commandId, instanceId);
      clock.advance(1);
      const after = await get(client, commandId, instanceId);

      expect(before.Status).toBe('InProgress');
      expect(after).toMatchObject({
        Status: 'TimedOut',
        StatusDetails: 'ExecutionTimedOut',
        ResponseCode: code,
      });
    },
  );

  test('GIVEN outcomes by script WHEN the pre-script and then the post-script are sent THEN each gets its own outcome', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setScriptOutcome(instanceId, script.fails(2), { parameterContains: 'pre-snapshot' });
    ssm.setScriptOutcome(instanceId, script.succeeds(), { parameterContains: 'post-snapshot' });

    const pre = await send(client, shell(instanceId));
    const post = await send(
      client,
      shell(instanceId, { Parameters: { commands: ['/etc/ebs-backup/post-snapshot'] } }),
    );
    clock.advance(2 * SECOND);

    expect((await get(client, pre, instanceId)).Status).toBe('Failed');
    expect((await get(client, post, instanceId)).Status).toBe('Success');
  });

  test('GIVEN no outcome set WHEN a script is sent THEN it succeeds after 1 s (the default)', async () => {
    const { client, clock, instanceId } = givenManagedInstance();
    const commandId = await send(client, shell(instanceId));

    clock.advance(SECOND);

    expect((await get(client, commandId, instanceId)).Status).toBe('Success');
  });
});

describe('an agent that is offline', () => {
  test('GIVEN an agent offline at SendCommand WHEN it is back within TimeoutSeconds THEN Delayed until then, and the script runs from then on', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setAgentStatus(instanceId, 'connection-lost');
    ssm.setScriptOutcome(instanceId, script.succeeds({ afterMs: 2 * SECOND }));
    const commandId = await send(client, shell(instanceId, { TimeoutSeconds: 60 }));

    clock.advance(30 * SECOND);
    const delayed = await get(client, commandId, instanceId);
    ssm.setAgentStatus(instanceId, 'online');
    const backAt = clock.now();
    clock.advance(SECOND);
    const running = await get(client, commandId, instanceId);
    clock.advance(SECOND);
    const done = await get(client, commandId, instanceId);

    expect(delayed).toMatchObject({ Status: 'Delayed', StatusDetails: 'Delayed', ResponseCode: -1 });
    expect(running).toMatchObject({
      Status: 'InProgress',
      ExecutionStartDateTime: new Date(backAt).toISOString(),
    });
    expect(done.Status).toBe('Success');
  });

  test('GIVEN an agent that never comes back WHEN TimeoutSeconds plus the execution timeout pass THEN TimedOut / DeliveryTimedOut, ResponseCode -1', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setAgentStatus(instanceId, 'connection-lost');
    const commandId = await send(
      client,
      shell(instanceId, { TimeoutSeconds: 60, Parameters: { commands: ['x'], executionTimeout: ['120'] } }),
    );

    clock.advance(180 * SECOND - 1);
    const before = await get(client, commandId, instanceId);
    clock.advance(1);
    const after = await get(client, commandId, instanceId);

    expect(before.Status).toBe('Delayed');
    expect(after).toMatchObject({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut', ResponseCode: -1 });
  });

  test('GIVEN an agent back only after TimeoutSeconds WHEN the command expires THEN it never ran: Pending, then DeliveryTimedOut', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setAgentStatus(instanceId, 'connection-lost');
    const commandId = await send(
      client,
      shell(instanceId, { TimeoutSeconds: 60, Parameters: { commands: ['x'], executionTimeout: ['120'] } }),
    );

    clock.advance(90 * SECOND);
    ssm.setAgentStatus(instanceId, 'online');
    const late = await get(client, commandId, instanceId);
    clock.advance(90 * SECOND);
    const expired = await get(client, commandId, instanceId);

    expect(late).toMatchObject({ Status: 'Pending', ExecutionStartDateTime: '' });
    expect(expired.StatusDetails).toBe('DeliveryTimedOut');
  });

  test('GIVEN the agent goes offline while the script runs WHEN it is back before the command expires THEN InProgress until then, then the script outcome', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setScriptOutcome(instanceId, script.fails(4, { afterMs: 5 * SECOND }));
    const commandId = await send(client, shell(instanceId));

    clock.advance(2 * SECOND);
    ssm.setAgentStatus(instanceId, 'connection-lost');
    clock.advance(60 * SECOND);
    const silent = await get(client, commandId, instanceId);
    ssm.setAgentStatus(instanceId, 'online');
    const back = await get(client, commandId, instanceId);

    expect(silent).toMatchObject({ Status: 'InProgress', ResponseCode: -1 });
    expect(back).toMatchObject({ Status: 'Failed', ResponseCode: 4 });
  });

  test('GIVEN the agent goes offline while the script runs and never comes back WHEN the command expires THEN TimedOut / DeliveryTimedOut', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setScriptOutcome(instanceId, script.succeeds({ afterMs: 5 * SECOND }));
    const commandId = await send(
      client,
      shell(instanceId, { TimeoutSeconds: 30, Parameters: { commands: ['x'], executionTimeout: ['60'] } }),
    );

    clock.advance(SECOND);
    ssm.setAgentStatus(instanceId, 'connection-lost');
    clock.advance(89 * SECOND - 1);
    const before = await get(client, commandId, instanceId);
    clock.advance(1);
    const after = await get(client, commandId, instanceId);

    expect(before.Status).toBe('InProgress');
    expect(after).toMatchObject({ Status: 'TimedOut', StatusDetails: 'DeliveryTimedOut' });
  });

  test('GIVEN a node deregistered before the command reached it WHEN read THEN Undeliverable', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setAgentStatus(instanceId, 'connection-lost');
    const commandId = await send(client, shell(instanceId));

    clock.advance(5 * SECOND);
    ssm.setAgentStatus(instanceId, 'not-managed');
    clock.advance(SECOND);

    expect(await get(client, commandId, instanceId)).toMatchObject({
      Status: 'Failed',
      StatusDetails: 'Undeliverable',
      ResponseCode: -1,
    });
  });
});

describe('CancelCommand', () => {
  test('GIVEN a command not yet delivered WHEN cancelled THEN Cancelled, ResponseCode -1, and it never runs', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setAgentStatus(instanceId, 'connection-lost');
    const commandId = await send(client, shell(instanceId));

    clock.advance(LAG);
    await client.send(new CancelCommandCommand({ CommandId: commandId }));
    ssm.setAgentStatus(instanceId, 'online');
    clock.advance(10 * SECOND);

    expect(await get(client, commandId, instanceId)).toMatchObject({
      Status: 'Cancelled',
      ResponseCode: -1,
      ExecutionStartDateTime: '',
    });
  });

  test('GIVEN a running script WHEN cancelled THEN the agent stops it: Cancelled, ResponseCode 137', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setScriptOutcome(instanceId, script.hangs());
    const commandId = await send(client, shell(instanceId));

    clock.advance(5 * SECOND);
    await client.send(new CancelCommandCommand({ CommandId: commandId, InstanceIds: [instanceId] }));

    expect(await get(client, commandId, instanceId)).toMatchObject({
      Status: 'Cancelled',
      ResponseCode: 137,
    });
  });

  test('GIVEN a running script on an agent that went offline WHEN cancelled THEN Cancelling until the agent is back, then Cancelled', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setScriptOutcome(instanceId, script.hangs());
    const commandId = await send(client, shell(instanceId));
    clock.advance(5 * SECOND);
    ssm.setAgentStatus(instanceId, 'connection-lost');

    await client.send(new CancelCommandCommand({ CommandId: commandId }));
    const cancelling = await get(client, commandId, instanceId);
    clock.advance(SECOND);
    ssm.setAgentStatus(instanceId, 'online');
    const cancelled = await get(client, commandId, instanceId);

    expect(cancelling.Status).toBe('Cancelling');
    expect(cancelled.Status).toBe('Cancelled');
  });

  test('GIVEN a command that already succeeded WHEN cancelled THEN it stays Success; GIVEN an unknown command THEN InvalidCommandId', async () => {
    const { client, clock, instanceId } = givenManagedInstance();
    const commandId = await send(client, shell(instanceId));
    clock.advance(2 * SECOND);

    await client.send(new CancelCommandCommand({ CommandId: commandId }));
    const unknown = await ssmErrorFrom(
      client.send(new CancelCommandCommand({ CommandId: '00000000-0000-0000-0000-000000000000' })),
    );

    expect((await get(client, commandId, instanceId)).Status).toBe('Success');
    expect(unknown.name).toBe('InvalidCommandId');
  });
});

describe('ListCommandInvocations', () => {
  test('GIVEN Details WHEN listing THEN each invocation has its plugin with status, response code and output', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.setScriptOutcome(instanceId, script.fails(5, { stdout: 'flushing', stderr: 'timeout' }));
    const commandId = await send(client, shell(instanceId));
    clock.advance(2 * SECOND);

    const { CommandInvocations } = await client.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, Details: true }),
    );

    expect(CommandInvocations).toHaveLength(1);
    expect(CommandInvocations?.[0]).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed' });
    expect(CommandInvocations?.[0].CommandPlugins).toEqual([
      expect.objectContaining({
        Name: 'aws:runShellScript',
        Status: 'Failed',
        ResponseCode: 5,
        Output: 'flushing\ntimeout',
      }),
    ]);
  });

  test('GIVEN three commands WHEN listed one a page THEN newest first, NextToken leading through all; a made-up token is InvalidNextToken', async () => {
    const { client, clock, instanceId } = givenManagedInstance();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await send(client, shell(instanceId)));
      clock.advance(SECOND);
    }

    const seen: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(
        new ListCommandInvocationsCommand({ InstanceId: instanceId, MaxResults: 1, NextToken }),
      );
      seen.push(...(page.CommandInvocations ?? []).map((i) => i.CommandId as string));
      NextToken = page.NextToken;
    } while (NextToken);
    const bad = await ssmErrorFrom(client.send(new ListCommandInvocationsCommand({ NextToken: 'garbage' })));

    expect(seen).toEqual([...ids].reverse());
    expect(bad.name).toBe('InvalidNextToken');
  });

  test('GIVEN commands before and after a time, of two documents WHEN filtered by InvokedAfter, InvokedBefore and DocumentName THEN only those match; ExecutionStage is InvalidFilterKey', async () => {
    const { client, clock, instanceId } = givenManagedInstance();
    const early = await send(client, shell(instanceId));
    clock.advance(60 * SECOND);
    const cut = new Date(clock.now()).toISOString();
    const late = await send(client, shell(instanceId));
    const powershell = await send(client, shell(instanceId, { DocumentName: 'AWS-RunPowerShellScript' }));
    clock.advance(2 * SECOND);
    const ids = async (
      Filters: { key: 'InvokedAfter' | 'InvokedBefore' | 'DocumentName'; value: string }[],
    ) =>
      (
        (await client.send(new ListCommandInvocationsCommand({ InstanceId: instanceId, Filters })))
          .CommandInvocations ?? []
      ).map((i) => i.CommandId);

    expect(await ids([{ key: 'InvokedAfter', value: cut }])).toEqual([powershell, late]);
    expect(await ids([{ key: 'InvokedBefore', value: cut }])).toEqual([early]);
    expect(
      await ids([
        { key: 'InvokedAfter', value: cut },
        { key: 'DocumentName', value: 'AWS-RunShellScript' },
      ]),
    ).toEqual([late]);
    const refused = await ssmErrorFrom(
      client.send(
        new ListCommandInvocationsCommand({ Filters: [{ key: 'ExecutionStage', value: 'Executing' }] }),
      ),
    );
    expect(refused.name).toBe('InvalidFilterKey');
  });
});

describe('faults and call counts', () => {
  test('GIVEN a lost response to SendCommand WHEN sent THEN the caller gets a TimeoutError, yet the command went out', async () => {
    const { client, ssm, instanceId } = givenManagedInstance();
    ssm.injectFault({ action: 'SendCommand', error: LOST_RESPONSE });

    const error = await client.send(shell(instanceId)).then(
      () => undefined,
      (reason: Error) => reason,
    );

    expect(error?.name).toBe('TimeoutError');
    expect(ssm.invocationsTo(instanceId)).toHaveLength(1);
    expect(ssm.calls().SendCommand).toEqual({ succeeded: 0, throttled: 0, failed: 1 });
  });

  test('GIVEN an injected ThrottlingException WHEN GetCommandInvocation THEN the SDK sees SSM throttling it, counted as throttled', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    const commandId = await send(client, shell(instanceId));
    clock.advance(LAG);
    ssm.injectFault({
      action: 'GetCommandInvocation',
      error: 'ThrottlingException',
      message: 'Rate exceeded',
    });

    const throttled = await ssmErrorFrom(get(client, commandId, instanceId));
    await get(client, commandId, instanceId);

    expect(throttled.name).toBe('ThrottlingException');
    expect(throttled.message).toBe('Rate exceeded');
    expect(ssm.calls().GetCommandInvocation).toEqual({ succeeded: 1, throttled: 1, failed: 0 });
  });
});

describe('documents and Regions', () => {
  test('GIVEN the stack creates its own document WHEN it is sent THEN its parameters are checked and it runs with the default 3600 s execution timeout', async () => {
    const { client, ssm, clock, instanceId } = givenManagedInstance();
    ssm.createDocument({
      name: 'EbsBackup-Scripts',
      pluginName: 'runScripts',
      parameters: { phase: { allowedPattern: 'pre|post' } },
      stoppedExitCode: 137,
    });
    ssm.setScriptOutcome(instanceId, script.hangs(), { documentName: 'EbsBackup-Scripts' });

    const wrong = await ssmErrorFrom(
      client.send(
        shell(instanceId, { DocumentName: 'EbsBackup-Scripts', Parameters: { phase: ['during'] } }),
      ),
    );
    const commandId = await send(
      client,
      shell(instanceId, { DocumentName: 'EbsBackup-Scripts', Parameters: { phase: ['pre'] } }),
    );
    clock.advance(3600 * SECOND - 1);
    const before = await get(client, commandId, instanceId);
    clock.advance(1);

    expect(wrong.name).toBe('InvalidParameters');
    expect(before).toMatchObject({ Status: 'InProgress', PluginName: 'runScripts' });
    expect((await get(client, commandId, instanceId)).StatusDetails).toBe('ExecutionTimedOut');
  });

  test('GIVEN a node managed in one Region WHEN a command is sent to it in another THEN InvalidInstanceId', async () => {
    const { account, instanceId } = givenManagedInstance();

    const error = await ssmErrorFrom(account.ssmClient('eu-west-1').send(shell(instanceId)));

    expect(error.name).toBe('InvalidInstanceId');
    expect(account.ssmIn('eu-west-1').region).toBe('eu-west-1');
  });
});
