import { RestoreTag } from '../../cli/restore/restore-tags';
import { DEFAULT_STACK_NAME } from '../../lambdas/contracts/deployment';
import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import { defaultKeyPolicy, newVolume, snapshotArn, volumeArn } from '../fixtures/iam-deployment';
import type { AuthorizationRequest } from '../fixtures/iam-engine';
import { allow, deny, describeObstacle, expectedOutcome, outcome, type Row } from '../fixtures/iam-matrix';
import { readmePolicies } from '../fixtures/readme-policies';
import { ACCOUNT } from '../fixtures/variants';

/**
 * The operator permissions of the README (SPEC §11.3), evaluated as written there. GIVEN the
 * policies for `restore` and `adopt` read from README.md, WHEN the requests each command makes
 * (and the ones it must never be able to make) are evaluated by the IAM policy engine, THEN
 * `restore` may only create volumes from this deployment's backups, tagged at creation, and use
 * keys through EC2; `adopt` may only mark unmarked snapshots with the marker and volume ID. Each
 * denied row is proven as in the deployment's matrix (fixtures/iam-matrix.ts).
 */
const HOME = 'us-east-1';
const COPY_REGION = 'eu-west-1';
const MARKER = DEFAULT_STACK_NAME;
const OTHER_MARKER = 'SomeoneElsesBackup';
const operator = { arn: `arn:aws:iam::${ACCOUNT}:role/Operator`, account: ACCOUNT };
const stack = (name: string) =>
  `arn:aws:cloudformation:${HOME}:${ACCOUNT}:stack/${name}/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9`;
const describeStacks = (name: string): AuthorizationRequest => ({
  action: 'cloudformation:DescribeStacks',
  resource: stack(name),
});
const backupTags = { [SnapshotTag.managedBy]: MARKER, [SnapshotTag.volumeId]: 'vol-0a1b2c3d4e5f60718' };
const copyTags = { ...backupTags, [SnapshotTag.sourceRegion]: HOME };
/** A snapshot of a set as CreateSnapshots and the set step's CreateTags leave it (SPEC §12.2). */
const setSnapshotTags = {
  ...backupTags,
  [SnapshotTag.instanceId]: 'i-0a1b2c3d4e5f60718',
  [SnapshotTag.setId]: 'i-0a1b2c3d4e5f60718/0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
  [SnapshotTag.consistency]: 'application',
};
const on = (
  action: string,
  resource: string,
  more: Partial<AuthorizationRequest> = {},
): AuthorizationRequest => ({
  action,
  resource,
  ...more,
});

