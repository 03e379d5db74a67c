import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  paginateDescribeInstances,
} from '@aws-sdk/client-ec2';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { connectEc2, SimulatedAccount, SimulatedEc2 } from '../../local/simulated-account';
import { collect } from '../fixtures/account';

describe('clients connected to the simulator', () => {
  test('GIVEN a connected client WHEN used THEN it is a real EC2Client that the SDK paginators accept', async () => {
    const sim = new SimulatedEc2();
    sim.addInstance();
    const ec2 = connectEc2(sim);

    const instances = await collect(
      paginateDescribeInstances({ client: ec2 }, {}),
      (page) => page.Reservations,
    );

    expect(ec2).toBeInstanceOf(EC2Client);
    expect(instances).toHaveLength(1);
  });

  test('GIVEN a command the simulator does not implement WHEN sent THEN it rejects naming the command', async () => {
    const account = new SimulatedAccount();

    await expect(account.ec2Client().send(new DescribeImagesCommand({}))).rejects.toThrow(
      'The simulated EC2 does not implement DescribeImagesCommand',
    );
    await expect(account.s3Client().send(new ListBucketsCommand({}))).rejects.toThrow(
      'The simulated S3 does not implement ListBucketsCommand',
    );
  });

  test('GIVEN two accounts WHEN each has a client THEN each client sees only its own account, and other EC2Clients stay unmocked', async () => {
    const first = new SimulatedAccount();
    const second = new SimulatedAccount();
    first.ec2.addInstance();
    first.ec2.addInstance();
    second.ec2.addInstance();
    const plain = new EC2Client({ region: 'us-east-1' });

    const fromFirst = await first.ec2Client().send(new DescribeInstancesCommand({}));
    const fromSecond = await second.ec2Client().send(new DescribeInstancesCommand({}));

    expect(fromFirst.Reservations).toHaveLength(2);
    expect(fromSecond.Reservations).toHaveLength(1);
    expect(fromFirst.$metadata.httpStatusCode).toBe(200);
    expect(jest.isMockFunction(plain.send)).toBe(false);
    expect('restore' in plain.send).toBe(false);
  });

  test('GIVEN a client made elsewhere (a handler’s module-level one) WHEN connected THEN its calls reach the simulator', async () => {
    const sim = new SimulatedEc2();
    sim.addInstance();
    const existing = new EC2Client({ region: 'eu-west-1' });

    const connected = connectEc2(sim, existing);
    const page = await existing.send(new DescribeInstancesCommand({}));

    expect(connected).toBe(existing);
    expect(page.Reservations).toHaveLength(1);
  });

  test('GIVEN the default clock WHEN Date.now moves after construction THEN the simulator follows it', () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2025, 5, 1));
    try {
      const account = new SimulatedAccount();
      const [volumeId] = account.ec2.addInstance().volumeIds;
      now.mockReturnValue(Date.UTC(2025, 5, 2));

      const snapshotId = account.ec2.addSnapshot({ volumeId });

      expect(account.ec2.snapshot(snapshotId)?.StartTime).toEqual(new Date(Date.UTC(2025, 5, 2)));
    } finally {
      now.mockRestore();
    }
  });
});
