import { Validations } from 'aws-cdk-lib';
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
