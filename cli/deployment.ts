import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { StackOutput } from '../lambdas/contracts/deployment';
import type { AwsClients } from './aws';
import { awsCall, CliError } from './errors';

/** What the CLI needs to know of a deployed stack (its outputs, see StackOutput). */
export interface Deployment {
  stackName: string;
  stateMachineArn: string;
  workBucket: string;
  managedBy: string;
  tagKey: string;
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
  };
}
