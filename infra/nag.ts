import { Stack, Validations } from 'aws-cdk-lib';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag acknowledgements (SPEC §8.2). Each one is attached to the construct it is about, never
 * to the stack, and says why; the infra tests fail on any finding not acknowledged here.
 */
export function acknowledge(scope: IConstruct, ruleId: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${ruleId}`, reason });
}

/**
 * Acknowledges a finding of the CDK's CloudFormation validation rules
 * (`@aws-cdk/core:validateAgainstDefaultRules`, which makes any other finding fail the synth) on
 * one construct, with the reason IAM or CloudFormation accepts what the rule flags.
 */
export function acknowledgeValidation(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `CloudFormation-Validate::${rule}`, reason });
}

/**
 * The text cdk-nag shows for a resource of an IAM statement: a `Ref` as `<Name>`, a `GetAtt`
 * as `<Name.Attribute>`, joins flattened. An IAM5 finding is acknowledged under that text.
 */
function flatten(node: unknown): string {
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (node !== null && typeof node === 'object') {
    const intrinsic = node as Record<string, unknown>;
    if (Array.isArray(intrinsic['Fn::Join'])) {
      const [delimiter, parts] = intrinsic['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
    if (Array.isArray(intrinsic['Fn::GetAtt'])) {
      const [name, attribute] = intrinsic['Fn::GetAtt'] as [string, string];
      return `<${name}.${attribute}>`;
    }
    if (typeof intrinsic.Ref === 'string') return `<${intrinsic.Ref}>`;
  }
  return JSON.stringify(node);
}

/**
 * Acknowledges the AwsSolutions-IAM5 finding of each wildcard resource in `statement`, on the
 * role (or policy) that holds it, and nowhere else.
 */
export function acknowledgeWildcardResources(
  holder: IConstruct,
  statement: PolicyStatement,
  reason: string,
): void {
  const stack = Stack.of(holder);
  const wildcards = statement.resources.map((resource) => flatten(stack.resolve(resource)));
  for (const resource of wildcards.filter((flat) => flat.includes('*'))) {
    acknowledge(holder, `IAM5[Resource::${resource}]`, reason);
  }
}
