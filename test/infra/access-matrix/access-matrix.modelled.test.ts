/**
 * Least privilege, modelled: the synthesized policies of prod and staging evaluated with @cloud-copilot/iam-simulate
 * (identity policies, secret resource policies and key policies combined as AWS combines them) must give exactly
 * the access matrix written in expected.ts, and docs/access-matrix.md must show that matrix.
 */
import { readFileSync } from 'node:fs';
import { simulateEnvironment, SimulatedEnvironment } from '../../support/iam-simulation';
import { formatDifferences, matrixDifferences } from '../../support/iam-simulation-diff';
import { ACCESS_MATRIX_DOC, accessMatrixMarkdown, DOCUMENTED_ENVIRONMENTS, synthesizeDocumentedEnvironments } from '../../support/iam-simulation-doc';
import { ExpectedMatrix, PROD, STAGING } from './expected';

const EXPECTED: Record<(typeof DOCUMENTED_ENVIRONMENTS)[number], ExpectedMatrix> = { prod: PROD, staging: STAGING };

const synthesized = synthesizeDocumentedEnvironments();
const simulate = (name: string, edit: (t: { Resources: Record<string, any> }) => void = () => undefined) => {
  const { template, config, stackName } = synthesized.find((e) => e.name === name)!;
  const copy = structuredClone(template);
  edit(copy);
  return simulateEnvironment(copy, config, stackName);
};

const simulated = new Map<string, SimulatedEnvironment>();
beforeAll(async () => {
  for (const name of DOCUMENTED_ENVIRONMENTS) simulated.set(name, await simulate(name));
});

describe.each(DOCUMENTED_ENVIRONMENTS)('access matrix of %s (modelled with iam-simulate)', (name) => {
  it('every cell is what expected.ts says', () => {
    const differences = matrixDifferences(EXPECTED[name], simulated.get(name)!);
    if (differences.length > 0) throw new Error(formatDifferences(name, differences));
    // The matrix is complete: every principal × every check was evaluated.
    const env = simulated.get(name)!;
    const checks = [...env.matrix.values()].reduce((n, m) => n + m.size, 0);
    expect(checks).toBe(7 * 15 + 18 + 17 + 14);
    expect(env.principals).toHaveLength(name === 'prod' ? 13 : 12);
    expect(env.services.size).toBe(15);
  });
});

