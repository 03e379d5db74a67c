import { SnapshotTag } from '../../lambdas/core/snapshot-tags';
import {
  type DeploymentUnderTest,
  deploymentsOf,
  type PrincipalName,
  principalOf,
  snapshotArn,
  writtenCopyTags,
  writtenSnapshotTags,
} from '../fixtures/iam-deployment';
import { allow, deny, describeObstacle, expectedOutcome, outcome, type Row } from '../fixtures/iam-matrix';
import { copyKeyRows, copySnapshotRows } from '../fixtures/iam-rows/copy-rows';
import { runScriptRows, snapshotSetRows } from '../fixtures/iam-rows/set-rows';
import { createSnapshotRows, pruneRows } from '../fixtures/iam-rows/snapshot-rows';
import {
  failedRunPublisherRows,
  readOnlyRows,
  scheduleRows,
  successWindowStartRows,
  workflowRows,
} from '../fixtures/iam-rows/workflow-rows';
import { MUTUAL_DR, VARIANTS } from '../fixtures/variants';

/**
 * IAM proven by evaluation (SPEC §8.1, §8.2, §10.8, §12.5). GIVEN every configuration variant,
 * synthesized as deployed, WHEN each role's identity policies are evaluated by an IAM policy
 * engine with AWS's published data, THEN each row of the matrix is allowed or denied as written,
 * and each denied row is allowed once its one obstacle is taken away and still denied with only
 * that obstacle left (see fixtures/iam-matrix.ts): no row can pass because everything is denied.
 */

/** The rows of each role: every role of a deployment has some, allowed and denied. */
const MATRIX: Record<PrincipalName, (d: DeploymentUnderTest) => Row[]> = {
  discover: (d) => readOnlyRows(d, 'discover'),
  createSnapshot: createSnapshotRows,
  snapshotSet: snapshotSetRows,
  runScript: runScriptRows,
  awaitSnapshots: (d) => readOnlyRows(d, 'awaitSnapshots'),
  copySnapshot: (d) => [...copySnapshotRows(d), ...copyKeyRows(d)],
  awaitCopies: (d) => readOnlyRows(d, 'awaitCopies'),
  prune: pruneRows,
  summarise: (d) => readOnlyRows(d, 'summarise'),
  workflow: workflowRows,
  schedule: scheduleRows,
  failedRunPublisher: failedRunPublisherRows,
  successWindowStart: successWindowStartRows,
};

const title = (row: Row) =>
  `${row.what} → ${row.expect === 'allow' ? 'allowed' : `denied (${describeObstacle(row.because)})`}`;

async function check(deployment: DeploymentUnderTest, row: Row) {
  const { principal, policies } = principalOf(deployment, row.who as PrincipalName);
  expect(await outcome(principal, policies, row)).toEqual(expectedOutcome(row));
}

describe.each(
  VARIANTS.flatMap(deploymentsOf).map((deployment) => ({ name: deployment.variant, deployment })),
)('$name', ({ deployment }) => {
  const principals = Object.keys(deployment.roles) as PrincipalName[];

  test('every role of the template is a principal of the matrix, with allowed and denied rows', () => {
    const roles = Object.entries(deployment.template.Resources)
      .filter(([, resource]) => (resource as { Type: string }).Type === 'AWS::IAM::Role')
      .map(([id]) => id);
    expect(Object.values(deployment.roles).sort()).toEqual(roles.sort());
    for (const who of principals) {
      const expectations = new Set(MATRIX[who](deployment).map((row) => row.expect));
      expect({ who, expectations: [...expectations].sort() }).toEqual({
        who,
        expectations: ['allow', 'deny'],
      });
    }
  });

  describe.each(principals)('%s', (who) => {
    test.each(MATRIX[who](deployment).map((row) => ({ row, name: title(row) })))('$name', ({ row }) =>
      check(deployment, row),
    );
  });
});

/**
 * Two deployments under the default marker, each keeping its copies in the other's home region
 * (SPEC §8.1): each pruner is denied every snapshot and copy of the other, as the other makes
 * them, and the other's pruner is allowed the same requests, so the denial is about whose they
 * are and nothing else.
 */
describe('mutual DR: two deployments under one marker, each copying to the other’s region', () => {
  const [east, west] = MUTUAL_DR.map((variant) => {
    const [deployment] = deploymentsOf(variant);
    return deployment;
  });

  test('they share the marker and each one’s home is the other’s copy region', () => {
    expect(east.managedBy).toBe(west.managedBy);
    expect(east.copyRegions.map(({ region }) => region)).toEqual([west.env.region]);
    expect(west.copyRegions.map(({ region }) => region)).toEqual([east.env.region]);
  });

  /** What `owner` keeps: its snapshot at home, its copy in its copy region. */
  const keptBy = (owner: DeploymentUnderTest) => [
    {
      what: `a snapshot of the ${owner.env.region} deployment, in ${owner.env.region}`,
      request: {
        action: 'ec2:DeleteSnapshot',
        resource: snapshotArn(owner.env.region),
        resourceTags: writtenSnapshotTags(owner),
      },
    },
    {
      what: `a copy of the ${owner.env.region} deployment, in ${owner.copyRegions[0].region}`,
      request: {
        action: 'ec2:DeleteSnapshot',
        resource: snapshotArn(owner.copyRegions[0].region),
        resourceTags: writtenCopyTags(owner),
      },
    },
  ];

  describe.each([
    { pruner: east, owner: west },
    { pruner: west, owner: east },
  ])(
    'the pruner of $pruner.env.region and what the $owner.env.region deployment keeps',
    ({ pruner, owner }) => {
      test.each(keptBy(owner))('$what: denied to it, allowed to its owner', async ({ what, request }) => {
        expect(request.resourceTags[SnapshotTag.managedBy]).toBe(pruner.managedBy);
        await check(
          pruner,
          deny('prune', what, request, { condition: `ec2:ResourceTag/${SnapshotTag.sourceRegion}` }),
        );
        await check(owner, allow('prune', what, request));
      });
    },
  );
});
