import {
  CancelCommandCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { type Route, route } from './clients';
import type { SimulatedSsm } from './simulated-ssm';

const CREDENTIALS = { accessKeyId: 'sim', secretAccessKey: 'sim' };

/**
 * A real SSMClient, in the simulator's Region, whose `send` is answered by the simulated SSM, as
 * connectEc2 does for EC2: product code keeps its real commands and the SDK's own waiter
 * (waitUntilCommandExecuted), each call reaching the simulator exactly once.
 */
export function connectSsm(
  sim: SimulatedSsm,
  client = new SSMClient({ region: sim.region, credentials: CREDENTIALS }),
): SSMClient {
  route(client, 'SSM', ssmRoutes(sim));
  return client;
}

/** The SSM commands the simulator answers, each with the method that answers it. */
export function ssmRoutes(sim: SimulatedSsm): Route[] {
  return [
    [SendCommandCommand, (input) => sim.sendCommand(input)],
    [GetCommandInvocationCommand, (input) => sim.getCommandInvocation(input)],
    [ListCommandInvocationsCommand, (input) => sim.listCommandInvocations(input)],
    [CancelCommandCommand, (input) => sim.cancelCommand(input)],
  ];
}
