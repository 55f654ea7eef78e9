/**
 * The shared rotation lifecycle with Secrets Manager MOCKED (aws-sdk-client-mock): event validation, every
 * DescribeSecret branch, each step's calls, error classification, and that neither the RotationToken nor a
 * value reaches logs or errors.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { RotationError } from '../../../lambdas/rotation/errors';
import { createRotationHandler } from '../../../lambdas/rotation/handler';
import type { RotationMetrics } from '../../../lambdas/rotation/observability';
import type { RawVersions, Rotator } from '../../../lambdas/rotation/rotator';
import { previousOf } from '../../../lambdas/rotation/rotator';
import { captureOutput, findLeaks } from '../../support/log-capture';
import { rejection } from '../../support/rejection';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/database-url-AbCdEf';
const NAME = 'gaara-store/dev/database-url';
const TOKEN = 'aaaaaaaa-1111-2222-3333-444444444444';
const CURRENT_ID = 'cccccccc-1111-2222-3333-444444444444';
const PREVIOUS_ID = 'pppppppp-1111-2222-3333-444444444444';
const ROTATION_TOKEN = 'rotation-token-SENSITIVE-0123456789';
const CURRENT_VALUE = '{"password":"current-secret-value-123"}';
const PENDING_VALUE = '{"password":"pending-secret-value-456"}';
const PREVIOUS_VALUE = '{"password":"previous-secret-value-789"}';

const sm = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

interface Calls {
  created: RawVersions[];
  applied: { pending: string; versions: RawVersions }[];
  tested: { pending: string; versions: RawVersions }[];
}

function fakeRotator(calls: Calls, overrides: Partial<Rotator<string>> = {}): Rotator<string> {
  return {
    kind: 'fake',
    serves: ['database-url'],
    parse: (s) => s,
    serialize: (v) => v,
    createPending: async (versions) => {
      calls.created.push(versions);
      return PENDING_VALUE;
    },
    applyPending: async (pending, versions) => void calls.applied.push({ pending, versions }),
    testPending: async (pending, versions) => void calls.tested.push({ pending, versions }),
    ...overrides,
  };
}

function describeAnswer(stages: Record<string, string[]>, rotationEnabled: boolean | 'absent' = true) {
  return { ARN, Name: NAME, ...(rotationEnabled === 'absent' ? {} : { RotationEnabled: rotationEnabled }), VersionIdsToStages: stages };
}

const normalStages = { [CURRENT_ID]: ['AWSCURRENT'], [PREVIOUS_ID]: ['AWSPREVIOUS'], [TOKEN]: ['AWSPENDING'] };

function notFound() {
  return Object.assign(new Error("Secrets Manager can't find the specified secret value"), {
    name: 'ResourceNotFoundException',
    $metadata: { httpStatusCode: 400 },
  });
}

function setup(overrides: Partial<Rotator<string>> = {}) {
  const calls: Calls = { created: [], applied: [], tested: [] };
  const failures: string[] = [];
  const successes: string[] = [];
  const metrics: RotationMetrics = { stepSucceeded: (_s, step) => void successes.push(step), stepFailed: (_s, step) => void failures.push(step) };
  const handler = createRotationHandler(fakeRotator(calls, overrides), {
    secretsManager: client,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    metrics,
    versionCache: false,
    scope: { app: 'gaara-store', environment: 'dev' },
  });
  return { handler, calls, failures, successes };
}

const event = (Step: string, extra: Record<string, unknown> = {}) => ({ Step, SecretId: ARN, ClientRequestToken: TOKEN, ...extra });

beforeEach(() => {
  sm.reset();
  sm.on(DescribeSecretCommand).resolves(describeAnswer(normalStages));
  sm.on(GetSecretValueCommand, { VersionId: CURRENT_ID }).resolves({ SecretString: CURRENT_VALUE, VersionId: CURRENT_ID });
  sm.on(GetSecretValueCommand, { VersionId: PREVIOUS_ID }).resolves({ SecretString: PREVIOUS_VALUE, VersionId: PREVIOUS_ID });
  sm.on(GetSecretValueCommand, { VersionId: TOKEN }).rejects(notFound());
  sm.on(PutSecretValueCommand).resolves({ VersionId: TOKEN });
  sm.on(UpdateSecretVersionStageCommand).resolves({});
});

describe('rotation lifecycle: event validation (Secrets Manager mocked)', () => {
  it.each([
    ['null', null, 'must be a JSON object'],
    ['an array', [], 'must be a JSON object'],
    ['a string', 'createSecret', 'must be a JSON object'],
    ['no SecretId', { Step: 'createSecret', ClientRequestToken: TOKEN }, '"SecretId" is missing'],
    ['an empty SecretId', { Step: 'createSecret', SecretId: '', ClientRequestToken: TOKEN }, '"SecretId" is missing'],
    ['a non-ASCII SecretId', { Step: 'createSecret', SecretId: `${ARN}\u00e9`, ClientRequestToken: TOKEN }, 'printable ASCII'],
    ['no Step', { SecretId: ARN, ClientRequestToken: TOKEN }, '"Step" is missing'],
    ['an unknown Step', { Step: 'deleteEverything', SecretId: ARN, ClientRequestToken: TOKEN }, '"Step" must be one of'],
    ['a Step of the wrong type', { Step: 3, SecretId: ARN, ClientRequestToken: TOKEN }, '"Step" is missing or not a string'],
    ['no ClientRequestToken', { Step: 'setSecret', SecretId: ARN }, '"ClientRequestToken" is missing'],
    ['a short ClientRequestToken', { Step: 'setSecret', SecretId: ARN, ClientRequestToken: 'abc' }, '32 to 64 characters'],
    ['a long ClientRequestToken', { Step: 'setSecret', SecretId: ARN, ClientRequestToken: 'a'.repeat(65) }, '32 to 64 characters'],
    ['a ClientRequestToken with a newline', { Step: 'setSecret', SecretId: ARN, ClientRequestToken: `${TOKEN}\n` }, 'printable ASCII'],
    ['a RotationToken of the wrong type', { Step: 'setSecret', SecretId: ARN, ClientRequestToken: TOKEN, RotationToken: 7 }, '"RotationToken"'],
    ['an empty RotationToken', { Step: 'setSecret', SecretId: ARN, ClientRequestToken: TOKEN, RotationToken: '' }, '"RotationToken"'],
  ])('rejects %s with BadEvent before any AWS call', async (_label, raw, mention) => {
    const { handler } = setup();
    const e = await rejection(handler(raw));
    expect(e.errorClass).toBe('BadEvent');
    expect(e.message).toContain(mention);
    expect(sm.calls()).toHaveLength(0);
  });

  it('names the secret and step in event errors once they are known', async () => {
    const { handler } = setup();
    const e = await rejection(handler({ Step: 'testSecret', SecretId: ARN, ClientRequestToken: 'short' }));
    expect(e.message).toContain(`secret "${NAME}"`);
    expect(e.message).toContain('testSecret');
  });
});

describe('rotation lifecycle: DescribeSecret checks (Secrets Manager mocked)', () => {
  const steps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

  it.each(steps)('%s: rotation not enabled -> InvalidState, nothing else called', async (step) => {
    sm.on(DescribeSecretCommand).resolves(describeAnswer(normalStages, false));
    const { handler, failures } = setup();
    const e = await rejection(handler(event(step)));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toBe(`secret ${NAME}, step ${step}: rotation is not enabled for this secret`);
    expect(sm.calls()).toHaveLength(1);
    expect(failures).toEqual([step]);
  });

  it('RotationEnabled absent counts as not enabled', async () => {
    sm.on(DescribeSecretCommand).resolves(describeAnswer(normalStages, 'absent'));
    const { handler } = setup();
    expect((await rejection(handler(event('createSecret')))).errorClass).toBe('InvalidState');
  });

  it.each(steps)('%s: token is not a version of the secret -> InvalidState', async (step) => {
    sm.on(DescribeSecretCommand).resolves(describeAnswer({ [CURRENT_ID]: ['AWSCURRENT'] }));
    const { handler } = setup();
    const e = await rejection(handler(event(step)));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toContain('aaaaaaaa… is not a version');
    expect(e.message).not.toContain(TOKEN);
    expect(sm.calls()).toHaveLength(1);
  });

  it.each(steps)('%s: token already AWSCURRENT -> returns at once after the one DescribeSecret', async (step) => {
    sm.on(DescribeSecretCommand).resolves(describeAnswer({ [TOKEN]: ['AWSCURRENT', 'AWSPENDING'], [CURRENT_ID]: ['AWSPREVIOUS'] }));
    const { handler, calls, successes } = setup();
    await handler(event(step));
    expect(sm.calls()).toHaveLength(1);
    expect(calls.created.length + calls.applied.length + calls.tested.length).toBe(0);
    expect(successes).toEqual([step]);
  });

  it.each(steps)('%s: token is a version but not AWSPENDING -> InvalidState', async (step) => {
    sm.on(DescribeSecretCommand).resolves(describeAnswer({ [CURRENT_ID]: ['AWSCURRENT'], [TOKEN]: ['AWSPREVIOUS'] }));
    const { handler } = setup();
    const e = await rejection(handler(event(step)));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toContain('is not AWSPENDING');
  });

  it('secret not found -> InvalidState naming the secret id and step', async () => {
    sm.on(DescribeSecretCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }));
    const { handler } = setup();
    const e = await rejection(handler(event('setSecret')));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toBe(`secret ${NAME}, step setSecret: the secret does not exist (DescribeSecret)`);
  });

  it.each([
    ['ETIMEDOUT', 'Timeout'],
    ['ENOTFOUND', 'Dns'],
    ['EAI_AGAIN', 'Dns'],
    ['ECONNREFUSED', 'Unreachable'],
    ['EHOSTUNREACH', 'Unreachable'],
  ])('an SDK network error %s reaching Secrets Manager -> %s, and the message says a VPC needs an endpoint or NAT', async (code, errorClass) => {
    sm.on(DescribeSecretCommand).rejects(Object.assign(new Error(`connect ${code} 10.0.0.1:443`), { code }));
    const { handler } = setup();
    const e = await rejection(handler(event('createSecret')));
    expect(e.errorClass).toBe(errorClass);
    expect(e.message).toContain('Secrets Manager endpoint');
    expect(e.message).toContain('interface VPC endpoint for Secrets Manager or a NAT gateway');
  });

  it('an SDK TimeoutError (requestTimeout) -> Timeout', async () => {
    sm.on(DescribeSecretCommand).rejects(Object.assign(new Error('Connection timed out after 3000 ms'), { name: 'TimeoutError' }));
    const { handler } = setup();
    expect((await rejection(handler(event('createSecret')))).errorClass).toBe('Timeout');
  });

  it('AccessDeniedException -> AccessDenied', async () => {
    sm.on(DescribeSecretCommand).rejects(
      Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }),
    );
    const { handler } = setup();
    expect((await rejection(handler(event('createSecret')))).errorClass).toBe('AccessDenied');
  });
});

describe('rotation lifecycle: steps (Secrets Manager mocked)', () => {
  it('createSecret: reads AWSCURRENT, finds no pending value, writes the rotator value as AWSPENDING with the token and the RotationToken', async () => {
    const { handler, calls } = setup();
    await handler(event('createSecret', { RotationToken: ROTATION_TOKEN }));
    expect(calls.created).toHaveLength(1);
    expect(calls.created[0]?.current).toBe(CURRENT_VALUE);
    const puts = sm.commandCalls(PutSecretValueCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.args[0].input).toEqual({
      SecretId: ARN,
      ClientRequestToken: TOKEN,
      SecretString: PENDING_VALUE,
      VersionStages: ['AWSPENDING'],
      RotationToken: ROTATION_TOKEN,
    });
    expect(sm.commandCalls(GetSecretValueCommand, { VersionId: PREVIOUS_ID })).toHaveLength(0);
  });

  it('createSecret without a RotationToken sends none', async () => {
    const { handler } = setup();
    await handler(event('createSecret'));
    expect(sm.commandCalls(PutSecretValueCommand)[0]?.args[0].input).not.toHaveProperty('RotationToken');
  });

  it("createSecret reads AWSCURRENT only: whether a pending value exists is PutSecretValue's answer (no GetSecretValue of AWSPENDING)", async () => {
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error('exists'), { name: 'ResourceExistsException', $metadata: { httpStatusCode: 400 } }));
    const { handler, successes } = setup();
    await handler(event('createSecret'));
    expect(successes).toEqual(['createSecret']);
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.VersionStage)).toEqual(['AWSCURRENT']);
  });

  it('createSecret: ResourceExistsException from PutSecretValue means "already created" (a racing retry)', async () => {
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error('exists'), { name: 'ResourceExistsException', $metadata: { httpStatusCode: 400 } }));
    const { handler, successes } = setup();
    await handler(event('createSecret'));
    expect(successes).toEqual(['createSecret']);
  });

  it('createSecret: a PutSecretValue failure is classified and names secret and step', async () => {
    sm.on(PutSecretValueCommand).rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    const { handler } = setup();
    const e = await rejection(handler(event('createSecret')));
    expect(e.errorClass).toBe('Internal');
    expect(e.message).toBe(`secret ${NAME}, step createSecret: PutSecretValue: Secrets Manager call failed (ThrottlingException)`);
  });

  it.each(['setSecret', 'testSecret'] as const)(
    '%s: hands the parsed pending and AWSCURRENT to the rotator; AWSPREVIOUS is read only when asked for',
    async (step) => {
      sm.on(GetSecretValueCommand, { VersionId: TOKEN }).resolves({ SecretString: PENDING_VALUE, VersionId: TOKEN });
      let previousSeen: string | undefined;
      const { handler, calls } = setup({
        applyPending: async (pending, versions) => {
          calls.applied.push({ pending, versions });
          previousSeen = await previousOf(versions);
          await previousOf(versions); // a second ask is served without another call
        },
      });
      await handler(event(step));
      const seen = step === 'setSecret' ? calls.applied : calls.tested;
      expect(seen).toHaveLength(1);
      expect(seen[0]?.pending).toBe(PENDING_VALUE);
      expect(seen[0]?.versions.current).toBe(CURRENT_VALUE);
      const previousReads = sm.commandCalls(GetSecretValueCommand, { VersionId: PREVIOUS_ID }).length;
      if (step === 'setSecret') {
        expect(previousSeen).toBe(PREVIOUS_VALUE);
        expect(previousReads).toBe(1);
      } else {
        expect(previousReads).toBe(0);
      }
    },
  );

  it.each(['setSecret', 'testSecret'] as const)('%s before createSecret wrote a value -> InvalidState', async (step) => {
    const { handler, calls } = setup();
    const e = await rejection(handler(event(step)));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toContain('createSecret has not completed');
    expect(calls.applied.length + calls.tested.length).toBe(0);
  });

  it('testSecret on an empty AWSPENDING (RotateImmediately=false) runs the rotator configuration test with AWSCURRENT', async () => {
    const seen: string[] = [];
    const { handler, calls } = setup({ testConfiguration: async (versions) => void seen.push(versions.current) });
    await handler(event('testSecret'));
    expect(seen).toEqual([CURRENT_VALUE]);
    expect(calls.tested).toHaveLength(0);
    expect(sm.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('finishSecret: reads and parses AWSPENDING, then moves AWSCURRENT to the token, removing it from the current version', async () => {
    sm.on(GetSecretValueCommand, { VersionId: TOKEN }).resolves({ SecretString: PENDING_VALUE, VersionId: TOKEN });
    const parsed: string[] = [];
    const { handler, successes } = setup({ parse: (s) => (parsed.push(s), s) });
    await handler(event('finishSecret'));
    const updates = sm.commandCalls(UpdateSecretVersionStageCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]?.args[0].input).toEqual({ SecretId: ARN, VersionStage: 'AWSCURRENT', MoveToVersionId: TOKEN, RemoveFromVersionId: CURRENT_ID });
    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: ARN, VersionId: TOKEN, VersionStage: 'AWSPENDING' }]);
    expect(parsed).toEqual([PENDING_VALUE]);
    expect(successes).toEqual(['finishSecret']);
  });

  it('finishSecret before createSecret (AWSPENDING holds no value): InvalidState, AWSCURRENT not moved', async () => {
    const { handler, failures } = setup();
    const e = await rejection(handler(event('finishSecret')));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toBe(
      `secret ${NAME}, step finishSecret: the AWSPENDING version has no value (createSecret has not completed for this token); AWSCURRENT was not moved`,
    );
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
    expect(failures).toEqual(['finishSecret']);
  });

  it("finishSecret on a pending value that does not parse: the parser's error, AWSCURRENT not moved", async () => {
    sm.on(GetSecretValueCommand, { VersionId: TOKEN }).resolves({ SecretString: '{"not":"a value"}', VersionId: TOKEN });
    const { handler } = setup({
      parse: () => {
        throw new RotationError('BadSecretShape', 'stored value: database-url secret: field "engine" is missing');
      },
    });
    const e = await rejection(handler(event('finishSecret')));
    expect(e.errorClass).toBe('BadSecretShape');
    expect(sm.commandCalls(UpdateSecretVersionStageCommand)).toHaveLength(0);
  });

  it('a rotator error keeps its class; an unexpected error becomes Internal without its message (which may echo a value)', async () => {
    sm.on(GetSecretValueCommand, { VersionId: TOKEN }).resolves({ SecretString: PENDING_VALUE, VersionId: TOKEN });
    const classified = setup({ applyPending: async () => Promise.reject(new RotationError('AuthFailed', 'user "app" cannot log in')) });
    const e1 = await rejection(classified.handler(event('setSecret')));
    expect(e1.errorClass).toBe('AuthFailed');
    expect(e1.message).toBe(`secret ${NAME}, step setSecret: user "app" cannot log in`);

    const unexpected = setup({ testPending: async () => Promise.reject(new SyntaxError(`Unexpected token in JSON: ${PENDING_VALUE}`)) });
    const e2 = await rejection(unexpected.handler(event('testSecret')));
    expect(e2.errorClass).toBe('Internal');
    expect(e2.message).toBe(`secret ${NAME}, step testSecret: unexpected error (SyntaxError)`);
    expect(unexpected.failures).toEqual(['testSecret']);
  });
});

describe('rotation lifecycle: logs (Secrets Manager mocked)', () => {
  it('log lines carry secret, step, the first 8 characters of the token and the error class, and never the RotationToken or a value', async () => {
    const out = captureOutput();
    try {
      const handler = createRotationHandler(
        fakeRotator({ created: [], applied: [], tested: [] }, { testPending: async () => Promise.reject(new Error(PENDING_VALUE)) }),
        {
          secretsManager: client,
          logger: new Logger({ serviceName: 'test', logLevel: 'DEBUG' }),
          versionCache: false,
          env: { METRICS_NAMESPACE: 'Test/Secrets', APP_ENVIRONMENT: 'dev' },
        },
      );
      await handler(event('createSecret', { RotationToken: ROTATION_TOKEN }));
      sm.on(GetSecretValueCommand, { VersionId: TOKEN }).resolves({ SecretString: PENDING_VALUE, VersionId: TOKEN });
      await handler(event('setSecret', { RotationToken: ROTATION_TOKEN }));
      const e = await rejection(handler(event('testSecret', { RotationToken: ROTATION_TOKEN })));
      out.addError(e);
      await handler(event('finishSecret', { RotationToken: ROTATION_TOKEN }));
      await rejection(handler({ Step: 'bogus', SecretId: ARN, ClientRequestToken: TOKEN, RotationToken: ROTATION_TOKEN }));
    } finally {
      out.stop();
    }
    const logs = out.json().filter((l) => typeof l.level === 'string');
    expect(logs.length).toBeGreaterThan(4);
    for (const line of logs.filter((l) => l.message !== 'rotation event rejected')) {
      expect(line).toMatchObject({ secret: NAME, token: TOKEN.slice(0, 8) });
      expect(['createSecret', 'setSecret', 'testSecret', 'finishSecret']).toContain(line.step);
    }
    expect(logs.find((l) => l.level === 'ERROR' && l.step === 'testSecret')).toMatchObject({ errorClass: 'Internal' });
    expect(findLeaks(out.text, [ROTATION_TOKEN, TOKEN, CURRENT_VALUE, PENDING_VALUE, 'pending-secret-value-456', 'current-secret-value-123'])).toEqual([]);
  });
});

describe('rotation lifecycle: a step still running at the function deadline (Secrets Manager mocked)', () => {
  function slowSetup(applyPending: () => Promise<void>) {
    sm.on(GetSecretValueCommand, { VersionId: TOKEN }).resolves({ SecretString: PENDING_VALUE, VersionId: TOKEN });
    const failures: string[] = [];
    const successes: string[] = [];
    const handler = createRotationHandler(fakeRotator({ created: [], applied: [], tested: [] }, { applyPending }), {
      secretsManager: client,
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
      metrics: { stepSucceeded: (s, step) => void successes.push(`${s}/${step}`), stepFailed: (s, step) => void failures.push(`${s}/${step}`) },
      versionCache: false,
      scope: { app: 'gaara-store', environment: 'dev' },
      deadlineMarginMs: 50,
    });
    return { handler, failures, successes };
  }
  const context = { invokedFunctionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:f', getRemainingTimeInMillis: () => 100 };

  it('reports RotationFailed for the secret and step before Lambda kills it (a timeout publishes nothing itself)', async () => {
    const { handler, failures } = slowSetup(() => new Promise((r) => setTimeout(r, 400)));
    const running = handler(event('setSecret'), context);
    await new Promise((r) => setTimeout(r, 250));
    expect(failures).toEqual(['database-url/setSecret']);
    await running;
  });

  it('a step that then fails is counted once', async () => {
    const { handler, failures } = slowSetup(
      () => new Promise((_, reject) => setTimeout(() => reject(new RotationError('Timeout', 'database did not answer')), 300)),
    );
    await rejection(handler(event('setSecret'), context));
    expect(failures).toEqual(['database-url/setSecret']);
  });

  it('a step that finishes in time reports no failure', async () => {
    const { handler, failures, successes } = slowSetup(async () => undefined);
    await handler(event('setSecret'), { ...context, getRemainingTimeInMillis: () => 60_000 });
    expect(failures).toEqual([]);
    expect(successes).toEqual(['database-url/setSecret']);
  });
});
