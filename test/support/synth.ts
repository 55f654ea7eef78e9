import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../lib/app';
import { ENVIRONMENTS, EnvironmentConfig } from '../../lib/config';
import type { SecretsStack } from '../../lib/stack';

export interface SynthesizedEnvironment {
  config: EnvironmentConfig;
  stack: SecretsStack;
  template: Template;
}

/** cdk.json's context (the feature flags): what `cdk synth` gives the app, so the tests synthesize the same templates. */
export const CDK_JSON_CONTEXT: Record<string, unknown> =
  (JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> }).context ?? {};

/**
 * Synthesizes every environment with cdk.json's context. Bundling is skipped (`aws:cdk:bundling-stacks` empty):
 * template tests assert the CloudFormation, and test/bundle runs the real esbuild output.
 */
export function synthAll(environments: readonly EnvironmentConfig[] = ENVIRONMENTS, context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = buildApp(app, environments);
  const results: SynthesizedEnvironment[] = stacks.map((stack) => ({ config: stack.config, stack, template: Template.fromStack(stack) }));
  return { app, results };
}

/** Resources of a type as [logicalId, resource] pairs. */
export function resourcesOf(template: Template, type: string): [string, { Properties: Record<string, any>; DeletionPolicy?: string; DependsOn?: string[] }][] {
  return Object.entries(template.findResources(type)) as never;
}

/** Finds a policy statement by Sid. */
export function statement(statements: any[], sid: string): any {
  const found = statements.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid} among ${statements.map((s) => s.Sid).join(', ')}`);
  return found;
}

/** Strips CDK tokens so assertions read like the deployed policy: `{Ref: X}` -> `Ref(X)`. */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Policy actions as a sorted array (a single action is a string in the template). */
export function sorted(actions: string | readonly string[]): string[] {
  return [actions].flat().slice().sort();
}
