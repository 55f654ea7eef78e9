import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, ListSecretVersionIdsCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DEFAULT_MAX_AGE_DAYS, parseWatchedSecrets } from '../../../lambdas/secret-age/config';
import { createSecretAgeHandler, SecretAgeCheckFailed } from '../../../lambdas/secret-age/handler';
import { secretFigures } from '../../../lambdas/secret-age/version-figures';
import { captureOutput } from '../../support/log-capture';
import { SecretsManagerModel } from '../../support/secrets-manager-model';
import { emfOf } from '../key-ring/emf';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const arn = (name: string) => `arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/prod/${name}-AbCdEf`;

/** Version metadata per secret, as ListSecretVersionIds(IncludeDeprecated=false) answers it. */
const VERSIONS: Record<string, Array<{ VersionId: string; VersionStages: string[]; CreatedDate: Date }>> = {
  // rotated 12.5 days ago, the previous version is older
  'secret-key': [
    { VersionId: 'v2', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(12.5) },
    { VersionId: 'v1', VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(102.5) },
  ],
  // a rotation stuck for 30 hours (AWSPENDING on another version)
  'database-url': [
    { VersionId: 'v5', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(31) },
    { VersionId: 'v4', VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(61) },
    { VersionId: 'v6', VersionStages: ['AWSPENDING'], CreatedDate: hoursAgo(30) },
  ],
  // the documented end state after a rotation: AWSPENDING left on the AWSCURRENT version is not stuck
  'redis-password': [
    { VersionId: 'r2', VersionStages: ['AWSCURRENT', 'AWSPENDING'], CreatedDate: daysAgo(2) },
    { VersionId: 'r1', VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(32) },
  ],
  // never set by an operator: only the deploy-time version
  'mail-password': [{ VersionId: 'm1', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(200) }],
  // set once by hand (put-secret-value): AWSPREVIOUS now marks the placeholder version
  'sentry-dsn': [
    { VersionId: 's2', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(10) },
    { VersionId: 's1', VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(40) },
  ],
  // never rotated and its first rotation stuck: still the placeholder, and pending for 5 hours
  'jwt-secret': [
    { VersionId: 'j1', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(1) },
    { VersionId: 'j2', VersionStages: ['AWSPENDING'], CreatedDate: hoursAgo(5) },
  ],
};

const EXPECTED: Record<string, { DaysSinceRotation: number; PendingRotationHours: number; PlaceholderSecret: number }> = {
  'secret-key': { DaysSinceRotation: 12.5, PendingRotationHours: 0, PlaceholderSecret: 0 },
  'database-url': { DaysSinceRotation: 31, PendingRotationHours: 30, PlaceholderSecret: 0 },
  'redis-password': { DaysSinceRotation: 2, PendingRotationHours: 0, PlaceholderSecret: 0 },
  'mail-password': { DaysSinceRotation: 200, PendingRotationHours: 0, PlaceholderSecret: 1 },
  'sentry-dsn': { DaysSinceRotation: 10, PendingRotationHours: 0, PlaceholderSecret: 0 },
  'jwt-secret': { DaysSinceRotation: 1, PendingRotationHours: 5, PlaceholderSecret: 1 },
};

function run(names: string[], sm = mockClient(SecretsManagerClient)) {
  const handler = createSecretAgeHandler({
    secretsManager: new SecretsManagerClient({}),
    secrets: names.map((name) => ({ name, id: arn(name), maxAgeDays: 90 })),
    environment: 'prod',
    namespace: 'GaaraStore/Secrets',
    logger: new Logger({ serviceName: 'secret-age-test' }),
    now: () => NOW,
  });
  return { sm, handler };
}

