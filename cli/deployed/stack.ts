/**
 * The environment's deployed stack as CloudFormation holds it: the template it last deployed (GetTemplate) and
 * the physical ids of its resources (ListStackResources, which, unlike DescribeStackResources, is not capped at
 * 100 resources). Read-only; the operator role may call both on this stack only.
 */
import {
  CloudFormationClient,
  GetTemplateCommand,
  type GetTemplateCommandOutput,
  ListStackResourcesCommand,
  type ListStackResourcesCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { secretsStackName } from '../../contracts/catalog';
import { awsClient, call } from '../aws';
import type { Context } from '../context';
import type { StackFacts, StackResource } from './intrinsics';

export { secretsStackName };

export interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

export interface DeployedStack {
  name: string;
  template: Template;
  facts: StackFacts;
}

/** Reads the stack; account and partition come from a secret's ARN (Ref of a secret is its ARN). */
export async function readDeployedStack(ctx: Context): Promise<DeployedStack> {
  const name = secretsStackName(ctx.app, ctx.env);
  const cfn = awsClient(ctx, CloudFormationClient);
  const hint = (action: string) => ({ action, resource: `stack ${name}`, role: ctx.operatorRole });
  const t = await call<GetTemplateCommandOutput>(cfn, new GetTemplateCommand({ StackName: name }), hint('cloudformation:GetTemplate'));
  let template: Template;
  try {
    template = JSON.parse(t.TemplateBody ?? '') as Template;
  } catch {
    throw new Error(`the deployed template of ${name} is not JSON (this stack is deployed by cdk, which writes JSON)`);
  }
  const physical = new Map<string, string>();
  let NextToken: string | undefined;
  do {
    const page = await call<ListStackResourcesCommandOutput>(
      cfn,
      new ListStackResourcesCommand({ StackName: name, NextToken }),
      hint('cloudformation:ListStackResources'),
    );
    for (const r of page.StackResourceSummaries ?? []) if (r.LogicalResourceId && r.PhysicalResourceId) physical.set(r.LogicalResourceId, r.PhysicalResourceId);
    NextToken = page.NextToken;
  } while (NextToken);
  const resources = new Map<string, StackResource>();
  for (const [id, r] of Object.entries(template.Resources ?? {})) {
    const physicalId = physical.get(id);
    if (physicalId) resources.set(id, { type: r.Type, physicalId, properties: r.Properties ?? {} });
  }
  const secretArn = [...resources.values()].find((r) => r.type === 'AWS::SecretsManager::Secret')?.physicalId ?? '';
  const arn = /^arn:([^:]+):secretsmanager:([^:]+):(\d{12}):/.exec(secretArn);
  if (!arn) throw new Error(`stack ${name} lists no secret with an ARN: is it deployed completely?`);
  const [, partition, region, account] = arn;
  const urlSuffix = partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return { name, template, facts: { partition: partition!, region: region!, account: account!, stackName: name, urlSuffix, resources } };
}
