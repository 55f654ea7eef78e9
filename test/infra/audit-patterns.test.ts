import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENVIRONMENTS, type EnvironmentConfig } from '../../lib/config';
import { ROTATION_FAILURE_EVENTS, ROTATION_WARNING_EVENTS, rotationServiceEventPattern } from '../../lib/observability/event-patterns';
import { environmentFilters } from '../../lib/observability/environment-filters';
import {
  CIS_CLOUDTRAIL_CONFIG_CHANGES,
  CIS_IAM_POLICY_CHANGES,
  CIS_KMS_DISABLE_OR_DELETE,
  CIS_UNAUTHORIZED_API_CALLS,
  accountFilters,
  cisFilters,
  secretReadFilters,
  secretsFilters,
  type TrailFilterSpec,
} from '../../lib/observability/metric-filters';
import { cloudTrailEnvelope, matchesEventPattern, matchesFilterPattern, parseFilterPattern, type Json } from '../support/cloudtrail-matcher';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cloudtrail');
const events: Record<string, { [k: string]: Json }> = Object.fromEntries(
  fs
    .readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(FIXTURES, f), 'utf8'))]),
);

// The fixtures are recorded-style events of account 111111111111 in eu-west-1: the environment-agnostic dev, with its
// `${AWS::…}` placeholders as CloudFormation resolves them when dev is deployed there.
const DEPLOYED_TO: Record<string, string> = { '${AWS::Partition}': 'aws', '${AWS::Region}': 'eu-west-1', '${AWS::AccountId}': '111111111111' };
const dev = JSON.parse(
  JSON.stringify(ENVIRONMENTS.find((e) => e.envName === 'dev')).replace(/\$\{AWS::(Partition|Region|AccountId)\}/g, (p) => DEPLOYED_TO[p]),
) as EnvironmentConfig;

/** The fixtures' KMS key stands for one of dev's keys; the age function's role makes the heartbeat events. */
const DEV_KEY = 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const AGE_ROLE = 'arn:aws:iam::111111111111:role/gaara-store-dev-secret-age';
const envFilters = environmentFilters(dev, { keyArns: [DEV_KEY], heartbeatRoleArn: AGE_ROLE });
const filters: TrailFilterSpec[] = [...accountFilters(''), ...secretsFilters(dev), ...secretReadFilters(dev), ...envFilters];
const byId = (id: string) => filters.find((f) => f.id === id) as TrailFilterSpec;

/** Exactly which fixtures each filter must count; every other fixture is a negative. */
const EXPECTED: Record<string, string[]> = {
  UnauthorizedApiCalls: [
    'ec2-describe-instances-unauthorized',
    'get-secret-value-access-denied',
    'get-secret-value-access-denied-other-app',
    'kms-decrypt-access-denied',
  ],
  KmsKeyDisabledOrScheduledForDeletion: ['kms-disable-key', 'kms-schedule-key-deletion', 'kms-schedule-key-deletion-other-env'],
  IamPolicyChanges: ['iam-put-role-policy'],
  CloudTrailConfigChanges: ['cloudtrail-stop-logging'],
  SecretsAccessDenied: ['get-secret-value-access-denied'],
  DeletedSecretAccess: ['get-secret-value-marked-for-deletion', 'get-secret-value-marked-for-deletion-staging'],
  SecretPolicyChangedOrSecretDeleted: [
    'delete-resource-policy-by-role',
    'delete-secret',
    'put-resource-policy-by-deploy-role',
    'put-resource-policy-by-iam-user',
  ],
  KmsKeyPolicyChangedOrRotationDisabled: ['kms-disable-key-rotation', 'kms-put-key-policy-by-admin', 'kms-put-key-policy-by-deploy-role'],
  BreakGlassRoleUsed: ['get-secret-value-with-break-glass', 'sts-assume-break-glass'],
  'SecretReads-secret-key': ['get-secret-value-by-partial-arn'],
  'SecretReads-jwt-secret': ['get-secret-value-by-full-arn'],
  'SecretReads-encryption-key': [],
  'SecretReads-database-url': ['get-secret-value-by-name', 'get-secret-value-with-break-glass'],
  'SecretReads-redis-password': ['get-secret-value-access-denied'],
  'SecretReads-mail-password': ['get-secret-value-marked-for-deletion'],
  'SecretReads-sentry-dsn': [],
  // Environment-scoped (lib/observability/environment-filters.ts): another environment's key or secret does not count.
  EnvKeyDisabledOrScheduledForDeletion: ['kms-disable-key', 'kms-schedule-key-deletion'],
  EnvKeyPolicyChangedOrRotationDisabled: ['kms-disable-key-rotation', 'kms-put-key-policy-by-admin', 'kms-put-key-policy-by-deploy-role'],
  EnvDeletedSecretAccess: ['get-secret-value-marked-for-deletion'],
  EnvRotationCancelled: ['cancel-rotate-secret'],
  TrailHeartbeat: ['secret-age-list-versions'],
};

