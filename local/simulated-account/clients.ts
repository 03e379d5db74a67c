import { randomUUID } from 'node:crypto';
import {
  CopySnapshotCommand,
  CreateSnapshotCommand,
  CreateSnapshotsCommand,
  CreateTagsCommand,
  CreateVolumeCommand,
  DeleteSnapshotCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { Ec2Action } from './ec2-actions';
import { HungResponse } from './fault-injector';
import type { SimulatedEc2 } from './simulated-ec2';
import type { SimulatedS3 } from './simulated-s3';

const S3_REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'sim', secretAccessKey: 'sim' };

/**
 * A real EC2Client, in the simulator's Region, whose `send` is answered by the simulator: product
 * code keeps its real commands and paginators (`paginateDescribeInstances` checks `instanceof
 * EC2Client`). Only this instance is changed, so other clients in the same process are
 * unaffected; pass `client` to connect one that already exists (say, a handler's module-level
 * client). The SDK middleware (retries included) does not run: each call reaches the simulator
 * exactly once.
 *
 * `send` is replaced by a plain lookup of the command's class rather than a mocking library's
 * fake: at tens of thousands of calls a run, a fake that records every call and matches every
 * registered command costs more time and memory than the simulation itself.
 */
export function connectEc2(
  sim: SimulatedEc2,
  client = new EC2Client({ region: sim.region, credentials: CREDENTIALS }),
): EC2Client {
  route(client, 'EC2', ec2Routes(sim));
  delayCalls(client, sim);
  return client;
}

/** The EC2 commands the simulator answers, each with the method that answers it. */
export function ec2Routes(sim: SimulatedEc2): Route[] {
  return [
    [DescribeInstancesCommand, (input) => sim.describeInstances(input)],
    [DescribeVolumesCommand, (input) => sim.describeVolumes(input)],
    [DescribeSnapshotsCommand, (input) => sim.describeSnapshots(input)],
    [CreateSnapshotCommand, (input) => sim.createSnapshot(input)],
    [CreateSnapshotsCommand, (input) => sim.createSnapshots(input)],
    [DeleteSnapshotCommand, (input) => sim.deleteSnapshot(input)],
    [CreateTagsCommand, (input) => sim.createTags(input)],
    [CreateVolumeCommand, (input) => sim.createVolume(input)],
    [CopySnapshotCommand, (input) => sim.copySnapshot(input)],
  ];
}

/**
 * Each call answers after its action's modelled latency (SimulatedEc2Options.callLatencyMs),
 * and takes effect then; with none (the default) it answers at once, as without this.
 */
function delayCalls(client: EC2Client, sim: SimulatedEc2): void {
  const send = client.send.bind(client) as (command: object) => Promise<unknown>;
  (client as { send: unknown }).send = (command: object) => {
    const ms = sim.callLatency(command.constructor.name.replace(/Command$/, '') as Ec2Action);
    if (!(ms > 0)) return send(command);
    return new Promise((resolve) => setTimeout(resolve, ms)).then(() => send(command));
  };
}

/** A real S3Client answered by the simulated S3, like connectEc2. */
export function connectS3(
  sim: SimulatedS3,
  client = new S3Client({ region: S3_REGION, credentials: CREDENTIALS }),
): S3Client {
  route(client, 'S3', [
    [PutObjectCommand, (input) => sim.putObject(input)],
    [GetObjectCommand, (input) => sim.getObject(input)],
    [ListObjectsV2Command, (input) => sim.listObjectsV2(input)],
    [DeleteObjectCommand, (input) => sim.deleteObject(input)],
  ]);
  return client;
}

// biome-ignore lint/suspicious/noExplicitAny: any command class, whatever its constructor takes
type CommandClass = abstract new (...args: any[]) => { input: unknown };
// biome-ignore lint/suspicious/noExplicitAny: each answers its own command's input type
type Answerer = (input: any) => object | Promise<object>;
/** A command class and the simulator method that answers it. */
export type Route = [CommandClass, Answerer];

/**
 * Answers `send` from the routes, by the command's class. A command nobody routed fails at once
 * with its name, rather than resolving to `undefined` far from the cause.
 */
export function route(client: { send: unknown }, service: string, routes: Route[]): void {
  const actions = new Map(routes.map(([command, action]) => [command as unknown, answer(action)]));
  client.send = (command: { input: unknown }) => {
    const action = actions.get(command.constructor);
    if (!action) {
      return Promise.reject(
        new Error(`The simulated ${service} does not implement ${command.constructor.name}`),
      );
    }
    return action(command.input);
  };
}

/**
 * Adapts a simulator method to what `send` resolves to: always a promise (a simulator error
 * becomes a rejection, never a synchronous throw) carrying the `$metadata` every SDK output has.
 * A HANG fault's response never arrives: the promise never settles. It holds no timer or
 * socket, so it does not keep the process alive by itself.
 */
export function answer<I, O extends object>(action: (input: I) => O | Promise<O>) {
  return async (input: I) => {
    try {
      return {
        ...(await action(input)),
        $metadata: { httpStatusCode: 200, requestId: randomUUID(), attempts: 1, totalRetryDelay: 0 },
      };
    } catch (error) {
      if (error instanceof HungResponse) return new Promise<never>(() => {});
      throw error;
    }
  };
}
