/**
 * Least privilege of the prod account baseline, modelled: its trail key policy, trail bucket policy and trail-reader
 * role (trust and identity policies) evaluated with @cloud-copilot/iam-simulate must give exactly the matrix below.
 * The environment matrix (access-matrix.modelled.test.ts) covers the environment stacks; this one, the trail they
 * all read.
 */
import { ENVIRONMENTS } from '../../../lib/config';
import { BaselinePrincipalId, BaselineResource, simulateBaseline, SimulatedBaseline } from '../../support/iam-simulation-baseline';
import { inventoryOf, roleTrusting } from '../../support/iam-simulation-template';
import { synthAll } from '../../support/synth';
import { synthBaselines } from '../../support/synth-baseline';

type Template = { Resources: Record<string, any> };

/** Who is allowed each check; every other principal is denied. */
const EXPECTED: Record<BaselineResource, Record<string, BaselinePrincipalId[]>> = {
  'trail key': {
    'Decrypt a trail log file via S3': ['trail-reader'],
    'Decrypt a trail log file directly': [],
    "Decrypt via S3, another account's trail context": [],
    'Decrypt via S3, no context': [],
    'Decrypt a trail log file via S3 of another region': [],
    'GenerateDataKey, trail context': [],
    DescribeKey: ['trail-reader', 'deploy', 'key-admin'],
    CreateGrant: [],
    PutKeyPolicy: ['deploy', 'key-admin'],
    DisableKeyRotation: [],
    'ScheduleKeyDeletion (30 days)': ['deploy', 'key-admin'],
    'ScheduleKeyDeletion (7 days)': [],
  },
  'trail bucket': {
    ListBucket: ['trail-reader', 'deploy', 'key-admin', 'account-admin'],
    'GetObject, a log file': ['trail-reader', 'deploy', 'key-admin', 'account-admin'],
    'read a log file (GetObject, then Decrypt via S3)': ['trail-reader'],
    'GetObject over plain HTTP': [],
    'PutObject, a log file': ['deploy', 'key-admin', 'account-admin'],
    'DeleteObjectVersion, a log file': ['deploy', 'key-admin', 'account-admin'],
    PutBucketPolicy: ['deploy', 'key-admin', 'account-admin'],
  },
  'trail log group': {
    FilterLogEvents: ['trail-reader', 'env-auditor', 'deploy', 'key-admin', 'account-admin'],
    StartQuery: ['trail-reader', 'env-auditor', 'deploy', 'key-admin', 'account-admin'],
    'FilterLogEvents, another log group': ['deploy', 'key-admin', 'account-admin'],
    DeleteLogGroup: ['deploy', 'key-admin', 'account-admin'],
  },
  'trail-reader role': {
    AssumeRole: ['security-auditor'],
  },
};

/** The matrix in EXPECTED's shape: the allowed principals of each check, in the order of the principals. */
function allowedByCheck(simulated: SimulatedBaseline): Record<string, Record<string, BaselinePrincipalId[]>> {
  return Object.fromEntries(
    [...simulated.matrix].map(([resource, byAction]) => [
      resource,
      Object.fromEntries([...byAction].map(([action, row]) => [action, [...row].filter(([, ok]) => ok).map(([id]) => id)])),
    ]),
  );
}

// The environments of the prod account make its baseline (lib/config/baseline.ts); the prod auditor role comes
// from the prod environment stack.
const { app, results } = synthAll(ENVIRONMENTS.filter((e) => e.account === '333333333333'));
const [baseline] = synthBaselines(app);
const prod = results.find((r) => r.config.envName === 'prod')!;
const prodAuditor = roleTrusting(inventoryOf(prod.template.toJSON() as Template, prod.config, prod.stack.stackName), prod.config.auditorTrustedPrincipals);

const simulate = (edit: (t: Template) => void = () => undefined) => {
  const copy = structuredClone(baseline.template.toJSON() as Template);
  edit(copy);
  return simulateBaseline(copy, baseline.config, baseline.stack.stackName, prodAuditor);
};
/** The statements of the trail key's policy, for in-memory edits of the synthesized template. */
const trailKeyStatements = (t: Template): any[] => {
  const keys = Object.values(t.Resources).filter((r) => r.Type === 'AWS::KMS::Key');
  expect(keys).toHaveLength(1);
  return keys[0].Properties.KeyPolicy.Statement;
};

let simulated: SimulatedBaseline;
beforeAll(async () => {
  simulated = await simulate();
});

describe('access matrix of the prod account baseline (modelled with iam-simulate)', () => {
  it('is the baseline of the prod account, with its auditors and deploy role', () => {
    expect(baseline.stack.stackName).toBe('gaara-store-account-baseline-333333333333');
    expect(baseline.config.envNames).toEqual(['prod']);
    expect(simulated.principals.map((p) => [p.id, p.roleArn])).toEqual([
      ['trail-reader', 'arn:aws:iam::333333333333:role/gaara-store-account-trail-reader'],
      ['security-auditor', 'arn:aws:iam::333333333333:role/gaara-store-security-auditor'],
      ['env-auditor', 'arn:aws:iam::333333333333:role/gaara-store-prod-secrets-AccessAuditorRole1DB24E15'],
      ['deploy', 'arn:aws:iam::333333333333:role/cdk-hnb659fds-cfn-exec-role-333333333333-eu-west-1'],
      ['key-admin', 'arn:aws:iam::333333333333:role/gaara-store-key-admin'],
      ['account-admin', 'arn:aws:iam::333333333333:role/account-administrator'],
      ['other-account', 'arn:aws:iam::444455556666:role/other-account-administrator'],
    ]);
  });

  it('every cell is what EXPECTED says', () => {
    expect(allowedByCheck(simulated)).toEqual(EXPECTED);
    // Complete: every principal × every check was evaluated (7 × 24 cells).
    const cells = [...simulated.matrix.values()].flatMap((byAction) => [...byAction.values()]).reduce((n, row) => n + row.size, 0);
    expect(cells).toBe(168);
  });
});

describe('the comparison sees a weakened baseline (modelled)', () => {
  it("without kms:ViaService on the trail key's decrypt statement for readers, the trail reader could decrypt directly and through another region's S3", async () => {
    const weakened = await simulate((t) => {
      const decrypt = trailKeyStatements(t).find((s) => s.Sid === 'TrailLogFileDecryptByAuditors');
      delete decrypt.Condition.StringEquals['kms:ViaService'];
    });
    // The reader's own identity policy keeps its kms:ViaService condition: the key policy alone grants it.
    expect(allowedByCheck(weakened)['trail key']).toEqual({
      ...EXPECTED['trail key'],
      'Decrypt a trail log file directly': ['trail-reader'],
      'Decrypt a trail log file via S3 of another region': ['trail-reader'],
    });
  });

  it("if the trail reader's trust policy trusted the account, the account's administrator could become it", async () => {
    const weakened = await simulate((t) => {
      const reader = Object.values(t.Resources).find((r) => r.Properties?.RoleName === 'gaara-store-account-trail-reader')!;
      reader.Properties.AssumeRolePolicyDocument.Statement[0].Principal = { AWS: 'arn:aws:iam::333333333333:root' };
    });
    // Every role of the account whose own policy allows sts:AssumeRole; the environment's auditor role has none.
    expect(allowedByCheck(weakened)['trail-reader role']).toEqual({ AssumeRole: ['security-auditor', 'deploy', 'key-admin', 'account-admin'] });
  });
});
