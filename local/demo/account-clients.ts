import type { EC2Client } from '@aws-sdk/client-ec2';
import { awsClients } from '../../cli/aws';
import { regionalEc2, withActionNames } from '../../cli/aws-calls';
import { OperatorRetryStrategy } from '../../cli/retry-strategy';
import { ec2Client, regionalEc2Clients } from '../../lambdas/commons/clients';

/**
 * Where a client's requests go: the network as the SDK settings say (the default), or, in tests,
 * a simulated endpoint that answers them after the SDK's own middleware (`simulatedEc2Endpoint`).
 */
export type ConnectEc2 = <C extends EC2Client>(client: C) => C;

export interface AccountEc2Clients {
  /**
   * Ends the plan clients' waits between attempts and their retries (OperatorRetryStrategy.stop):
   * once the command has its outcome, nothing it left in flight keeps the process alive.
   */
  stop(): void;
  /** The plan's own backoff between tries of a throttled call (PlanScope.sleep), which `stop` ends too. */
  sleep(ms: number): Promise<void>;
  /** The plan's, made as `ebs-backup plan` makes them, each call named by its IAM action. */
  plan: { ec2: EC2Client; ec2In: (region: string) => EC2Client };
  /** The workflow's, made as the deployed functions make them. */
  workflow: { ec2: EC2Client; ec2In: (region: string) => EC2Client };
}

/**
 * The EC2 clients of `npm start -- --target aws`, one per region and use, made on first use.
 * Each is built from the SDK's settings with only its region set, so every region, the home one
 * and each copy region, reaches its endpoint by the same rules: AWS_ENDPOINT_URL_EC2, else
 * AWS_ENDPOINT_URL, else the profile's, else the region's AWS endpoint
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html), with the same
 * credentials.
 *
 * The plan's are the operator CLI's (cli/aws.ts): a throttled request is retried with backoff,
 * a silent endpoint fails after one request timeout. The workflow's are the functions' own
 * (lambdas/commons/clients.ts) without retries in the SDK, as CreateSnapshot's and
 * CopySnapshot's are deployed: throttling is left to the steps' in-invocation backoff and the
 * state machine's declared Retry, which is what a local run of the workflow is there to show.
 */
export function accountEc2Clients(connect: ConnectEc2 = (client) => client): AccountEc2Clients {
  const retries = new OperatorRetryStrategy();
  const operator = awsClients({}, retries);
  const functionsIn = regionalEc2Clients({ retryInSdk: false });
  const workflowIn = new Map<string, EC2Client>();
  return {
    stop: () => retries.stop(),
    sleep: (ms) => retries.pause(ms),
    plan: {
      ec2: withActionNames(connect(operator.ec2()), 'ec2'),
      ec2In: regionalEc2((region) => connect(operator.ec2In(region))),
    },
    workflow: {
      ec2: connect(ec2Client({ retryInSdk: false })),
      ec2In: (region) => {
        let client = workflowIn.get(region);
        if (!client) {
          client = connect(functionsIn(region));
          workflowIn.set(region, client);
        }
        return client;
      },
    },
  };
}
