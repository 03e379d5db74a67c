import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SFNServiceException, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { DEFAULT_STACK_NAME } from '../../lambdas/contracts/deployment';
import { EC2_ACTIONS } from '../../local/simulated-account/ec2-actions';
import {
  awsSetupOf,
  type CliRun,
  givenCli,
  runWithRealClients,
  STATE_MACHINE_ARN,
  unreachableEc2,
  WORK_BUCKET,
} from '../fixtures/cli';
import { credentialsRejectedEndpoint, htmlEndpoint, type TestEndpoint } from '../fixtures/endpoints';

// SPEC §11.4 and the README's exit codes, over every command × every kind of failure that is the
// operator's to fix: exit 2 and one line on stderr naming the problem, never a stack trace, and
// nothing on stdout. Each command is tried as usually typed (the stack gives the deployment) and
// without CloudFormation (its options name the deployment), so that both paths are held to it.

const TAG = 'Backup-Generation';
const VOLUME = 'vol-0123456789abcdef0';
const NAMED = {
  managedBy: ['--managed-by', DEFAULT_STACK_NAME],
  tagKey: ['--tag-key', TAG],
  stateMachine: ['--state-machine-arn', STATE_MACHINE_ARN],
  workBucket: ['--work-bucket', WORK_BUCKET],
};

/** Each command as typed with the stack, and with the options that do without it. */
const COMMANDS: [string, string[], string[]][] = [
  ['plan', ['plan'], ['plan', ...NAMED.tagKey, ...NAMED.managedBy]],
  ['run', ['run'], ['run', ...NAMED.stateMachine]],
  ['status', ['status'], ['status', ...NAMED.stateMachine, ...NAMED.workBucket, ...NAMED.tagKey]],
  ['generations', ['generations'], ['generations', ...NAMED.managedBy, ...NAMED.tagKey]],
  ['restore', ['restore', VOLUME], ['restore', VOLUME, ...NAMED.managedBy]],
  ['adopt', ['adopt', '--yes'], ['adopt', '--yes', ...NAMED.managedBy]],
];
const ROWS = COMMANDS.flatMap(([name, withStack, withoutStack]) => [
  [name, withStack] as const,
  [`${name} without CloudFormation`, withoutStack] as const,
]);

/** Exit 2, nothing on stdout, and exactly one line on stderr: `ebs-backup: <problem>`. */
function expectOneLine(result: CliRun, problem: RegExp, stdout = true): void {
  expect({ code: result.code, lines: result.stderr.split('\n').length }).toEqual({ code: 2, lines: 2 });
  expect(result.stderr).toMatch(/^ebs-backup: .*\n$/);
  expect(result.stderr).toMatch(problem);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  if (stdout) expect(result.stdout).toBe('');
}

describe('the exit codes are documented', () => {
  it.each([[[]], ...COMMANDS.map(([name]) => [[name]])])(
    'GIVEN %j --help THEN the exit codes are listed',
    async (argv) => {
      const { stdout, code } = await givenCli().run(...argv, '--help');
      expect(code).toBe(0);
      expect(stdout.replace(/\s+/g, ' ')).toContain(
        "Exit codes: 0 success; 1 the run or the check failed (plan: tonight's run would end FAILED; run --follow: the run did not succeed); 2 bad arguments, no Region or credentials (or a profile that does not exist, or credentials AWS rejects), a denied permission, an unknown stack or a deployment whose parts are gone, an endpoint that cannot be reached or does not answer like AWS, or a refused confirmation. A problem is one line on stderr.",
      );
    },
  );
});

