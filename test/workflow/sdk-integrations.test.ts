import type { S3Client } from '@aws-sdk/client-s3';
import { getJson } from '../../lambdas/aws/json-store';
import { sdkIntegrationHandlers } from '../../local/runner/sdk-integrations';
import { SimulatedAccount } from '../../local/simulated-account';

describe('sdkIntegrationHandlers: the AWS SDK integrations of a local run', () => {
  const record = {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:s3:putObject',
    Parameters: { Bucket: 'work', 'Key.$': '$.key', 'Body.$': 'States.JsonToString($)' },
    End: true,
  };
  /** The Task inside a Parallel branch, as the workflow has it. */
  const definition = {
    StartAt: 'Both',
    States: {
      Both: {
        Type: 'Parallel',
        Branches: [{ StartAt: 'Record', States: { Record: record } }],
        End: true,
      },
    },
  };

  it('GIVEN s3:putObject in a branch WHEN called with its Parameters THEN the object is written as given and the answer is the API response', async () => {
    const s3 = new SimulatedAccount().s3Client();
    const { Record } = sdkIntegrationHandlers(definition, { s3 });
    const answer = await Record({ Bucket: 'work', Key: 'runs/r/doc.json', Body: '{"a":1}' });
    expect(answer).toEqual({ ETag: expect.stringMatching(/^".+"$/) });
    expect(await getJson(s3, { bucket: 'work', key: 'runs/r/doc.json' })).toEqual({ a: 1 });
  });

  it.each([
    ['SlowDown', 'S3.SlowDownException'],
    ['NoSuchBucket', 'S3.NoSuchBucketException'],
    ['S3ServiceException', 'S3.S3ServiceException'],
  ])(
    'GIVEN S3 answers %s THEN the error is %s, as Step Functions names an SDK integration error',
    async (name, expected) => {
      const failing = { send: async () => Promise.reject(Object.assign(new Error('no'), { name })) };
      const { Record } = sdkIntegrationHandlers(definition, { s3: failing as unknown as S3Client });
      await expect(Record({ Bucket: 'work', Key: 'k', Body: '{}' })).rejects.toMatchObject({
        name: expected,
      });
    },
  );

  it('GIVEN an integration local runs do not provide WHEN handlers are made THEN refused before the run, naming the state', () => {
    const other = {
      StartAt: 'Mail',
      States: { Mail: { ...record, Resource: 'arn:aws:states:::aws-sdk:ses:sendEmail' } },
    };
    const s3 = new SimulatedAccount().s3Client();
    expect(() => sdkIntegrationHandlers(other, { s3 })).toThrow(
      'Mail calls arn:aws:states:::aws-sdk:ses:sendEmail',
    );
  });
});
