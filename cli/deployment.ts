import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { copyRegionsEnv } from '../lambdas/commons/env';
import { type CopyRegion, DEFAULT_COPY_TAG_KEY, StackOutput } from '../lambdas/contracts/deployment';
import type { AwsClients } from './aws';
import { awsCall, CliError } from './errors';

/** What the CLI needs to know of a deployed stack (its outputs, see StackOutput). */
export interface Deployment {
  stackName: string;
  stateMachineArn: string;
  workBucket: string;
  managedBy: string;
  tagKey: string;
  /** The regions copies are kept in (SPEC §10.1); none for a stack deployed before copies. */
  copyRegions: CopyRegion[];
  /** The tag key that asks for copies (SPEC §10.2). */
  copyTagKey: string;
}

/**
 * Finds the deployment from its stack's outputs. An unknown stack is the operator's to fix
 * (wrong region, profile or `--stack`), so it says so plainly.
 */
export async function resolveDeployment(clients: AwsClients, stackName: string): Promise<Deployment> {
  const response = await awsCall('cloudformation:DescribeStacks', async () => {
    try {
      return await clients.cloudFormation().send(new DescribeStacksCommand({ StackName: stackName }));
    } catch (error) {
      if ((error as Error).name === 'ValidationError' && /does not exist/.test((error as Error).message)) {
        throw new CliError(
          `no stack "${stackName}" in this account and region: deploy it, or pass --stack, --region or --profile`,
        );
      }
      throw error;
    }
  });
  const stack = response.Stacks?.[0];
  const outputs = new Map((stack?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  const read = (key: string) => {
    const value = outputs.get(key);
    if (!value) {
      throw new CliError(
        `stack "${stackName}" has no output ${key}: is it an EBS generation backup stack of this version? Redeploy it`,
      );
    }
    return value;
  };
  return {
    stackName,
    stateMachineArn: read(StackOutput.stateMachineArn),
    workBucket: read(StackOutput.workBucket),
    managedBy: read(StackOutput.managedBy),
    tagKey: read(StackOutput.tagKey),
    copyRegions: copyRegionsOutput(stackName, outputs.get(StackOutput.copyRegions)),
    copyTagKey: outputs.get(StackOutput.copyTagKey) || DEFAULT_COPY_TAG_KEY,
  };
}

/**
 * The stack's copy regions, read as the functions read the same JSON from their environment
 * (`copyRegionsEnv`). A stack deployed before copies has no such output: it keeps no copies.
 */
function copyRegionsOutput(stackName: string, value: string | undefined): CopyRegion[] {
  try {
    return copyRegionsEnv(StackOutput.copyRegions, { [StackOutput.copyRegions]: value });
  } catch {
    throw new CliError(
      `stack "${stackName}" has an output ${StackOutput.copyRegions} that is not a JSON array of {"region", "kmsKeyArn"?}: ${JSON.stringify(value)}; redeploy it`,
    );
  }
}
