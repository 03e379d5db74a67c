import { App, type AppProps, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_STACK_NAME } from '../lambdas/contracts/deployment';
import { readAppConfig } from './config';
import { EbsGenerationBackupStack } from './ebs-generation-backup-stack';
import type { FunctionFactory } from './functions';

/** Stack name in every region: `managedBy` defaults to it, so snapshots are marked alike everywhere. */
export const STACK_NAME = DEFAULT_STACK_NAME;

export interface BuildAppOptions extends AppProps {
  /** How the functions' code is built. Default: bundled with the local esbuild. */
  readonly functionFactory?: FunctionFactory;
  /** Account and region of the stack when `regions` is empty. Default: the CLI's (CDK_DEFAULT_*). */
  readonly defaultEnv?: Environment;
}

/**
 * The CDK app: configuration from context (cdk.json or `-c key=value`), one stack per region of
 * `regions` (or one for the CLI's default account and region), and cdk-nag's AwsSolutions
 * checks, whose findings fail the synth.
 */
export function buildApp(options: BuildAppOptions = {}): App {
  const {
    functionFactory,
    defaultEnv = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    ...appProps
  } = options;
  const app = new App(appProps);
  const config = readAppConfig((key) => app.node.tryGetContext(key), defaultEnv.region);
  const stacks =
    config.regions.length === 0
      ? [{ id: STACK_NAME, env: defaultEnv }]
      : config.regions.map((region) => ({
          id: `${STACK_NAME}-${region}`,
          env: { account: defaultEnv.account, region },
        }));
  for (const { id, env } of stacks) {
    new EbsGenerationBackupStack(app, id, {
      stackName: STACK_NAME,
      env,
      backup: { ...config.settings, functionFactory },
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}
