/**
 * Prints the Secrets Manager API calls per rotation made by the shared lifecycle (lambdas/rotation), by command,
 * counted on the MODELLED Secrets Manager, for the situations the database rotator meets:
 * - warm: the four steps run in one execution environment (the usual case: the service invokes them back to back);
 * - cold: every step starts in a new execution environment (nothing cached);
 * - single-user fallback: setSecret needs AWSPREVIOUS (AWSCURRENT's password was refused);
 * - alternating users: setSecret reads the master secret.
 * Reference: the AWS Python rotation templates make 14 calls per rotation (as counted in the project brief).
 * Run: npx tsx bench/rotation-api-calls.ts
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createRotationHandler } from '../lambdas/rotation/handler';
import { previousOf, Rotator } from '../lambdas/rotation/rotator';
import { SecretsManagerSender, VersionCache } from '../lambdas/rotation/secrets-api';
import { rotationEvent, STEPS } from '../test/support/drive-rotation';
import { SecretsManagerModel } from '../test/support/secrets-manager-model';

const AWS_TEMPLATE_CALLS = 14;

interface Scenario {
  name: string;
  cold: boolean;
  readsPrevious?: boolean;
  readsMaster?: boolean;
}

function rotator(s: Scenario, masterArn: string): Rotator<{ n: number }> {
  return {
    kind: 'bench',
    serves: ['database-url'],
    parse: (v) => JSON.parse(v) as { n: number },
    serialize: (v) => JSON.stringify(v),
    createPending: async ({ current }) => ({ n: (JSON.parse(current) as { n: number }).n + 1 }),
    applyPending: async (_p, versions, ctx) => {
      if (s.readsPrevious) await previousOf(versions);
      if (s.readsMaster) await ctx.secrets.getSecretString(masterArn);
    },
    testPending: async () => undefined,
  };
}

async function count(s: Scenario): Promise<Record<string, number>> {
  const model = new SecretsManagerModel();
  const arn = model.createSecret('gaara-store/bench/database-url', JSON.stringify({ n: 0 }));
  const masterArn = model.createSecret('gaara-store/bench/db-master', JSON.stringify({ username: 'master' }));
  const make = (cache: VersionCache | false) =>
    createRotationHandler(rotator(s, masterArn), {
      secretsManager: model as unknown as SecretsManagerSender,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: { stepSucceeded: () => undefined, stepFailed: () => undefined },
      versionCache: cache,
      scope: { app: 'gaara-store', environment: 'bench' },
    });
  // A first rotation so that AWSPREVIOUS exists, then count the second one.
  const warmCache = new VersionCache();
  for (let rotation = 0; rotation < 2; rotation++) {
    if (rotation === 1) model.calls.length = 0;
    const token = model.startRotation(arn);
    const shared = make(warmCache);
    for (const step of STEPS) await (s.cold ? make(false) : shared)(rotationEvent(step, arn, token));
    model.completeRotation(arn);
    warmCache.clear();
  }
  return model.callsByCommand();
}

async function main() {
  const scenarios: Scenario[] = [
    { name: 'warm (steps share an execution environment)', cold: false },
    { name: 'cold (every step a new execution environment)', cold: true },
    { name: 'warm, single-user fallback to AWSPREVIOUS', cold: false, readsPrevious: true },
    { name: 'cold, single-user fallback to AWSPREVIOUS', cold: true, readsPrevious: true },
    { name: 'warm, alternating users (master secret read)', cold: false, readsMaster: true },
    { name: 'cold, alternating users (master secret read)', cold: true, readsMaster: true },
  ];
  const rows = [];
  for (const s of scenarios) {
    const byCommand = await count(s);
    const total = Object.values(byCommand).reduce((a, b) => a + b, 0);
    rows.push({ scenario: s.name, total, vsAwsTemplate: `${total - AWS_TEMPLATE_CALLS >= 0 ? '+' : ''}${total - AWS_TEMPLATE_CALLS}`, ...byCommand });
  }
  console.log(`Secrets Manager API calls per rotation (AWS Python templates: ${AWS_TEMPLATE_CALLS})`);
  console.table(rows);
}

void main();