describe('CloudTrail metric filter patterns (modelled CloudWatch Logs matcher, recorded-style events)', () => {
  it('covers every filter of an environment and has at least 25 sample events', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(filters.map((f) => f.id).sort());
    expect(Object.keys(events).length).toBeGreaterThanOrEqual(25);
  });

  it.each(filters.map((f) => [f.id, f] as const))('modelled: %s matches exactly its positive events', (id, spec) => {
    const matched = Object.keys(events)
      .filter((name) => matchesFilterPattern(spec.pattern, events[name]))
      .sort();
    expect(matched).toEqual([...EXPECTED[id]].sort());
  });

  it('keeps the CIS patterns verbatim (Security Hub CloudWatch.2 and CloudWatch.7 compare the text)', () => {
    expect(byId('UnauthorizedApiCalls').pattern).toBe(CIS_UNAUTHORIZED_API_CALLS);
    expect(CIS_UNAUTHORIZED_API_CALLS).toBe('{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}');
    expect(CIS_KMS_DISABLE_OR_DELETE).toBe('{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}');
    expect(byId('IamPolicyChanges').pattern).toBe(CIS_IAM_POLICY_CHANGES);
    expect(CIS_IAM_POLICY_CHANGES).toBe(
      '{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}',
    );
    expect(byId('CloudTrailConfigChanges').pattern).toBe(CIS_CLOUDTRAIL_CONFIG_CHANGES);
    expect(CIS_CLOUDTRAIL_CONFIG_CHANGES).toBe(
      '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}',
    );
  });

  it('alarms the account-wide CIS 3.1 filter at 10 refusals in 5 minutes, not at the first one (consoles and SDKs probe)', () => {
    expect(byId('UnauthorizedApiCalls').alarmThreshold).toBe(10);
    expect(
      cisFilters()
        .filter((f) => f.alarmThreshold !== undefined)
        .map((f) => f.id),
    ).toEqual(['UnauthorizedApiCalls']);
  });

  it('scopes the environment key filters to the keys given (three ARNs of prod)', () => {
    const keys = ['arn:aws:kms:eu-west-1:333333333333:key/a', 'arn:aws:kms:eu-west-1:333333333333:key/b', 'arn:aws:kms:eu-west-1:333333333333:key/c'];
    const prodConfig = ENVIRONMENTS.find((e) => e.envName === 'prod') as EnvironmentConfig;
    const [disable] = environmentFilters(prodConfig, { keyArns: keys });
    expect(disable.pattern).toBe(
      '{ ($.eventSource = "kms.amazonaws.com") && (($.eventName = "DisableKey") || ($.eventName = "ScheduleKeyDeletion")) && ' +
        '(($.resources[0].ARN = "arn:aws:kms:eu-west-1:333333333333:key/a") || ($.resources[0].ARN = "arn:aws:kms:eu-west-1:333333333333:key/b") || ($.resources[0].ARN = "arn:aws:kms:eu-west-1:333333333333:key/c")) }',
    );
    expect(environmentFilters(prodConfig, { keyArns: [] }).map((f) => f.id)).toEqual(['EnvDeletedSecretAccess', 'EnvRotationCancelled']);
  });

  it('keeps every pattern within the 1024-character limit of CloudWatch Logs, in every environment', () => {
    for (const config of ENVIRONMENTS) {
      for (const f of [
        ...accountFilters(''),
        ...secretsFilters(config),
        ...secretReadFilters(config),
        ...environmentFilters(config, { keyArns: [DEV_KEY, DEV_KEY, DEV_KEY], heartbeatRoleArn: AGE_ROLE }),
      ]) {
        expect({ id: f.id, env: config.envName, length: f.pattern.length, ok: f.pattern.length <= 1024 }).toMatchObject({ ok: true });
        expect(() => parseFilterPattern(f.pattern)).not.toThrow();
      }
    }
  });

  it('modelled: scopes the secrets filters to the environment (staging events do not count in dev)', () => {
    const staging = ENVIRONMENTS.find((e) => e.envName === 'staging') as EnvironmentConfig;
    const stagingReads = secretReadFilters(staging).find((f) => f.id === 'SecretReads-database-url') as TrailFilterSpec;
    expect(matchesFilterPattern(stagingReads.pattern, events['get-secret-value-staging-secret'])).toBe(true);
    expect(matchesFilterPattern(byId('SecretReads-database-url').pattern, events['get-secret-value-staging-secret'])).toBe(false);
    const stagingPolicy = secretsFilters(staging).find((f) => f.id === 'SecretPolicyChangedOrSecretDeleted') as TrailFilterSpec;
    expect(matchesFilterPattern(stagingPolicy.pattern, events['delete-secret-staging'])).toBe(true);
  });
});

