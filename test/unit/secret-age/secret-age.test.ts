import { Logger } from '@aws-lambda-powertools/logger';
import {
  DescribeSecretCommand,
  type DescribeSecretCommandOutput,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { ageFigures, isOverdue, lastRotation, rotatedBy, rotationDue } from '../../../contracts/secret-age-rules';
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

/** DescribeSecret's metadata per secret (no value). Only the rotation service sets LastRotatedDate. */
const DESCRIBED: Record<string, Partial<DescribeSecretCommandOutput>> = {
  'secret-key': { CreatedDate: daysAgo(300), LastRotatedDate: daysAgo(12.5), RotationEnabled: true, NextRotationDate: daysAgo(-77.5) },
  'database-url': { CreatedDate: daysAgo(300), LastRotatedDate: daysAgo(31), RotationEnabled: true },
  'redis-password': { CreatedDate: daysAgo(300), LastRotatedDate: daysAgo(2), RotationEnabled: true },
  // third-party: no rotation configured, so no LastRotatedDate; a tag change moved LastChangedDate
  'mail-password': { CreatedDate: daysAgo(200), LastChangedDate: daysAgo(3) },
  'sentry-dsn': { CreatedDate: daysAgo(40), LastChangedDate: daysAgo(3) },
  // its first rotation has not completed
  'jwt-secret': { CreatedDate: daysAgo(1), RotationEnabled: true },
};

const EXPECTED: Record<string, Record<string, number>> = {
  'secret-key': { DaysSinceRotation: 12.5, DaysSinceLastRotation: 12.5, NeverRotated: 0, PendingRotationHours: 0, PlaceholderSecret: 0 },
  'database-url': { DaysSinceRotation: 31, DaysSinceLastRotation: 31, NeverRotated: 0, PendingRotationHours: 30, PlaceholderSecret: 0 },
  'redis-password': { DaysSinceRotation: 2, DaysSinceLastRotation: 2, NeverRotated: 0, PendingRotationHours: 0, PlaceholderSecret: 0 },
  'mail-password': { DaysSinceRotation: 200, DaysSinceLastRotation: 200, NeverRotated: 1, PendingRotationHours: 0, PlaceholderSecret: 1 },
  'sentry-dsn': { DaysSinceRotation: 10, DaysSinceLastRotation: 10, NeverRotated: 0, PendingRotationHours: 0, PlaceholderSecret: 0 },
  'jwt-secret': { DaysSinceRotation: 1, DaysSinceLastRotation: 1, NeverRotated: 1, PendingRotationHours: 5, PlaceholderSecret: 1 },
};

const METRIC_NAMES = ['DaysSinceLastRotation', 'DaysSinceRotation', 'NeverRotated', 'PendingRotationHours', 'PlaceholderSecret'];
const figuresOfDoc = (doc: Record<string, unknown>) => Object.fromEntries(METRIC_NAMES.map((n) => [n, doc[n]]));

function run(names: string[], sm = mockClient(SecretsManagerClient), now: () => Date = () => NOW) {
  const handler = createSecretAgeHandler({
    secretsManager: new SecretsManagerClient({}),
    secrets: names.map((name) => ({ name, id: arn(name), maxAgeDays: 90 })),
    environment: 'prod',
    namespace: 'GaaraStore/Secrets',
    logger: new Logger({ serviceName: 'secret-age-test' }),
    now,
  });
  return { sm, handler };
}

/** Runs the handler with output captured: the error it threw (if any), its EMF documents and its log lines. */
async function invoke(handler: () => Promise<unknown>) {
  const out = captureOutput();
  let error: unknown;
  let result: unknown;
  try {
    result = await handler();
  } catch (e) {
    error = e;
  } finally {
    out.stop();
  }
  const logs = out.json().filter((l) => typeof l.message === 'string');
  return { result, error, emf: emfOf(out), logs };
}

/** The only calls the function may make: metadata, never a value. */
function commandsCalled(sm: ReturnType<typeof mockClient>): string[] {
  return [...new Set(sm.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name))].sort();
}

