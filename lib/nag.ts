import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack, NIST80053R5Checks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** The rule packs that run on every synth and in the tests. */
export function nagPacks(scope?: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(scope, { verbose: true }), new NIST80053R5Checks(scope, { verbose: true })];
}

/** Registers the packs as synth-time policy validation: an unacknowledged finding fails `cdk synth`. */
export function enableNag(app: IConstruct): void {
  Validations.of(app).addPlugins(...nagPacks(app));
}

/** How cdk-nag writes a resolved ARN in a finding id: pseudo parameters as `<AWS::Region>`, GetAtt as `<Id.Arn>`, joins flattened. */
function renderedForNag(v: unknown): string {
  if (typeof v === 'string') return v;
  const o = v as { Ref?: string; 'Fn::Join'?: [string, unknown[]]; 'Fn::GetAtt'?: [string, string] };
  if (o.Ref) return `<${o.Ref}>`;
  if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'][0]}.${o['Fn::GetAtt'][1]}>`;
  if (o['Fn::Join']) return o['Fn::Join'][1].map(renderedForNag).join(o['Fn::Join'][0]);
  return JSON.stringify(v);
}

/** The id of cdk-nag's wildcard finding (AwsSolutions-IAM5) on one resource of a policy in `scope`'s stack, for its acknowledgement. */
export function wildcardFinding(scope: IConstruct, resource: unknown): string {
  return `AwsSolutions-IAM5[Resource::${renderedForNag(Stack.of(scope).resolve(resource))}]`;
}
