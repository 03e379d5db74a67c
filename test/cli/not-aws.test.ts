import { OperatorRetryStrategy } from '../../cli/retry-strategy';
import { runWithRealClients } from '../fixtures/cli';
import { htmlEndpoint, type TestEndpoint } from '../fixtures/endpoints';

// An endpoint that answers with a web page is not AWS, whichever service it stands for and
// whatever its status (SPEC §11.4: unreachable endpoint, exit 2, one line).

const NOT_AWS =
  /^ebs-backup: the endpoint for (cloudformation|ec2|states):\w+ did not answer like AWS \(is AWS_ENDPOINT_URL right\?\): .*HTTP (200|404) with an HTML page \(text\/html; charset=utf-8\)(; or name the deployment without CloudFormation: .*)?\n$/;

describe.each([200, 404])('GIVEN every endpoint answers %i with an HTML page', (status) => {
  let endpoint: TestEndpoint;
  beforeAll(async () => {
    endpoint = await htmlEndpoint(status);
  });
  afterAll(() => endpoint.close());

  const run = (...argv: string[]) => runWithRealClients(argv, { AWS_ENDPOINT_URL: endpoint.url });

  it('WHEN a command reads the stack (CloudFormation) THEN not "no output StateMachineArn": one line saying it is not AWS, exit 2', async () => {
    const result = await run('status');
    expect(result.stderr).toMatch(NOT_AWS);
    expect(result.stderr).toContain('cloudformation:DescribeStacks');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
  });

  it('WHEN plan asks EC2 without the stack THEN one line saying it is not AWS, exit 2', async () => {
    const result = await run('plan', '--tag-key', 'Backup-Generation', '--managed-by', 'EbsGenerationBackup');
    expect(result.stderr).toMatch(NOT_AWS);
    expect(result.code).toBe(2);
  });

  it('WHEN run starts an execution (Step Functions, JSON) THEN one line saying it is not AWS, exit 2', async () => {
    const result = await run(
      'run',
      '--state-machine-arn',
      'arn:aws:states:us-east-1:123456789012:stateMachine:EbsGenerationBackup-Backup',
    );
    expect(result.stderr).toMatch(NOT_AWS);
    expect(result.stderr).toContain('states:StartExecution');
    expect(result.code).toBe(2);
  });
});

describe('a command that ends', () => {
  let endpoint: TestEndpoint;
  beforeAll(async () => {
    endpoint = await htmlEndpoint(404);
  });
  afterAll(() => endpoint.close());

  it('GIVEN a command that failed WHEN it returns THEN its clients retry nothing more (the retry strategy is stopped), so no wait keeps the process alive', async () => {
    const stop = jest.spyOn(OperatorRetryStrategy.prototype, 'stop');
    try {
      const result = await runWithRealClients(['status'], { AWS_ENDPOINT_URL: endpoint.url });
      expect(result.code).toBe(2);
      expect(stop).toHaveBeenCalledTimes(1);
    } finally {
      stop.mockRestore();
    }
  });
});
