import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import stringWidth from 'string-width';
import { awsClients } from '../../cli/aws';
import { awsCall, ExitCode } from '../../cli/errors';
import type { CommandSpec } from '../../cli/program';
import { MAX_ATTEMPTS, OperatorRetryStrategy } from '../../cli/retry-strategy';
import { fitWidth, table } from '../../cli/table';
import { givenCli } from '../fixtures/cli';

/** A command that reports the deployment it found, or calls EC2, for the framework's tests. */
const probe: CommandSpec = {
  name: 'probe',
  summary: 'Shows the deployment',
  configure: (command) => command.option('--ec2', 'call DescribeInstances'),
  run: async (context, options) => {
    if (options.ec2) await context.clients.ec2().send(new DescribeInstancesCommand({}));
    const deployment = await context.deployment(['stateMachineArn', 'workBucket', 'managedBy', 'tagKey']);
    return {
      exitCode: ExitCode.ok,
      json: { deployment },
      text: [`state machine ${deployment.stateMachineArn}`],
    };
  },
};

describe('ebs-backup: the command-line framework (SPEC §11)', () => {
  it('GIVEN --help WHEN run THEN the commands are listed on stdout, exit 0', async () => {
    const cli = givenCli();
    const result = await cli.runWith([probe], '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Usage: ebs-backup/);
    expect(result.stdout).toMatch(/probe \[options\]\s+Shows the deployment/);
    expect(result.stdout).toMatch(/--region <region>/);
  });

  it('GIVEN no command WHEN run THEN the help on stderr, exit 2', async () => {
    const result = await givenCli().runWith([probe]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/Usage: ebs-backup/);
  });

  it('GIVEN an unknown command WHEN run THEN one line naming it, exit 2', async () => {
    const result = await givenCli().runWith([probe], 'prbe');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("ebs-backup: unknown command 'prbe'\n(Did you mean probe?)\n");
  });

  it('GIVEN an unknown option WHEN run THEN one line, exit 2', async () => {
    const result = await givenCli().runWith([probe], 'probe', '--colour');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ebs-backup: unknown option '--colour'/);
  });

  it('GIVEN a deployed stack WHEN a command needs it THEN its outputs are read; --json prints the document', async () => {
    const result = await givenCli().runWith([probe], 'probe', '--json');
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({
      deployment: {
        stackName: 'EbsGenerationBackup',
        stateMachineArn: expect.stringContaining(':stateMachine:'),
        workBucket: 'ebs-generation-backup-work',
        managedBy: 'EbsGenerationBackup',
        tagKey: 'Backup-Generation',
        // A stack deployed before copies: no CopyRegions or CopyTagKey output.
        copyRegions: [],
        copyTagKey: 'Backup-Copy-Generation',
        // Nor a ConsistencyTagKey output (before SPEC §12): the functions' default.
        consistencyTagKey: 'Backup-Consistency',
      },
    });
  });

  it('GIVEN no such stack WHEN run THEN one line saying so, exit 2', async () => {
    const result = await givenCli({ stack: 'missing' }).runWith([probe], 'probe', '--stack', 'Nope');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'ebs-backup: no stack "Nope" in this account and region: deploy it, or pass --stack, --region or --profile; or name the deployment without CloudFormation: --state-machine-arn <arn> --work-bucket <bucket> --managed-by <marker> --tag-key <key>\n',
    );
  });

  it('GIVEN a stack without the outputs WHEN run THEN it says which output is missing, exit 2', async () => {
    const result = await givenCli({ stack: {} }).runWith([probe], 'probe');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^ebs-backup: stack "EbsGenerationBackup" has no output StateMachineArn/);
  });

  it('GIVEN a stack with copy regions WHEN a command needs it THEN its CopyRegions and CopyTagKey are read', async () => {
    const kmsKeyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const result = await givenCli({
      copyRegions: [{ region: 'eu-west-1', kmsKeyArn }, { region: 'us-west-2' }],
    }).runWith([probe], 'probe', '--json');
    expect(result.code).toBe(0);
    expect(result.json<{ deployment: object }>().deployment).toMatchObject({
      copyRegions: [{ region: 'eu-west-1', kmsKeyArn }, { region: 'us-west-2' }],
      copyTagKey: 'Backup-Copy-Generation',
    });
  });

  it('GIVEN a CopyRegions output that is not a list of regions WHEN run THEN one line naming the output, exit 2', async () => {
    const result = await givenCli({
      stack: {
        StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:x',
        WorkBucketName: 'b',
        ManagedBy: 'm',
        TagKey: 't',
        CopyRegions: '["eu-west-1"]',
      },
    }).runWith([probe], 'probe');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'ebs-backup: stack "EbsGenerationBackup" has an output CopyRegions that is not a JSON array of {"region", "kmsKeyArn"?}: "[\\"eu-west-1\\"]"; redeploy it; or name the deployment without CloudFormation: --state-machine-arn <arn> --work-bucket <bucket> --managed-by <marker> --tag-key <key>\n',
    );
  });

  it('GIVEN EC2 denies the call WHEN run THEN one line naming the action and the policy it needs, exit 2', async () => {
    const cli = givenCli();
    cli.sim.injectFault({
      action: 'DescribeInstances',
      error: 'UnauthorizedOperation',
      message: 'You are not authorized',
    });
    const result = await cli.runWith(
      [
        {
          ...probe,
          run: async (context) => {
            await awsCall('ec2:DescribeInstances', () =>
              context.clients.ec2().send(new DescribeInstancesCommand({})),
            );
            return { exitCode: 0, json: {}, text: [] };
          },
        },
      ],
      'probe',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'ebs-backup: ec2:DescribeInstances was denied: the caller needs an IAM policy allowing ec2:DescribeInstances (see README, "Operator permissions"): You are not authorized\n',
    );
  });

  it('GIVEN an error nobody expected WHEN run THEN one line, no stack trace, exit 1', async () => {
    const result = await givenCli().runWith(
      [{ ...probe, run: async () => Promise.reject(new TypeError('boom\n    at somewhere')) }],
      'probe',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('ebs-backup: boom\n');
  });
});

