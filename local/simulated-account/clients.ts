import { randomUUID } from 'node:crypto';
import {
  CreateSnapshotCommand,
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
import { mockClient } from 'aws-sdk-client-mock';
import type { Ec2Action } from './ec2-actions';
import { HungResponse } from './fault-injector';
import type { SimulatedEc2 } from './simulated-ec2';
import type { SimulatedS3 } from './simulated-s3';

const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'sim', secretAccessKey: 'sim' };

/**
 * A real EC2Client whose `send` is answered by the simulator: product code keeps its real
 * commands and paginators (`paginateDescribeInstances` checks `instanceof EC2Client`). Only this
 * instance is mocked, so other clients in the same process are unaffected; pass `client` to
 * connect one that already exists (say, a handler's module-level client). The SDK middleware
 * (retries included) does not run: each call reaches the simulator exactly once.
 */
export function connectEc2(
  sim: SimulatedEc2,
  client = new EC2Client({ region: REGION, credentials: CREDENTIALS }),
): EC2Client {
  const mock = mockClient(client);
  mock.on(DescribeInstancesCommand).callsFake(answer((input) => sim.describeInstances(input)));
  mock.on(DescribeVolumesCommand).callsFake(answer((input) => sim.describeVolumes(input)));
  mock.on(DescribeSnapshotsCommand).callsFake(answer((input) => sim.describeSnapshots(input)));
  mock.on(CreateSnapshotCommand).callsFake(answer((input) => sim.createSnapshot(input)));
  mock.on(DeleteSnapshotCommand).callsFake(answer((input) => sim.deleteSnapshot(input)));
  mock.on(CreateTagsCommand).callsFake(answer((input) => sim.createTags(input)));
  mock.on(CreateVolumeCommand).callsFake(answer((input) => sim.createVolume(input)));
  refuseOthers(mock, 'EC2');
  delayCalls(client, sim);
  return client;
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
  client = new S3Client({ region: REGION, credentials: CREDENTIALS }),
): S3Client {
  const mock = mockClient(client);
  mock.on(PutObjectCommand).callsFake(answer((input) => sim.putObject(input)));
  mock.on(GetObjectCommand).callsFake(answer((input) => sim.getObject(input)));
  mock.on(ListObjectsV2Command).callsFake(answer((input) => sim.listObjectsV2(input)));
  mock.on(DeleteObjectCommand).callsFake(answer((input) => sim.deleteObject(input)));
  refuseOthers(mock, 'S3');
  return client;
}

/**
 * Adapts a simulator method to what `send` resolves to: always a promise (a simulator error
 * becomes a rejection, never a synchronous throw) carrying the `$metadata` every SDK output has.
 * A HANG fault's response never arrives: the promise never settles. It holds no timer or
 * socket, so it does not keep the process alive by itself.
 */
function answer<I, O extends object>(action: (input: I) => O | Promise<O>) {
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

/**
 * A command nobody routed would otherwise resolve to `undefined` and fail far from the cause.
 * This is the mock's fallback, which sinon uses only when no `on(Command)` matches.
 */
function refuseOthers(
  mock: { send: { callsFake(fake: (command: object) => Promise<never>): unknown } },
  service: string,
): void {
  mock.send.callsFake(async (command: object) => {
    throw new Error(`The simulated ${service} does not implement ${command.constructor.name}`);
  });
}
