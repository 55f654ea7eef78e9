/**
 * The database rotator against the REAL MariaDB 10.11 on 127.0.0.1:3306 (password auth for TCP users; TLS off
 * there, so the secrets say ssl:false explicitly). Users are created with passwords by root over the socket.
 * Secrets Manager is MODELLED.
 */
import { randomBytes } from 'node:crypto';
import { mariadbTarget } from './harness';
import { rotationScenarios } from './scenarios';

rotationScenarios('MariaDB 10.11 (password auth enforced; TLS off explicitly with ssl:false)', {
  start: () => mariadbTarget(),
  async stop() {
    // the suite's database and users are dropped by the target's cleanup
  },
  // MySQL/MariaDB user names: at most 32 characters with the _clone suffix.
  userName: (prefix) => `${prefix}_${randomBytes(3).toString('hex')}`,
});

describe('MariaDB without TLS and a secret that does not say ssl:false (real server; Secrets Manager modelled)', () => {
  it('the rotator refuses to continue in plaintext: Tls error naming secret and step, password unchanged (no silent downgrade)', async () => {
    const { SecretsManagerModel } = await import('../../support/secrets-manager-model');
    const { SecretValues, makeHandler, secretValue } = await import('./harness');
    const { rotationEvent } = await import('../../support/drive-rotation');
    const { captureOutput, findLeaks } = await import('../../support/log-capture');
    const out = captureOutput();
    const t = await mariadbTarget();
    try {
      const values = new SecretValues();
      const username = `tls_${randomBytes(3).toString('hex')}`;
      const password = values.generator();
      await t.createUser(username, password);
      const model = new SecretsManagerModel();
      const verified = { ...t, ssl: undefined };
      const arn = model.createSecret('gaara-store/test/database-url', JSON.stringify(secretValue(verified, username, password)));
      const handler = makeHandler(model, verified, values, { strategy: 'single-user' });
      const token = model.startRotation(arn);
      await handler(rotationEvent('createSecret', arn, token));
      await expect(handler(rotationEvent('setSecret', arn, token))).rejects.toMatchObject({
        errorClass: 'Tls',
        message: expect.stringContaining('gaara-store/test/database-url, step setSecret'),
      });
      expect(await t.logsIn(username, password)).toBe(true);
      values.collectFrom(model);
      expect(findLeaks(out.text, values.all)).toEqual([]);
    } finally {
      out.stop();
      await t.cleanup();
    }
  });
});