describe('the real clients', () => {
  it('GIVEN --region WHEN a copy region is reached THEN one client per region, in that region, with the home client’s attempts and timeouts', async () => {
    const clients = awsClients({ region: 'us-east-1' });
    const copy = clients.ec2In('eu-west-1');
    const handler = async (client: typeof copy) =>
      (client.config.requestHandler as unknown as { configProvider: Promise<object> }).configProvider;

    expect(clients.ec2In('eu-west-1')).toBe(copy);
    expect(clients.ec2In('us-west-2')).not.toBe(copy);
    expect(await copy.config.region()).toBe('eu-west-1');
    expect(await clients.ec2().config.region()).toBe('us-east-1');
    expect(await copy.config.maxAttempts()).toBe(MAX_ATTEMPTS);
    expect(await copy.config.retryStrategy()).toBe(await clients.ec2().config.retryStrategy());
    expect(await copy.config.retryStrategy()).toBeInstanceOf(OperatorRetryStrategy);
    expect(await handler(copy)).toMatchObject({
      requestTimeout: 10_000,
      connectionTimeout: 3_000,
      throwOnRequestTimeout: true,
    });
  });
});

describe('tables by display width', () => {
  it('GIVEN Japanese and very long names WHEN tabulated THEN columns align by terminal width and long cells are cut', () => {
    const lines = table([
      ['NAME', 'VOLUME', 'STATE'],
      ['ウェブサーバー', 'vol-1', 'ok'],
      ['x'.repeat(300), 'vol-2', 'ok'],
      ['web', 'vol-3', 'ok'],
    ]);
    // The column where VOLUME starts, in terminal columns: 'ウェブサーバー' is 7 characters, 14 columns.
    const column = (line: string) => stringWidth(line.slice(0, line.indexOf('vol-')));
    expect(lines.slice(1).map(column)).toEqual([42, 42, 42]);
    expect(fitWidth('x'.repeat(300))).toBe(`${'x'.repeat(39)}…`);
    expect(fitWidth('ウェブサーバー', 9)).toBe('ウェブサ…');
  });
});