describe('secret-age function (Secrets Manager mocked)', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => sm.reset());
  afterAll(() => sm.restore());

  it('publishes the right figures for each secret with exactly {Environment, Secret} and never reads a value', async () => {
    for (const [name, versions] of Object.entries(VERSIONS)) {
      sm.on(ListSecretVersionIdsCommand, { SecretId: arn(name) }).resolves({ Versions: versions });
    }
    const { handler } = run(Object.keys(VERSIONS), sm);
    const out = captureOutput();
    let result;
    try {
      result = await handler();
    } finally {
      out.stop();
    }
    expect(result).toEqual({ checked: 6, failed: [] });
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    const calls = sm.commandCalls(ListSecretVersionIdsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual(Object.keys(VERSIONS).map((n) => ({ SecretId: arn(n), IncludeDeprecated: false })));

    const emf = emfOf(out);
    expect(emf).toHaveLength(6);
    for (const doc of emf) {
      const [block] = doc._aws.CloudWatchMetrics;
      expect(block.Namespace).toBe('GaaraStore/Secrets');
      expect(block.Dimensions).toEqual([['Environment', 'Secret']]);
      expect(block.Metrics.map((m) => m.Name).sort()).toEqual(['DaysSinceRotation', 'PendingRotationHours', 'PlaceholderSecret']);
      expect(doc).not.toHaveProperty('service');
      expect(doc.Environment).toBe('prod');
      const secret = doc.Secret as string;
      expect({ DaysSinceRotation: doc.DaysSinceRotation, PendingRotationHours: doc.PendingRotationHours, PlaceholderSecret: doc.PlaceholderSecret }).toEqual(EXPECTED[secret]);
    }
    expect(emf.map((d) => d.Secret)).toEqual(Object.keys(VERSIONS));
    // overdue secrets are logged as warnings
    expect(out.text.split('\n').some((l) => l.includes('"secret overdue for rotation"') && l.includes('"mail-password"'))).toBe(true);
  });

  it('one failing secret does not stop the others; the failure is logged by name and the run fails at the end', async () => {
    sm.on(ListSecretVersionIdsCommand).resolves({ Versions: VERSIONS['secret-key'] });
    sm.on(ListSecretVersionIdsCommand, { SecretId: arn('database-url') }).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    sm.on(ListSecretVersionIdsCommand, { SecretId: arn('mail-password') }).resolves({ Versions: [] });
    const { handler } = run(['database-url', 'secret-key', 'mail-password', 'jwt-secret'], sm);
    const out = captureOutput();
    let error: unknown;
    try {
      await handler();
    } catch (e) {
      error = e;
    } finally {
      out.stop();
    }
    expect(error).toBeInstanceOf(SecretAgeCheckFailed);
    expect((error as SecretAgeCheckFailed).failed).toEqual(['database-url', 'mail-password']);
    expect((error as Error).message).toBe('secret-age: 2 of 4 secrets could not be checked (database-url, mail-password); the others were published');
    expect(emfOf(out).map((d) => d.Secret)).toEqual(['secret-key', 'jwt-secret']);
    const errors = out.text.split('\n').filter((l) => l.includes('"secret age check failed"')).map((l) => JSON.parse(l));
    expect(errors.map((e) => [e.secret, e.errorName])).toEqual([
      ['database-url', 'AccessDeniedException'],
      ['mail-password', 'VersionMetadataError'],
    ]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });
});

describe('secretFigures (version metadata rules)', () => {
  it('uses the AWSCURRENT CreatedDate, not any later change', () => {
    expect(secretFigures([{ VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(3) }, { VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(1) }], NOW).daysSinceRotation).toBe(3);
  });
  it('a custom label on another version means the value was changed: not a placeholder', () => {
    expect(secretFigures([{ VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(3) }, { VersionStages: ['release-1'], CreatedDate: daysAgo(1) }], NOW).placeholder).toBe(0);
  });
  it('refuses metadata without an AWSCURRENT version', () => {
    expect(() => secretFigures([{ VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(3) }], NOW)).toThrow('no AWSCURRENT version with a CreatedDate');
  });
});