describe('exit 2, one line: the caller’s setup and the endpoint, through the real SDK clients', () => {
  const endpoints: Record<string, TestEndpoint> = {};
  beforeAll(async () => {
    endpoints.rejected = await credentialsRejectedEndpoint();
    endpoints.html200 = await htmlEndpoint(200);
    endpoints.html404 = await htmlEndpoint(404);
  });
  afterAll(() => Promise.all(Object.values(endpoints).map((e) => e.close())));

  const KINDS: [string, () => Record<string, string | undefined>, RegExp][] = [
    ['no Region', () => awsSetupOf(), /: no AWS Region: pass --region, set AWS_REGION/],
    ['no credentials', () => ({ ...awsSetupOf(), AWS_REGION: 'us-east-1' }), /: no AWS credentials found /],
    [
      'a profile that does not exist',
      () => ({ ...awsSetupOf(), AWS_REGION: 'us-east-1', AWS_PROFILE: 'nosuch' }),
      /: profile "nosuch" \(AWS_PROFILE\) is in neither /,
    ],
    [
      'credentials AWS rejects',
      () => ({ AWS_ENDPOINT_URL: endpoints.rejected.url }),
      /: AWS rejected the credentials \((AuthFailure|InvalidClientTokenId|UnrecognizedClientException): /,
    ],
    [
      'an endpoint answering 200 with an HTML page',
      () => ({ AWS_ENDPOINT_URL: endpoints.html200.url }),
      /did not answer like AWS \(is AWS_ENDPOINT_URL right\?\): .*HTTP 200 with an HTML page/,
    ],
    [
      'an endpoint answering 404 with an HTML page',
      () => ({ AWS_ENDPOINT_URL: endpoints.html404.url }),
      /did not answer like AWS \(is AWS_ENDPOINT_URL right\?\): .*HTTP 404 with an HTML page/,
    ],
  ];

  describe.each(KINDS)('GIVEN %s', (_, env, problem) => {
    it.each(ROWS)('WHEN %s THEN exit 2 and one line naming it', async (_, argv) => {
      expectOneLine(await runWithRealClients(argv, env()), problem);
    });
  });
});

describe('exit 2, one line: the deployment, permissions and the command line', () => {
  const refused = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  const denied = () =>
    new SFNServiceException({
      name: 'AccessDeniedException',
      message: 'User is not authorized to perform this action',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });

  it.each(COMMANDS)(
    'GIVEN no such stack WHEN %s THEN exit 2, the stack named, and the options that do without it',
    async (_, argv) => {
      expectOneLine(
        await givenCli({ stack: 'missing' }).run(...argv),
        /: no stack "EbsGenerationBackup" in this account and region: .*; or name the deployment without CloudFormation: --/,
      );
    },
  );

  it.each(COMMANDS)(
    'GIVEN DescribeStacks is denied WHEN %s THEN exit 2 naming the permission',
    async (_, argv) => {
      const cli = givenCli();
      cli.cfn
        .on(DescribeStacksCommand)
        .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
      expectOneLine(
        await cli.run(...argv),
        /: cloudformation:DescribeStacks was denied: the caller needs an IAM policy/,
      );
    },
  );

  it.each(ROWS)(
    'GIVEN the service itself denies the call WHEN %s THEN exit 2 naming the permission',
    async (_, argv) => {
      const cli = givenCli();
      for (const action of EC2_ACTIONS) {
        cli.sim.injectFault({
          action,
          error: 'UnauthorizedOperation',
          message: 'not authorized',
          times: 100,
        });
      }
      cli.sfn.onAnyCommand().rejects(denied());
      expectOneLine(
        await cli.run(...argv),
        /: (ec2|states):\w+ was denied: the caller needs an IAM policy allowing /,
      );
    },
  );

  it.each(ROWS)(
    'GIVEN every endpoint refuses connections WHEN %s THEN exit 2: cannot reach it',
    async (_, argv) => {
      const cli = givenCli({ stack: 'unreachable', ec2Client: unreachableEc2('us-east-1') });
      cli.sfn.onAnyCommand().rejects(refused());
      expectOneLine(
        await cli.run(...argv),
        /: cannot reach the AWS endpoint for (cloudformation|ec2|states):\w+: ECONNREFUSED/,
      );
    },
  );

  it.each(ROWS.filter(([name]) => /^(run|status)/.test(name)))(
    'GIVEN the state machine is gone WHEN %s THEN exit 2, an unknown deployment',
    async (_, argv) => {
      const cli = givenCli();
      cli.sfn
        .onAnyCommand()
        .rejects(new StateMachineDoesNotExist({ message: 'State Machine Does Not Exist', $metadata: {} }));
      expectOneLine(await cli.run(...argv), /: the state machine of the deployment does not exist /);
    },
  );

  it.each(ROWS)('GIVEN an option it does not know WHEN %s THEN exit 2 naming it', async (_, argv) => {
    expectOneLine(await givenCli().run(...argv, '--colour'), /: unknown option '--colour'/);
  });

  it('GIVEN the recipe’s snapshots and no terminal WHEN adopt without --yes THEN exit 2: the confirmation is refused', async () => {
    const cli = givenCli();
    const [volumeId] = cli.sim.addInstance().volumeIds;
    cli.sim.addSnapshot({ volumeId, description: `Auto Snapshot ${volumeId}` });
    // The list is shown (stdout) before the question it could not ask.
    expectOneLine(await cli.run('adopt'), /: nothing adopted: no terminal to confirm on; add --yes/, false);
  });
});
