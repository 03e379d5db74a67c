import { NoSuchBucket } from '@aws-sdk/client-s3';
import { StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { describeAwsError } from '../../cli/errors';
import { givenCli, STATE_MACHINE_ARN } from '../fixtures/cli';

// SPEC §11.4: an unknown stack is exit 2, with what to do; so is a stack whose parts are gone.

const gone = () =>
  new StateMachineDoesNotExist({
    message: `State Machine Does Not Exist: '${STATE_MACHINE_ARN}'`,
    $metadata: { httpStatusCode: 400 },
  });

describe('ebs-backup: a deployment that is not (all) there (SPEC §11.4)', () => {
  it.each([
    ['status', 'states:ListExecutions'],
    ['run', 'states:StartExecution'],
  ])(
    'GIVEN the stack’s state machine is gone WHEN %s THEN exit 2, one line saying what to do, as for an unknown stack',
    async (command, action) => {
      const cli = givenCli();
      cli.sfn.onAnyCommand().rejects(gone());

      const result = await cli.run(command);

      expect(result.stderr).toBe(
        `ebs-backup: ${action}: the state machine of the deployment does not exist (State Machine Does Not Exist: '${STATE_MACHINE_ARN}'): check --stack, --region and --profile (and --state-machine-arn or --work-bucket if given), or redeploy the stack (npx cdk deploy)\n`,
      );
      expect(result.code).toBe(2);
      const unknown = await givenCli({ stack: 'missing' }).run(command);
      expect(unknown.code).toBe(2);
    },
  );

  it('GIVEN the work bucket is gone WHEN a run report is read THEN an unknown deployment too, exit 2', () => {
    const error = describeAwsError(
      new NoSuchBucket({
        message: 'The specified bucket does not exist',
        $metadata: { httpStatusCode: 404 },
      }),
      's3:GetObject',
    );
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^s3:GetObject: the work bucket of the deployment does not exist \(/);
  });
});