describe('secret-age function (Secrets Manager mocked)', () => {
  const sm = mockClient(SecretsManagerClient);
  afterEach(() => sm.reset());
  afterAll(() => sm.restore());

  it('publishes the right figures for each secret with exactly {Environment, Secret} and never reads a value', async () => {
    for (const [name, versions] of Object.entries(VERSIONS)) {
      sm.on(ListSecretVersionIdsCommand, { SecretId: arn(name) }).resolves({ Versions: versions });
      sm.on(DescribeSecretCommand, { SecretId: arn(name) }).resolves(DESCRIBED[name]);
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
    expect(commandsCalled(sm)).toEqual(['DescribeSecretCommand', 'ListSecretVersionIdsCommand']);
    const calls = sm.commandCalls(ListSecretVersionIdsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual(Object.keys(VERSIONS).map((n) => ({ SecretId: arn(n), IncludeDeprecated: false })));
    expect(sm.commandCalls(DescribeSecretCommand).map((c) => c.args[0].input)).toEqual(Object.keys(VERSIONS).map((n) => ({ SecretId: arn(n) })));

    const emf = emfOf(out);
    expect(emf).toHaveLength(6);
    for (const doc of emf) {
      const [block] = doc._aws.CloudWatchMetrics;
      expect(block.Namespace).toBe('GaaraStore/Secrets');
      expect(block.Dimensions).toEqual([['Environment', 'Secret']]);
      expect(block.Metrics.map((m) => m.Name).sort()).toEqual([
        'DaysSinceLastRotation',
        'DaysSinceRotation',
        'NeverRotated',
        'PendingRotationHours',
        'PlaceholderSecret',
      ]);
      expect(doc).not.toHaveProperty('service');
      expect(doc.Environment).toBe('prod');
      const secret = doc.Secret as string;
      expect({ secret, ...figuresOfDoc(doc) }).toEqual({ secret, ...EXPECTED[secret] });
    }
    expect(emf.map((d) => d.Secret)).toEqual(Object.keys(VERSIONS));
    // overdue secrets are logged as warnings
    expect(out.text.split('\n').some((l) => l.includes('"secret overdue for rotation"') && l.includes('"mail-password"'))).toBe(true);
  });

  it('one failing secret does not stop the others; the failure is logged by name and the run fails at the end', async () => {
    sm.on(ListSecretVersionIdsCommand).resolves({ Versions: VERSIONS['secret-key'] });
    sm.on(DescribeSecretCommand).resolves(DESCRIBED['secret-key']);
    sm.on(ListSecretVersionIdsCommand, { SecretId: arn('database-url') }).rejects(
      Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
    );
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
    const errors = out.text
      .split('\n')
      .filter((l) => l.includes('"secret age check failed"'))
      .map((l) => JSON.parse(l));
    expect(errors.map((e) => [e.secret, e.call, e.errorName])).toEqual([
      ['database-url', 'ListSecretVersionIds', 'AccessDeniedException'],
      ['mail-password', undefined, 'VersionMetadataError'],
    ]);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('mocked: DescribeSecret failing for one secret still publishes the others, and the log names the secret and the call', async () => {
    for (const name of ['secret-key', 'database-url', 'sentry-dsn']) {
      sm.on(ListSecretVersionIdsCommand, { SecretId: arn(name) }).resolves({ Versions: VERSIONS[name] });
      sm.on(DescribeSecretCommand, { SecretId: arn(name) }).resolves(DESCRIBED[name]);
    }
    const denied = Object.assign(new Error('User: arn:aws:sts::111111111111:assumed-role/age/fn is not authorized to perform: secretsmanager:DescribeSecret'), {
      name: 'AccessDeniedException',
    });
    sm.on(DescribeSecretCommand, { SecretId: arn('database-url') }).rejects(denied);
    const { error, emf, logs } = await invoke(run(['secret-key', 'database-url', 'sentry-dsn'], sm).handler);
    expect((error as SecretAgeCheckFailed).failed).toEqual(['database-url']);
    expect((error as Error).message).toBe('secret-age: 1 of 3 secrets could not be checked (database-url); the others were published');
    expect(emf.map((d) => [d.Secret, d.DaysSinceLastRotation])).toEqual([
      ['secret-key', 12.5],
      ['sentry-dsn', 10],
    ]);
    const failures = logs.filter((l) => l.message === 'secret age check failed');
    expect(failures.map((l) => [l.level, l.secret, l.call, l.errorName])).toEqual([['ERROR', 'database-url', 'DescribeSecret', 'AccessDeniedException']]);
    expect(commandsCalled(sm)).toEqual(['DescribeSecretCommand', 'ListSecretVersionIdsCommand']);
  });

  it('mocked: a manual put-secret-value after a rotation keeps DaysSinceLastRotation growing (only DaysSinceRotation drops)', async () => {
    // database-url rotated 80 days ago; two days ago an operator put a value by hand (LastRotatedDate does not move).
    const described = { CreatedDate: daysAgo(300), LastRotatedDate: daysAgo(80), RotationEnabled: true };
    sm.on(DescribeSecretCommand)
      .resolvesOnce(described)
      .resolves({ ...described, LastChangedDate: daysAgo(2) });
    const rotated = [
      { VersionId: 'v9', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(80) },
      { VersionId: 'v8', VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(110) },
    ];
    const putByHand = [
      { VersionId: 'hand-1', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(2) },
      { VersionId: 'v9', VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(80) },
    ];
    sm.on(ListSecretVersionIdsCommand).resolvesOnce({ Versions: rotated }).resolves({ Versions: putByHand });
    const clock = { now: daysAgo(3) };
    const { handler } = run(['database-url'], sm, () => clock.now);

    const before = await invoke(handler);
    clock.now = NOW;
    const justAfter = await invoke(handler);
    clock.now = daysAgo(-15);
    const later = await invoke(handler);

    expect([before, justAfter, later].map((r) => figuresOfDoc(r.emf[0]))).toEqual([
      { DaysSinceLastRotation: 77, DaysSinceRotation: 77, NeverRotated: 0, PendingRotationHours: 0, PlaceholderSecret: 0 },
      { DaysSinceLastRotation: 80, DaysSinceRotation: 2, NeverRotated: 0, PendingRotationHours: 0, PlaceholderSecret: 0 },
      { DaysSinceLastRotation: 95, DaysSinceRotation: 17, NeverRotated: 0, PendingRotationHours: 0, PlaceholderSecret: 0 },
    ]);
    // 95 days without a rotation is overdue (maxAgeDays 90) although the value is 17 days old
    expect(later.logs.map((l) => [l.message, l.level, l.rotatedBy, l.lastRotatedDate])).toEqual([
      ['secret overdue for rotation', 'WARN', 'rotator', daysAgo(80).toISOString()],
    ]);
  });

  it('mocked: turning rotation off does not make a manual put count as a rotation (catalog rotator: the age runs from creation)', async () => {
    // CancelRotateSecret: RotationEnabled false and LastRotatedDate gone; a value was then put by hand.
    sm.on(DescribeSecretCommand).resolves({ CreatedDate: daysAgo(120), RotationEnabled: false });
    sm.on(ListSecretVersionIdsCommand).resolves({
      Versions: [
        { VersionId: 'hand-1', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(1) },
        { VersionId: 'v3', VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(20) },
      ],
    });
    const { emf, logs } = await invoke(run(['redis-password'], sm).handler);
    expect(figuresOfDoc(emf[0])).toEqual({ DaysSinceLastRotation: 120, DaysSinceRotation: 1, NeverRotated: 1, PendingRotationHours: 0, PlaceholderSecret: 0 });
    expect(logs.map((l) => [l.message, l.rotatedBy, l.rotationEnabled])).toEqual([['secret overdue for rotation', 'rotator', false]]);
  });

  it('mocked: never rotated is 1 for a placeholder and for a rotated secret only ever set by hand; 0 once a rotation completed', async () => {
    sm.on(DescribeSecretCommand, { SecretId: arn('jwt-secret') }).resolves({ CreatedDate: daysAgo(6), RotationEnabled: true });
    sm.on(ListSecretVersionIdsCommand, { SecretId: arn('jwt-secret') }).resolves({
      Versions: [{ VersionId: 'j1', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(6) }],
    });
    // the operator seeded database-url by hand twice; its rotator never completed
    sm.on(DescribeSecretCommand, { SecretId: arn('database-url') }).resolves({ CreatedDate: daysAgo(50), RotationEnabled: true, LastChangedDate: daysAgo(5) });
    sm.on(ListSecretVersionIdsCommand, { SecretId: arn('database-url') }).resolves({
      Versions: [
        { VersionId: 'hand-2', VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(5) },
        { VersionId: 'hand-1', VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(30) },
      ],
    });
    sm.on(DescribeSecretCommand, { SecretId: arn('redis-password') }).resolves(DESCRIBED['redis-password']);
    sm.on(ListSecretVersionIdsCommand, { SecretId: arn('redis-password') }).resolves({ Versions: VERSIONS['redis-password'] });
    const { emf, error } = await invoke(run(['jwt-secret', 'database-url', 'redis-password'], sm).handler);
    expect(error).toBeUndefined();
    expect(Object.fromEntries(emf.map((d) => [d.Secret, [d.NeverRotated, d.PlaceholderSecret, d.DaysSinceLastRotation, d.DaysSinceRotation]]))).toEqual({
      'jwt-secret': [1, 1, 6, 6],
      'database-url': [1, 0, 50, 5],
      'redis-password': [0, 0, 2, 2],
    });
  });

  it("mocked: every call of a run is issued at once (two per secret), so a slow endpoint costs one call's timeout, not fourteen", async () => {
    let inFlight = 0;
    let most = 0;
    const slow =
      <T>(value: T) =>
      async () => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight -= 1;
        return value;
      };
    sm.on(ListSecretVersionIdsCommand).callsFake(slow({ Versions: VERSIONS['secret-key'] }));
    sm.on(DescribeSecretCommand).callsFake(slow(DESCRIBED['secret-key']));
    const names = ['secret-key', 'jwt-secret', 'encryption-key', 'database-url', 'redis-password', 'mail-password', 'sentry-dsn'];
    const { emf, error } = await invoke(run(names, sm).handler);
    expect(error).toBeUndefined();
    expect(most).toBe(14);
    // published in the configured order all the same
    expect(emf.map((d) => d.Secret)).toEqual(names);
  });
});

describe('secretFigures (version metadata rules)', () => {
  it('uses the AWSCURRENT CreatedDate, not any later change', () => {
    expect(
      secretFigures(
        [
          { VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(3) },
          { VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(1) },
        ],
        NOW,
      ).daysSinceRotation,
    ).toBe(3);
  });
  it('a custom label on another version means the value was changed: not a placeholder', () => {
    expect(
      secretFigures(
        [
          { VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(3) },
          { VersionStages: ['release-1'], CreatedDate: daysAgo(1) },
        ],
        NOW,
      ).placeholder,
    ).toBe(0);
  });
  it('refuses metadata without an AWSCURRENT version', () => {
    expect(() => secretFigures([{ VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(3) }], NOW)).toThrow('no AWSCURRENT version with a CreatedDate');
  });
});

describe('rotation age rules (contracts/secret-age-rules.ts)', () => {
  const putByHand = [
    { VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(2) },
    { VersionStages: ['AWSPREVIOUS'], CreatedDate: daysAgo(40) },
  ];
  it('who rotates: the catalog rotator, even with rotation turned off; a third-party secret only while rotation is on', () => {
    expect(rotatedBy('database-url', { RotationEnabled: false })).toBe('rotator');
    expect(rotatedBy('encryption-key', {})).toBe('rotator');
    expect(rotatedBy('sentry-dsn', {})).toBe('hand');
    expect(rotatedBy('sentry-dsn', { RotationEnabled: true })).toBe('rotator');
    expect(rotatedBy('custom-secret', { RotationEnabled: false })).toBe('hand');
  });
  it('a rotated secret counts from LastRotatedDate, else from its creation; a hand-rotated one from its current value', () => {
    expect(lastRotation(putByHand, { CreatedDate: daysAgo(90), LastRotatedDate: daysAgo(40), LastChangedDate: daysAgo(1) }, 'rotator')).toEqual({
      since: daysAgo(40),
      never: false,
    });
    expect(lastRotation(putByHand, { CreatedDate: daysAgo(90) }, 'rotator')).toEqual({ since: daysAgo(90), never: true });
    expect(lastRotation(putByHand, { CreatedDate: daysAgo(90) }, 'hand')).toEqual({ since: daysAgo(2), never: false });
    expect(lastRotation([{ VersionStages: ['AWSCURRENT'], CreatedDate: daysAgo(90) }], { CreatedDate: daysAgo(90) }, 'hand')).toEqual({
      since: daysAgo(90),
      never: true,
    });
  });
  it('refuses DescribeSecret metadata without LastRotatedDate or CreatedDate for a rotated secret', () => {
    expect(() => ageFigures(putByHand, {}, 'rotator', NOW)).toThrow('DescribeSecret returned neither LastRotatedDate nor CreatedDate');
  });
  it('overdue follows the rotation age when it is known, the value age otherwise; due dates likewise', () => {
    const figures = ageFigures(putByHand, { CreatedDate: daysAgo(300), LastRotatedDate: daysAgo(40) }, 'rotator', NOW);
    expect(figures).toEqual({ daysSinceRotation: 2, daysSinceLastRotation: 40, neverRotated: 0, pendingRotationHours: 0, placeholder: 0 });
    expect(isOverdue(figures, 30)).toBe(true);
    expect(isOverdue(secretFigures(putByHand, NOW), 30)).toBe(false);
    expect(rotationDue(putByHand, { CreatedDate: daysAgo(300), LastRotatedDate: daysAgo(40) }, 'rotator', 30)).toEqual(daysAgo(10));
  });
});

describe('SECRETS_JSON', () => {
  it('defaults maxAgeDays from the catalog (90 for the third-party secrets)', () => {
    const list = parseWatchedSecrets(
      JSON.stringify([
        { name: 'mail-password', id: 'a' },
        { name: 'sentry-dsn', id: 'b' },
        { name: 'redis-password', id: 'c' },
        { name: 'custom', id: 'd' },
      ]),
    );
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

/**
 * The modelled service plus the DescribeSecret dates the service keeps: CreatedDate when the secret is created,
 * LastRotatedDate when a rotation completes (never on PutSecretValue), LastChangedDate on any change.
 */
class DatedSecretsManagerModel extends SecretsManagerModel {
  private readonly dates = new Map<string, { CreatedDate: Date; LastRotatedDate?: Date; LastChangedDate: Date }>();

  override createSecret(name: string, secretString: string, opts: { rotationEnabled?: boolean } = {}): string {
    const arn = super.createSecret(name, secretString, opts);
    const created = this.versionAt(arn, 'AWSCURRENT')!.createdDate;
    this.dates.set(arn, { CreatedDate: created, LastChangedDate: created });
    return arn;
  }

  override completeRotation(secretId: string): void {
    super.completeRotation(secretId);
    const d = this.dates.get(this.find(secretId).arn)!;
    d.LastRotatedDate = d.LastChangedDate = this.versionAt(secretId, 'AWSCURRENT')!.createdDate;
  }

  override async send(command: { input: object; constructor: { name: string } }): Promise<unknown> {
    const result = await super.send(command);
    const d = this.dates.get(this.find(String((command.input as { SecretId: string }).SecretId)).arn)!;
    if (command.constructor.name === 'PutSecretValueCommand')
      d.LastChangedDate = this.versionAt(String((command.input as { SecretId: string }).SecretId), 'AWSCURRENT')!.createdDate;
    return command.constructor.name === 'DescribeSecretCommand' ? { ...(result as object), ...d } : result;
  }
}

describe('secret-age against the modelled Secrets Manager (versions, labels and rotation dates as the service keeps them)', () => {
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
    return Object.fromEntries(
      emfOf(out).map((d) => [d.Secret, [d.PlaceholderSecret, d.NeverRotated, (d.PendingRotationHours as number) > 0 ? 'pending' : 'idle']]),
    );
  }

  it('placeholder until a value is put or a rotation finishes; never rotated until a rotation finishes, whatever is put by hand; no value is ever read', async () => {
    const model = new DatedSecretsManagerModel();
    const mail = model.createSecret('gaara-store/dev/mail-password', '{"placeholder":true}', { rotationEnabled: false });
    const ring = model.createSecret('gaara-store/dev/secret-key', '{"schema":1,"placeholder":true}');
    const names = ['mail-password', 'secret-key'];
    expect(await figuresOf(model, names, [mail, ring])).toEqual({ 'mail-password': [1, 1, 'idle'], 'secret-key': [1, 1, 'idle'] });

    // An operator puts the real value of both (put-secret-value makes it AWSCURRENT, the old one AWSPREVIOUS).
    const put = (id: string, token: string, value: string, stages?: string[]) =>
      model.send({
        input: { SecretId: id, ClientRequestToken: token, SecretString: value, ...(stages ? { VersionStages: stages } : {}) },
        constructor: { name: 'PutSecretValueCommand' },
      });
    await put(mail, 'op-1', '{"host":"h","port":587,"username":"u","password":"p"}');
    await put(ring, 'op-2', '{"schema":1}');
    // mail-password is rotated by hand: the value put is its rotation. secret-key has a rotator: it still never rotated.
    expect(await figuresOf(model, names, [mail, ring])).toEqual({ 'mail-password': [0, 0, 'idle'], 'secret-key': [0, 1, 'idle'] });

    // A rotation of the ring starts and gets stuck after createSecret.
    const token = model.startRotation(ring);
    await put(ring, token, '{"schema":1,"n":2}', ['AWSPENDING']);
    expect(await figuresOf(model, names, [mail, ring])).toEqual({ 'mail-password': [0, 0, 'idle'], 'secret-key': [0, 1, 'pending'] });

    // The rotation finishes.
    const current = model.versionAt(ring, 'AWSCURRENT')?.versionId;
    await model.send({
      input: { SecretId: ring, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current },
      constructor: { name: 'UpdateSecretVersionStageCommand' },
    });
    model.completeRotation(ring);
    expect(await figuresOf(model, names, [mail, ring])).toEqual({ 'mail-password': [0, 0, 'idle'], 'secret-key': [0, 0, 'idle'] });
    expect(Object.keys(model.callsByCommand()).sort()).toEqual(['DescribeSecret', 'ListSecretVersionIds', 'PutSecretValue', 'UpdateSecretVersionStage']);
  });
});