describe('the comparison sees a weakened policy (prod, modelled)', () => {
  /** Statements of every resource of a type, for in-memory edits of the synthesized template. */
  const statementsOf = (t: { Resources: Record<string, any> }, type: string, property: string): any[][] =>
    Object.values(t.Resources)
      .filter((r) => r.Type === type)
      .map((r) => r.Properties[property].Statement);

  it('without the replication deny, an account administrator could copy every secret to another region', async () => {
    const weakened = await simulate('prod', (t) => {
      for (const statements of statementsOf(t, 'AWS::SecretsManager::ResourcePolicy', 'ResourcePolicy')) {
        statements.splice(
          statements.findIndex((s) => s.Sid === 'DenyReplicationToEveryone'),
          1,
        );
      }
    });
    const differences = matrixDifferences(PROD, weakened);
    expect(differences.filter((d) => d.action === 'ReplicateSecretToRegions').map((d) => `${d.principal} ${d.resource} ${d.actual}`)).toEqual(
      expect.arrayContaining(['account-admin database-url allow', 'key-admin sentry-dsn allow', 'break-glass secret-key allow']),
    );
  });

  it('without kms:ViaService on the secrets key, an account administrator could decrypt secret ciphertexts directly', async () => {
    const weakened = await simulate('prod', (t) => {
      for (const statements of statementsOf(t, 'AWS::KMS::Key', 'KeyPolicy')) {
        for (const s of statements) delete s.Condition?.StringEquals?.['kms:ViaService'];
      }
    });
    expect(matrixDifferences(PROD, weakened)).toEqual(
      expect.arrayContaining([
        { principal: 'account-admin', action: 'Decrypt directly, database-url context', resource: 'secrets key', expected: 'deny', actual: 'allow' },
      ]),
    );
  });

  it('the protected-action deny holds even if a key policy trusted the account with kms:* (the CDK default)', async () => {
    // With no such statement nothing allows these actions to others, so the deny shows only once one is added.
    const withRootStatement = await simulate('prod', (t) => {
      for (const statements of statementsOf(t, 'AWS::KMS::Key', 'KeyPolicy')) {
        statements.push({ Sid: 'WhatIfAccountRoot', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:root' }, Action: 'kms:*', Resource: '*' });
      }
    });
    const allowedTo = (key: string, action: string) => [...withRootStatement.matrix.get(key as never)!.get(action)!].filter(([, ok]) => ok).map(([id]) => id);
    for (const key of ['secrets key', 'data key', 'ops key']) {
      expect({ key, allowed: allowedTo(key, 'PutKeyPolicy') }).toEqual({ key, allowed: ['deploy', 'key-admin'] });
      expect({ key, allowed: allowedTo(key, 'DisableKeyRotation') }).toEqual({ key, allowed: ['deploy', 'key-admin'] });
      expect({ key, allowed: allowedTo(key, 'DisableKey') }).toEqual({ key, allowed: ['deploy', 'key-admin'] });
      expect({ key, allowed: allowedTo(key, 'ScheduleKeyDeletion (30 days)') }).toEqual({ key, allowed: ['deploy', 'key-admin'] });
      expect({ key, allowed: allowedTo(key, 'ScheduleKeyDeletion (7 days)') }).toEqual({ key, allowed: [] });
      // The account's own administrator now may do the rest: the deny list is all that stands in the way above.
      expect({ key, allowed: allowedTo(key, 'CreateGrant') }).toEqual({ key, allowed: ['deploy', 'break-glass', 'key-admin', 'account-admin'] });
    }
  });

  it("without aws:SourceAccount on the application role's trust policy, ECS tasks of any account could become it", async () => {
    const weakened = await simulate('prod', (t) => {
      for (const role of Object.values(t.Resources).filter((r) => r.Type === 'AWS::IAM::Role')) {
        for (const s of role.Properties.AssumeRolePolicyDocument.Statement) delete s.Condition;
      }
    });
    expect(matrixDifferences(PROD, weakened)).toEqual([
      {
        principal: 'ecs-tasks.amazonaws.com',
        action: 'ecs-tasks.amazonaws.com assumes the application role for another account',
        resource: '(service)',
        expected: 'deny',
        actual: 'allow',
      },
    ]);
  });

  it('a difference is printed as principal, action, resource, expected, actual', () => {
    const text = formatDifferences('prod', [
      { principal: 'account-admin', action: 'PutSecretValue', resource: 'database-url', expected: 'deny', actual: 'allow' },
    ]);
    expect(text.split('\n')).toEqual([
      'prod: 1 cell(s) differ from test/infra/access-matrix/expected.ts',
      'principal      action          resource      expected  actual',
      'account-admin  PutSecretValue  database-url  deny      allow ',
    ]);
  });
});

describe('docs/access-matrix.md', () => {
  it('is the current simulation (regenerate: npx tsx scripts/access-matrix.ts)', () => {
    const current = accessMatrixMarkdown(DOCUMENTED_ENVIRONMENTS.map((name) => simulated.get(name)!));
    const committed = readFileSync(ACCESS_MATRIX_DOC, 'utf8');
    if (committed !== current) {
      const a = committed.split('\n');
      const b = current.split('\n');
      const first = b.findIndex((line, i) => line !== a[i]);
      throw new Error(
        `docs/access-matrix.md is out of date from line ${first + 1}:\n  committed: ${a[first]}\n  current:   ${b[first]}\nRun: npx tsx scripts/access-matrix.ts`,
      );
    }
  });
});
