import { inspect, format } from 'node:util';
import { SecretValue } from '../src/secret-value';
import { captureOutput } from './support/capture';

describe('SecretValue redaction', () => {
  const canary = `canary-${process.pid}-${Date.now()}-pw`;
  const wrapped = new SecretValue({ password: canary, nested: [canary] }, { secretId: 'gaara-store/dev/database-url', versionId: 'v1' });

  it('prints [REDACTED] through toString, template strings, JSON.stringify and util.inspect', () => {
    expect(String(wrapped)).toBe('[REDACTED]');
    expect(`${wrapped}`).toBe('[REDACTED]');
    expect(JSON.stringify({ db: wrapped })).toBe('{"db":"[REDACTED]"}');
    expect(inspect(wrapped)).toContain('[REDACTED]');
    expect(inspect({ deep: { deeper: wrapped } }, { depth: 10, showHidden: true })).not.toContain(canary);
    expect(format('%s %o %O %j', wrapped, wrapped, wrapped, wrapped)).not.toContain(canary);
  });

  it('gives the value only through reveal(), and map keeps it wrapped', () => {
    expect(wrapped.reveal().password).toBe(canary);
    const mapped = wrapped.map((v) => v.password);
    expect(mapped.reveal()).toBe(canary);
    expect(inspect(mapped)).not.toContain(canary);
    expect(mapped.secretId).toBe('gaara-store/dev/database-url');
  });

  it('console.log of a wrapped value or an object holding one never prints the value', async () => {
    const { output } = await captureOutput(async () => {
      console.log(wrapped);
      console.log({ config: { db: wrapped } });
      console.error('connecting with', wrapped);
    });
    expect(output).toContain('[REDACTED]');
    expect(output).not.toContain(canary);
  });
});