describe('SECRETS_JSON', () => {
  it('defaults maxAgeDays from the catalog (90 for the third-party secrets)', () => {
    const list = parseWatchedSecrets(JSON.stringify([{ name: 'mail-password', id: 'a' }, { name: 'sentry-dsn', id: 'b' }, { name: 'redis-password', id: 'c' }, { name: 'custom', id: 'd' }]));
    expect(list.map((s) => s.maxAgeDays)).toEqual([90, 90, 30, DEFAULT_MAX_AGE_DAYS]);
  });
  it.each([
    [undefined, 'SECRETS_JSON is not set'],
    ['[', 'SECRETS_JSON is not valid JSON'],
    ['{}', 'SECRETS_JSON must be a JSON array'],
    ['[{"id":"x"}]', 'SECRETS_JSON[0].name must be a non-empty string'],
    ['[{"name":"a","id":"x"},{"name":"b"}]', 'SECRETS_JSON[1].id must be a non-empty string'],
    ['[{"name":"a","id":"x","maxAgeDays":0}]', 'SECRETS_JSON[0].maxAgeDays must be a positive number'],
  ])('refuses %p', (raw, message) => {
    expect(() => parseWatchedSecrets(raw)).toThrow(message);
  });
});

describe('secret-age against the modelled Secrets Manager (versions and labels as the service keeps them)', () => {
  async function figuresOf(model: SecretsManagerModel, names: string[], ids: string[]) {
    const handler = createSecretAgeHandler({
      secretsManager: model as unknown as SecretsManagerClient,
      secrets: names.map((name, i) => ({ name, id: ids[i], maxAgeDays: 90 })),
      environment: 'dev',
      namespace: 'GaaraStore/Secrets',
      logger: new Logger({ serviceName: 'secret-age-test', logLevel: 'SILENT' }),
      now: () => new Date('2026-11-02T00:00:00Z'),
    });
    const out = captureOutput();
    try {
      await handler();
    } finally {
      out.stop();
    }
    return Object.fromEntries(emfOf(out).map((d) => [d.Secret, [d.PlaceholderSecret, (d.PendingRotationHours as number) > 0 ? 'pending' : 'idle']]));
  }

  it('placeholder until a value is put or a rotation finishes; a started rotation shows as pending; no value is ever read', async () => {
    const model = new SecretsManagerModel();
    const mail = model.createSecret('gaara-store/dev/mail-password', '{"placeholder":true}');
    const ring = model.createSecret('gaara-store/dev/secret-key', '{"schema":1,"placeholder":true}');
    expect(await figuresOf(model, ['mail-password', 'secret-key'], [mail, ring])).toEqual({ 'mail-password': [1, 'idle'], 'secret-key': [1, 'idle'] });

    // An operator puts the real value (put-secret-value makes it AWSCURRENT, the old one AWSPREVIOUS).
    await model.send({ input: { SecretId: mail, ClientRequestToken: 'op-1', SecretString: '{"host":"h","port":587,"username":"u","password":"p"}' }, constructor: { name: 'PutSecretValueCommand' } });
    // A rotation of the ring starts and gets stuck after createSecret.
    const token = model.startRotation(ring);
    await model.send({ input: { SecretId: ring, ClientRequestToken: token, SecretString: '{"schema":1}', VersionStages: ['AWSPENDING'] }, constructor: { name: 'PutSecretValueCommand' } });
    expect(await figuresOf(model, ['mail-password', 'secret-key'], [mail, ring])).toEqual({ 'mail-password': [0, 'idle'], 'secret-key': [1, 'pending'] });

    // The rotation finishes.
    const current = model.versionAt(ring, 'AWSCURRENT')?.versionId;
    await model.send({ input: { SecretId: ring, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }, constructor: { name: 'UpdateSecretVersionStageCommand' } });
    model.completeRotation(ring);
    expect(await figuresOf(model, ['mail-password', 'secret-key'], [mail, ring])).toEqual({ 'mail-password': [0, 'idle'], 'secret-key': [0, 'idle'] });
    expect(model.calls.filter((c) => c.command === 'GetSecretValue')).toEqual([]);
  });
});