describe('the modelled filter-pattern matcher itself', () => {
  const e = { a: 'kms.amazonaws.com', n: 5, list: [{ ARN: 'arn:x' }], nested: { b: null, t: true } };
  it.each([
    ['{ $.a = "kms.*" }', true],
    ['{ $.a = *.amazonaws.com }', true],
    ['{ $.a = "*amazon*" }', true],
    ['{ $.a = "kms" }', false],
    ['{ $.a != "kms.amazonaws.com" }', false],
    ['{ $.missing != "x" }', false],
    ['{ $.missing NOT EXISTS }', true],
    ['{ $.a NOT EXISTS }', false],
    ['{ $.nested.b IS NULL }', true],
    ['{ $.nested.t IS TRUE }', true],
    ['{ $.n > 4 && $.n <= 5 }', true],
    ['{ $.n >= 6 }', false],
    ['{ $.list[0].ARN = "arn:*" }', true],
    ['{ $.a = "x" || $.n = 5 && $.a = "kms.amazonaws.com" }', true],
    ['{ ($.a = "x" || $.n = 5) && $.a = "nope" }', false],
  ])('modelled: %s -> %s', (pattern, expected) => {
    expect(matchesFilterPattern(pattern, e)).toBe(expected);
  });

  it('refuses syntax it does not model, naming the offset', () => {
    expect(() => matchesFilterPattern('{ $.a = %regex% }', e)).toThrow(/not modelled/);
    expect(() => matchesFilterPattern('ERROR MainThread', e)).toThrow(/expected "\{" at offset 0/);
    expect(() => matchesFilterPattern('{ $.a = "x" ', e)).toThrow(/expected "\}"/);
  });
});

describe('EventBridge rotation patterns (modelled EventBridge matcher, recorded-style events)', () => {
  const scope = { partition: 'aws', region: 'eu-west-1', account: '111111111111', secretNamePrefix: 'gaara-store/dev/' };
  const failure = rotationServiceEventPattern(scope, ROTATION_FAILURE_EVENTS);
  const warning = rotationServiceEventPattern(scope, ROTATION_WARNING_EVENTS);
  const serviceEvents = Object.keys(events).filter((k) => events[k].eventType === 'AwsServiceEvent');
  const matching = (pattern: object) =>
    Object.keys(events)
      .filter((k) => matchesEventPattern(pattern as never, cloudTrailEnvelope(events[k])))
      .sort();

  it('modelled: the failure rule matches RotationFailed and TestRotationFailed of this environment only', () => {
    expect(serviceEvents.length).toBeGreaterThanOrEqual(6);
    expect(matching(failure)).toEqual(['rotation-failed', 'test-rotation-failed']);
  });

  it('modelled: the warning rule matches RotationAbandoned only; RotationSucceeded and RotationStarted match nothing', () => {
    expect(matching(warning)).toEqual(['rotation-abandoned']);
  });

  it('modelled: a RotationFailed delivered as "AWS API Call via CloudTrail" does not match (service events only)', () => {
    const asApiCall = { ...cloudTrailEnvelope(events['rotation-failed']), 'detail-type': 'AWS API Call via CloudTrail' };
    expect(matchesEventPattern(failure as never, asApiCall)).toBe(false);
  });

  it('modelled: the matcher handles anything-but, suffix, exists and refuses unknown operators', () => {
    const env = cloudTrailEnvelope(events['rotation-failed']);
    expect(matchesEventPattern({ detail: { eventName: [{ 'anything-but': ['RotationSucceeded'] }] } }, env)).toBe(true);
    expect(matchesEventPattern({ detail: { eventName: [{ 'anything-but': { prefix: 'Rotation' } }] } }, env)).toBe(false);
    expect(matchesEventPattern({ detail: { additionalEventData: { SecretId: [{ suffix: '-AbCdEf' }] } } }, env)).toBe(true);
    expect(matchesEventPattern({ detail: { errorCode: [{ exists: false }] } }, env)).toBe(true);
    expect(() => matchesEventPattern({ detail: { eventName: [{ wildcard: '*' }] } }, env)).toThrow(/not modelled/);
  });
});
