import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { type BuildAppOptions, buildApp } from '../../infra/build-app';
import type { EbsGenerationBackup } from '../../infra/ebs-generation-backup';
import { EbsGenerationBackupStack } from '../../infra/ebs-generation-backup-stack';
import type { FunctionFactory } from '../../infra/functions';

/** Functions with the real settings but placeholder code, so the tests never bundle. */
export const inlineFunction: FunctionFactory = (scope, id, { entry, ...props }) =>
  new lambda.Function(scope, id, {
    ...props,
    code: lambda.Code.fromInline(`// ${basename(entry)}\nexports.handler = async () => ({});`),
    handler: 'index.handler',
  });

export const outdir = () => mkdtempSync(join(tmpdir(), 'ebs-generation-backup-'));

/** Someone to tell (SPEC §5.4): without it, or a topic, or the opt-out, the app refuses to synth. */
export const TEST_EMAIL = 'ops@example.com';

/** The real app (cdk-nag included) with the given context (plus an address), functions not bundled. */
export function testApp(context: Record<string, unknown> = {}, options: BuildAppOptions = {}): App {
  return buildApp({
    context: { notificationEmails: TEST_EMAIL, ...context },
    outdir: outdir(),
    functionFactory: inlineFunction,
    // An environment-agnostic stack, whatever the machine's AWS settings.
    defaultEnv: {},
    // CDK's own CloudFormation schema check takes seconds per synth; `cdk synth` still runs it.
    builtinCloudFormationValidation: false,
    ...options,
  });
}

export function backupStacks(app: App): EbsGenerationBackupStack[] {
  return app.node.children.filter((child) => child instanceof EbsGenerationBackupStack);
}

export interface Synthesized {
  readonly app: App;
  readonly stack: EbsGenerationBackupStack;
  readonly backup: EbsGenerationBackup;
  readonly template: Template;
}

/** Synthesizes the real app once (a cdk-nag finding fails it) and returns its only stack. */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const app = testApp(context);
  const [stack] = backupStacks(app);
  return { app, stack, backup: stack.backup, template: Template.fromStack(stack) };
}

/** The logical ID a construct's CloudFormation resource has in the template. */
export function logicalId(construct: IConstruct): string {
  const resource = construct.node.defaultChild ?? construct;
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(resource as never)) as string;
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are free-form JSON
export type Json = any;

/**
 * Evaluates the intrinsics a template value is built from into readable text: `Fn::Join` is
 * joined, `{"Ref": X}` becomes `<X>` and `{"Fn::GetAtt": [X, A]}` becomes `<X.A>`.
 */
export function flatten(value: Json): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value?.['Fn::Join'])) {
    const [delimiter, parts] = value['Fn::Join'];
    return parts.map(flatten).join(delimiter);
  }
  if (Array.isArray(value?.['Fn::GetAtt'])) return `<${value['Fn::GetAtt'].join('.')}>`;
  if (typeof value?.Ref === 'string') return `<${value.Ref}>`;
  return JSON.stringify(value);
}

/** Every statement of every IAM policy in the template, with the logical ID of its policy. */
export function policyStatements(template: Template): { policy: string; statement: Json }[] {
  return Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(([policy, resource]) =>
    (resource.Properties.PolicyDocument.Statement as Json[]).map((statement) => ({ policy, statement })),
  );
}

/** The statements of the policy attached to `role` (a construct), resources flattened. */
export function roleStatements(template: Template, role: IConstruct): Json[] {
  const roleId = logicalId(role);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => policy.Properties.Roles.some((ref: Json) => ref.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[])
    .map((statement) => ({ ...statement, Resource: [statement.Resource].flat().map(flatten) }));
}

export const asList = (value: Json): Json[] => [value].flat();