function restoreRows(): Row[] {
  const who = 'restore';
  const restoredTags = {
    Name: 'web restored from snap-0a1b2c3d4e5f60718',
    [RestoreTag.restoredFrom]: 'snap-0a1b2c3d4e5f60718',
    [RestoreTag.restoredVolume]: 'vol-0a1b2c3d4e5f60718',
  };
  const key = `arn:aws:kms:${COPY_REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const keyUse = (action: string, viaService?: string) =>
    on(action, key, {
      resourcePolicy: defaultKeyPolicy(ACCOUNT),
      context: {
        ...(viaService && { 'kms:ViaService': viaService }),
        ...(action === 'kms:CreateGrant' && { 'kms:GrantIsForAWSResource': 'true' }),
      },
    });
  const throughEc2 = `ec2.${COPY_REGION}.amazonaws.com`;
  return [
    allow(who, 'DescribeStacks of the stack', describeStacks(MARKER)),
    allow(who, 'DescribeSnapshots', on('ec2:DescribeSnapshots', '*')),
    allow(who, 'DescribeVolumes', on('ec2:DescribeVolumes', '*')),
    allow(
      who,
      'CreateVolume from a backup',
      on('ec2:CreateVolume', snapshotArn(HOME), { resourceTags: backupTags }),
    ),
    allow(
      who,
      'CreateVolume from a snapshot of a consistent set (restore --set)',
      on('ec2:CreateVolume', snapshotArn(HOME), { resourceTags: setSnapshotTags }),
    ),
    allow(
      who,
      `CreateVolume from a copy in ${COPY_REGION}`,
      on('ec2:CreateVolume', snapshotArn(COPY_REGION), {
        resourceTags: copyTags,
      }),
    ),
    allow(
      who,
      'CreateVolume making the new volume, tagged',
      on('ec2:CreateVolume', newVolume(HOME), {
        requestTags: restoredTags,
      }),
    ),
    allow(
      who,
      'CreateTags of the new volume, as part of CreateVolume',
      on('ec2:CreateTags', newVolume(HOME), {
        requestTags: restoredTags,
        createAction: 'CreateVolume',
      }),
    ),
    ...[
      'kms:CreateGrant',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKeyWithoutPlaintext',
      'kms:ReEncryptFrom',
      'kms:ReEncryptTo',
    ].map((action) => allow(who, `${action} of a copy’s key, through EC2`, keyUse(action, throughEc2))),
    deny(who, 'DescribeStacks of another stack', describeStacks('SomeoneElsesStack'), 'resource'),
    deny(
      who,
      'CreateVolume from a snapshot without the marker',
      on('ec2:CreateVolume', snapshotArn(HOME), {
        resourceTags: { Name: 'someone' },
      }),
      { condition: `ec2:ResourceTag/${SnapshotTag.managedBy}` },
    ),
    deny(
      who,
      'CreateVolume from another deployment’s backup',
      on('ec2:CreateVolume', snapshotArn(HOME), {
        resourceTags: { ...backupTags, [SnapshotTag.managedBy]: OTHER_MARKER },
      }),
      { condition: `ec2:ResourceTag/${SnapshotTag.managedBy}` },
    ),
    deny(
      who,
      'CreateTags on an existing volume',
      on('ec2:CreateTags', volumeArn(HOME), { requestTags: restoredTags }),
      {
        condition: 'ec2:CreateAction',
      },
    ),
    ...[
      'ec2:AttachVolume',
      'ec2:DetachVolume',
      'ec2:DeleteVolume',
      'ec2:ModifyVolume',
      'ec2:CreateSnapshot',
    ].map((action) => deny(who, `${action} of a volume`, on(action, volumeArn(HOME)), 'action')),
    deny(
      who,
      'StopInstances',
      on('ec2:StopInstances', `arn:aws:ec2:${HOME}:${ACCOUNT}:instance/i-0a1b2c3d4e5f60718`),
      'action',
    ),
    deny(
      who,
      'DeleteSnapshot of a backup',
      on('ec2:DeleteSnapshot', snapshotArn(HOME), { resourceTags: backupTags }),
      'action',
    ),
    deny(who, 'kms:Decrypt of a key directly', keyUse('kms:Decrypt'), { condition: 'kms:ViaService' }),
    deny(
      who,
      'kms:Decrypt of a key through another service (S3)',
      keyUse('kms:Decrypt', `s3.${COPY_REGION}.amazonaws.com`),
      {
        condition: 'kms:ViaService',
      },
    ),
  ];
}

function adoptRows(): Row[] {
  const who = 'adopt';
  const mark = (resourceTags: Record<string, string>, requestTags: Record<string, string> = backupTags) =>
    on('ec2:CreateTags', snapshotArn(HOME), { resourceTags, requestTags });
  return [
    allow(who, 'DescribeStacks of the stack', describeStacks(MARKER)),
    allow(who, 'DescribeSnapshots', on('ec2:DescribeSnapshots', '*')),
    allow(who, 'CreateTags marking a snapshot of the original recipe (no tags)', mark({})),
    allow(
      who,
      'CreateTags marking an unmarked snapshot already tagged with its volume',
      mark({
        [SnapshotTag.volumeId]: backupTags[SnapshotTag.volumeId],
      }),
    ),
    deny(who, 'CreateTags with a third tag key', mark({}, { ...backupTags, Name: 'web' }), {
      condition: 'aws:TagKeys',
    }),
    deny(
      who,
      'CreateTags without the marker',
      mark({}, { [SnapshotTag.volumeId]: 'vol-0a1b2c3d4e5f60718' }),
      {
        condition: `aws:RequestTag/${SnapshotTag.managedBy}`,
      },
    ),
    deny(
      who,
      'CreateTags with another deployment’s marker',
      mark(
        {},
        {
          ...backupTags,
          [SnapshotTag.managedBy]: OTHER_MARKER,
        },
      ),
      { condition: `aws:RequestTag/${SnapshotTag.managedBy}` },
    ),
    deny(
      who,
      'CreateTags re-marking another deployment’s snapshot',
      mark({ [SnapshotTag.managedBy]: OTHER_MARKER }),
      {
        condition: `ec2:ResourceTag/${SnapshotTag.managedBy}`,
      },
    ),
    deny(who, 'CreateTags on a snapshot this deployment already manages', mark(backupTags), {
      condition: `ec2:ResourceTag/${SnapshotTag.managedBy}`,
    }),
    deny(
      who,
      'CreateTags on a volume',
      on('ec2:CreateTags', volumeArn(HOME), { requestTags: backupTags }),
      'resource',
    ),
    deny(
      who,
      'DeleteTags on a snapshot',
      on('ec2:DeleteTags', snapshotArn(HOME), { requestTags: backupTags }),
      'action',
    ),
    deny(who, 'DeleteSnapshot', on('ec2:DeleteSnapshot', snapshotArn(HOME)), 'action'),
  ];
}

const policies = readmePolicies();

test('the README gives a policy for restore and one for adopt', () => {
  expect(Object.keys(policies).sort()).toEqual(['adopt', 'restore']);
});

describe.each([
  { command: 'restore', rows: restoreRows() },
  { command: 'adopt', rows: adoptRows() },
])('$command', ({ command, rows }) => {
  test.each(
    rows.map((row) => ({
      row,
      name: `${row.what} → ${row.expect === 'allow' ? 'allowed' : `denied (${describeObstacle(row.because)})`}`,
    })),
  )('$name', async ({ row }) => {
    expect(await outcome(operator, [policies[command]], row)).toEqual(expectedOutcome(row));
  });
});
