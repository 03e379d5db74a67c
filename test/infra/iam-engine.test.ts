import { type AuthorizationRequest, evaluate, requestContext } from '../fixtures/iam-engine';
import { onlyObstacle, withoutObstacle } from '../fixtures/iam-matrix';
import { type PolicyDocument, resolveIntrinsics, rolePolicies } from '../fixtures/template-policies';

/**
 * The IAM matrix's own tools, held to what IAM does: a harness that allowed everything, or read
 * a template wrongly, would make every matrix row meaningless.
 */
const ACCOUNT = '123456789012';
// biome-ignore lint/suspicious/noTemplateCurlyInString: IAM's policy variable for a literal *
const LITERAL_STAR = '${*}';
const principal = { arn: `arn:aws:iam::${ACCOUNT}:role/Tester`, account: ACCOUNT };
const policy = (...Statement: object[]): PolicyDocument[] => [{ Version: '2012-10-17', Statement }];
const decide = (policies: PolicyDocument[], request: AuthorizationRequest) =>
  evaluate(principal, policies, request);

describe('resolving a template', () => {
  const env = { partition: 'aws', region: 'eu-west-1', account: ACCOUNT };
  const resources = {
    Fn: { Type: 'AWS::Lambda::Function', Properties: {} },
    Named: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'backup' } },
    Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
    Bad: { Type: 'AWS::EC2::Volume', Properties: {} },
  };

  test('pseudo parameters, joins and our own resources become the values CloudFormation gives them', () => {
    expect(
      resolveIntrinsics(
        [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, '::x']] },
          { 'Fn::GetAtt': ['Fn', 'Arn'] },
          { Ref: 'Named' },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Bucket', 'Arn'] }, '/runs/*']] },
          { Condition: { StringEquals: { 'ec2:Owner': { Ref: 'AWS::AccountId' } } } },
        ],
        resources,
        env,
      ),
    ).toEqual([
      'arn:aws:ec2:eu-west-1::x',
      `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:Fn`,
      `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:backup`,
      'arn:aws:s3:::bucket/runs/*',
      { Condition: { StringEquals: { 'ec2:Owner': ACCOUNT } } },
    ]);
  });

  test('an intrinsic or a resource it does not know fails instead of matching by accident', () => {
    expect(() => resolveIntrinsics({ 'Fn::Sub': 'x' }, resources, env)).toThrow(/Fn::Sub/);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Bad', 'Arn'] }, resources, env)).toThrow(
      /AWS::EC2::Volume/,
    );
    expect(() => resolveIntrinsics({ Ref: 'Missing' }, resources, env)).toThrow(/Missing/);
  });

  test('a role with a managed policy cannot be evaluated offline', () => {
    const template = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/X'] } },
      },
    };
    expect(() => rolePolicies(template, 'Role', env)).toThrow(/managed policies/);
  });
});

describe('the request context', () => {
  test('is the one EC2 builds: region, resource tags under both prefixes, request tags and their keys', () => {
    expect(
      requestContext({
        action: 'ec2:CreateTags',
        resource: 'arn:aws:ec2:eu-west-1::snapshot/snap-1',
        resourceTags: { A: '1' },
        requestTags: { B: '2', C: '3' },
        createAction: 'CopySnapshot',
      }),
    ).toEqual({
      'aws:RequestedRegion': 'eu-west-1',
      'ec2:Region': 'eu-west-1',
      'aws:ResourceTag/A': '1',
      'ec2:ResourceTag/A': '1',
      'aws:RequestTag/B': '2',
      'aws:RequestTag/C': '3',
      'aws:TagKeys': ['B', 'C'],
      'ec2:CreateAction': 'CopySnapshot',
    });
  });
});

describe('evaluating', () => {
  const created = 'arn:aws:ec2:eu-west-1::snapshot/*';
  const existing = 'arn:aws:ec2:eu-west-1::snapshot/snap-1';
  const copy = (resource: string) => ({ action: 'ec2:CopySnapshot', resource });

  test('a resource being created has the literal ARN …/snapshot/*: snap-* does not match it, * and the literal-* variable do', async () => {
    const sources = policy({
      Effect: 'Allow',
      Action: 'ec2:CopySnapshot',
      Resource: 'arn:aws:ec2:*::snapshot/snap-*',
    });
    const any = policy({
      Effect: 'Allow',
      Action: 'ec2:CopySnapshot',
      Resource: 'arn:aws:ec2:*::snapshot/*',
    });
    const newOnly = policy({
      Effect: 'Allow',
      Action: 'ec2:CopySnapshot',
      Resource: `arn:aws:ec2:*::snapshot/${LITERAL_STAR}`,
    });
    expect(
      await Promise.all([
        decide(sources, copy(created)),
        decide(sources, copy(existing)),
        decide(any, copy(created)),
        decide(any, copy(existing)),
        decide(newOnly, copy(created)),
        decide(newOnly, copy(existing)),
      ]),
    ).toEqual(['implicit deny', 'allow', 'allow', 'allow', 'allow', 'implicit deny']);
  });

  test('Null, ForAllValues and an explicit deny are evaluated as IAM documents them', async () => {
    const deleteUnsourced = policy({
      Effect: 'Allow',
      Action: 'ec2:DeleteSnapshot',
      Resource: '*',
      Condition: { Null: { 'ec2:ResourceTag/Source': 'true' } },
    });
    const keys = policy({
      Effect: 'Allow',
      Action: 'ec2:CreateTags',
      Resource: '*',
      Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['A', 'B'] } },
    });
    const denied = policy(
      { Effect: 'Allow', Action: 'ec2:DeleteSnapshot', Resource: '*' },
      { Effect: 'Deny', Action: 'ec2:DeleteSnapshot', Resource: existing },
    );
    const del = (resourceTags = {}) => ({ action: 'ec2:DeleteSnapshot', resource: existing, resourceTags });
    const tag = (requestTags: Record<string, string>) => ({
      action: 'ec2:CreateTags',
      resource: existing,
      requestTags,
    });
    expect(
      await Promise.all([
        decide(deleteUnsourced, del()),
        decide(deleteUnsourced, del({ Source: 'us-east-1' })),
        decide(keys, tag({ A: '1' })),
        decide(keys, tag({ A: '1', C: '3' })),
        decide(denied, del()),
      ]),
    ).toEqual(['allow', 'implicit deny', 'allow', 'implicit deny', 'explicit deny']);
  });

  test('a KMS key obeys identity policies only where its key policy lets the account grant use', async () => {
    const key = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const use = policy({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key });
    const keyPolicy = policy({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    })[0];
    expect(await decide(use, { action: 'kms:Decrypt', resource: key, resourcePolicy: keyPolicy })).toBe(
      'allow',
    );
    expect(await decide(use, { action: 'kms:Decrypt', resource: key })).toBe('implicit deny');
  });

  test('refuses what it cannot evaluate rather than calling it denied', async () => {
    const del = { action: 'ec2:DeleteSnapshot', resource: existing };
    const any = policy({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' });
    await expect(decide(any, { action: 'ec2:DeleteSnapshots', resource: existing })).rejects.toThrow(
      /refused/,
    );
    await expect(
      decide(any, { action: 'ec2:DeleteSnapshot', resource: 'arn:aws:ec2:eu-west-1:1:volume/vol-1' }),
    ).rejects.toThrow(/refused/);
    await expect(
      decide(any, { action: 'ec2:DeleteSnapshot', resource: existing, createAction: 'CreateSnapshot' }),
    ).rejects.toThrow(/ec2:CreateAction/);
    await expect(
      decide(policy({ Effect: 'Maybe', Action: 'ec2:DeleteSnapshot', Resource: '*' }), del),
    ).rejects.toThrow(/refused/);
    // The engine would take "7" for a short ARN that matches everything.
    await expect(
      decide(policy({ Effect: 'Allow', Action: 'ec2:DeleteSnapshot', Resource: '7' }), del),
    ).rejects.toThrow(/neither \* nor an ARN/);
  });
});

describe('taking an obstacle away, or leaving only it', () => {
  const statements = policy(
    {
      Effect: 'Allow',
      Action: ['ec2:DeleteSnapshot'],
      Resource: ['arn:aws:ec2:eu-west-1::snapshot/*'],
      Condition: {
        StringEquals: { 'ec2:ResourceTag/M': 'x', 'ec2:ResourceTag/S': 'y' },
        Null: { 'ec2:ResourceTag/N': 'true' },
      },
    },
    {
      Effect: 'Allow',
      Action: 'ec2:DescribeSnapshots',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'true' } },
    },
  );
  const [granting, other] = statements[0].Statement;

  test('a condition key: taken out of the statements granting the action only, under any operator', () => {
    expect(
      withoutObstacle(statements, 'ec2:DeleteSnapshot', { condition: 'ec2:resourcetag/m' })[0].Statement,
    ).toEqual([
      {
        ...granting,
        Condition: { StringEquals: { 'ec2:ResourceTag/S': 'y' }, Null: { 'ec2:ResourceTag/N': 'true' } },
      },
      other,
    ]);
    expect(
      onlyObstacle(statements, 'ec2:DeleteSnapshot', { condition: 'ec2:ResourceTag/M' })[0].Statement,
    ).toEqual([{ ...granting, Condition: { StringEquals: { 'ec2:ResourceTag/M': 'x' } } }, other]);
  });

  test('only a condition key: another statement granting the action without that key is another way in, left as it is', () => {
    const atCreation = {
      Effect: 'Allow',
      Action: 'ec2:DeleteSnapshot',
      Resource: 'arn:aws:ec2:eu-west-1::snapshot/*',
      Condition: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
    };
    const both = policy(granting, atCreation);
    expect(onlyObstacle(both, 'ec2:DeleteSnapshot', { condition: 'ec2:ResourceTag/M' })[0].Statement).toEqual(
      [{ ...granting, Condition: { StringEquals: { 'ec2:ResourceTag/M': 'x' } } }, atCreation],
    );
  });

  test('the resource: widened to *; the action: granted on *; only either: every condition of the grants out', () => {
    const { Condition: _, ...unconditioned } = granting;
    expect(withoutObstacle(statements, 'ec2:DeleteSnapshot', 'resource')[0].Statement).toEqual([
      { ...granting, Resource: '*' },
      other,
    ]);
    expect(withoutObstacle(statements, 'ec2:CopySnapshot', 'action')).toEqual([
      ...statements,
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:CopySnapshot', Resource: '*' }] },
    ]);
    expect(onlyObstacle(statements, 'ec2:DeleteSnapshot', 'resource')[0].Statement).toEqual([
      unconditioned,
      other,
    ]);
  });
});
