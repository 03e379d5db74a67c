import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AslDefinition } from '../../statemachine/definition';
import type { TaskHandler } from './lambda-task';

/** The AWS SDK integrations the definition may call, and what stands in for each locally. */
const SDK_INTEGRATIONS: Record<string, (clients: { s3: S3Client }) => TaskHandler> = {
  'arn:aws:states:::aws-sdk:s3:putObject': ({ s3 }) => putObject(s3),
};

/**
 * Local handlers of the definition's Task states that call an AWS SDK integration
 * (`arn:aws:states:::aws-sdk:<service>:<action>`), by state name, wherever the state is (branches
 * and Map children included). One without a local stand-in is refused here, before a run
 * starts, rather than reaching AWS or failing halfway.
 */
export function sdkIntegrationHandlers(
  definition: AslDefinition,
  clients: { s3: S3Client },
): Record<string, TaskHandler> {
  const handlers: Record<string, TaskHandler> = {};
  const visit = (states: Record<string, AslDefinition>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.Type === 'Task' && String(state.Resource).startsWith('arn:aws:states:::aws-sdk:')) {
        const make = SDK_INTEGRATIONS[state.Resource];
        if (!make) throw new Error(`${name} calls ${state.Resource}, which local runs do not provide`);
        handlers[name] = make(clients);
      }
      for (const branch of state.Branches ?? []) visit(branch.States);
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
    }
  };
  visit(definition.States);
  return handlers;
}

/**
 * S3 PutObject as the SDK integration makes it: the state's Parameters are the API's request
 * (PascalCase), its result is the API's response. An error is named as Step Functions names an
 * SDK integration's errors, "ServiceName.ErrorName", with the "Exception" suffix added where
 * the service's own name lacks it (S3's `NoSuchBucket` is `S3.NoSuchBucketException`,
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
 */
function putObject(s3: S3Client): TaskHandler {
  return async (input) => {
    const { Bucket, Key, Body, ContentType } = input as Record<string, string>;
    try {
      const { ETag } = await s3.send(new PutObjectCommand({ Bucket, Key, Body, ContentType }));
      return { ETag };
    } catch (error) {
      const name = (error as Error).name;
      const failure = new Error((error as Error).message);
      failure.name = `S3.${name.endsWith('Exception') ? name : `${name}Exception`}`;
      throw failure;
    }
  };
}
