import { describeSetupError } from '../../cli/errors';
import { profileExists } from '../../cli/profiles';
import { awsSetupOf, runWithRealClients } from '../fixtures/cli';
import { awsErrorEndpoint, type TestEndpoint } from '../fixtures/endpoints';

// The caller's own setup (SPEC §11.4: credentials are exit 2, one line): no Region, no
// credentials, a profile that does not exist, and credentials AWS rejects are four different
// problems with four different fixes, told apart through the real SDK clients.

const WITHOUT_STACK = ['plan', '--tag-key', 'Backup-Generation', '--managed-by', 'EbsGenerationBackup'];

/** Shared config files with one profile, `ops` (region and keys), and nothing from the shell. */
const sharedFiles = () =>
  awsSetupOf({
    config: '[default]\n\n[profile ops]\nregion = eu-west-1\n',
    credentials: '[ops]\naws_access_key_id = AKIAOPS\naws_secret_access_key = x\n',
  });

describe('ebs-backup: the caller’s setup (SPEC §11.4)', () => {
  it.each([
    ['plan without the stack (EC2 first)', WITHOUT_STACK],
    ['plan with the stack (CloudFormation first)', ['plan']],
    ['generations', ['generations']],
    ['status', ['status']],
  ])('GIVEN no Region anywhere WHEN %s THEN the one clear line, exit 2', async (_, argv) => {
    const result = await runWithRealClients(argv, sharedFiles());

    expect(result.stderr).toBe(
      'ebs-backup: no AWS Region: pass --region, set AWS_REGION, or use a profile that has one\n',
    );
    expect(result.code).toBe(2);
  });

  it('GIVEN a Region but no credentials anywhere WHEN run THEN "no AWS credentials found", exit 2', async () => {
    const result = await runWithRealClients(WITHOUT_STACK, { ...sharedFiles(), AWS_REGION: 'us-east-1' });

    expect(result.stderr).toMatch(
      /^ebs-backup: no AWS credentials found \(.*\): set AWS_PROFILE \(or pass --profile\), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY\n$/,
    );
    expect(result.code).toBe(2);
  });

  it.each([
    ['AWS_PROFILE=nosuch', [], { AWS_PROFILE: 'nosuch' }, 'AWS_PROFILE'],
    ['--profile nosuch', ['--profile', 'nosuch'], {}, '--profile'],
    ['--profile nosuch and no Region', ['--profile', 'nosuch'], {}, '--profile'],
  ])(
    'GIVEN %s WHEN run THEN the profile is named as not found, not "no credentials", exit 2',
    async (label, extra, env, from) => {
      const files = sharedFiles();
      const region = label.includes('no Region') ? {} : { AWS_REGION: 'us-east-1' };

      const result = await runWithRealClients([...WITHOUT_STACK, ...extra], { ...files, ...region, ...env });

      expect(result.stderr).toBe(
        `ebs-backup: profile "nosuch" (${from}) is in neither ${files.AWS_CONFIG_FILE} nor ${files.AWS_SHARED_CREDENTIALS_FILE}: check its name (\`aws configure list-profiles\` lists them)\n`,
      );
      expect(result.code).toBe(2);
    },
  );

  describe('GIVEN an endpoint that rejects the key as AWS does', () => {
    const cases: [string, string[], Parameters<typeof awsErrorEndpoint>][] = [
      [
        'EC2: 401 AuthFailure',
        WITHOUT_STACK,
        [401, 'ec2', 'AuthFailure', 'AWS was not able to validate the provided access credentials'],
      ],
      [
        'CloudFormation: 403 InvalidClientTokenId',
        ['status'],
        [403, 'query', 'InvalidClientTokenId', 'The security token included in the request is invalid.'],
      ],
    ];
    let endpoint: TestEndpoint | undefined;
    afterEach(() => endpoint?.close());

    it.each(cases)(
      'WHEN %s THEN "AWS rejected the credentials", not "no credentials", exit 2',
      async (_, argv, answer) => {
        endpoint = await awsErrorEndpoint(...answer);

        const result = await runWithRealClients(argv, { AWS_ENDPOINT_URL: endpoint.url });

        expect(result.stderr).toBe(
          `ebs-backup: AWS rejected the credentials (${answer[2]}: ${answer[3]}): check the access key, secret and profile, or renew an expired session (e.g. aws sso login)\n`,
        );
        expect(result.code).toBe(2);
      },
    );
  });
});

describe('profileExists: where the SDK looks for a profile', () => {
  it('GIVEN [profile ops] in config and [ops] in credentials THEN ops and default exist; a name only in config without "profile", or nowhere, does not', async () => {
    const env = awsSetupOf({
      config: '[default]\nregion = us-east-1\n[ profile  ops ]\n[legacy]\n',
      credentials: '[keys-only]\naws_access_key_id = x\n',
    });

    expect(await profileExists('ops', env)).toBe(true);
    expect(await profileExists('default', env)).toBe(true);
    expect(await profileExists('keys-only', env)).toBe(true);
    expect(await profileExists('legacy', env)).toBe(false);
    expect(await profileExists('nosuch', env)).toBe(false);
    const none = `${env.AWS_CONFIG_FILE}.none`;
    expect(await profileExists('ops', { AWS_CONFIG_FILE: none, AWS_SHARED_CREDENTIALS_FILE: none })).toBe(
      false,
    );
  });
});

describe('describeSetupError: which setup problem an SDK error is', () => {
  const error = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each([
    [
      'TokenProviderError',
      'The SSO session has expired. To refresh it run aws sso login',
      /^no AWS credentials found \(The SSO session has expired/,
    ],
    [
      'ExpiredTokenException',
      'The security token included in the request is expired',
      /^AWS rejected the credentials \(ExpiredTokenException: /,
    ],
    [
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match',
      /^AWS rejected the credentials \(SignatureDoesNotMatch: /,
    ],
  ])('GIVEN %s THEN it is told as the caller’s setup, exit 2', (name, message, told) => {
    const setup = describeSetupError(error(name, message));
    expect(setup?.message).toMatch(told);
    expect(setup?.exitCode).toBe(2);
  });

  it('GIVEN a denial or a throttle THEN it is not a setup problem', () => {
    expect(describeSetupError(error('AccessDenied', 'not authorized'))).toBeUndefined();
    expect(describeSetupError(error('RequestLimitExceeded', 'Request limit exceeded.'))).toBeUndefined();
  });
});
