import { parsePiiMigrateArgs } from '../src/migration/pii-migrate-command';

describe('pii-migrate command arguments (client/bin/pii-migrate.ts)', () => {
  it('reads table, columns, blind indexes, mode and the key from APP_NAME / APP_ENVIRONMENT', () => {
    const args = parsePiiMigrateArgs(
      ['--table', 'customers', '--columns', 'full_name,email,ssn', '--blind-index', 'email=email_bidx:email:16', '--dry-run', '--batch-size=200'],
      { APP_ENVIRONMENT: 'prod' },
    );
    expect(args).toMatchObject({
      table: 'customers',
      mode: 'encrypt',
      dryRun: true,
      batchSize: 200,
      keyId: 'alias/gaara-store/prod/data',
      app: 'gaara-store',
      env: 'prod',
      columns: [{ name: 'full_name' }, { name: 'email', blindIndex: { column: 'email_bidx', normalize: 'email', bytes: 16 } }, { name: 'ssn' }],
    });
    expect(parsePiiMigrateArgs(['--table', 't', '--columns', 'c', '--mode', 'rekey', '--previous-key-id', 'arn:old', '--env', 'dev'], {})).toMatchObject({
      mode: 'rekey',
      previousKeyId: 'arn:old',
      keyId: 'alias/gaara-store/dev/data',
      format: 'gf1',
    });
    expect(parsePiiMigrateArgs(['--table', 't', '--columns', 'c', '--mode', 'rekey', '--format', 'gf2', '--env', 'dev'], {})).toMatchObject({
      mode: 'rekey',
      format: 'gf2',
    });
  });

  it('refuses unknown options, a missing table or environment, a bad mode and a blind index on an unlisted column', () => {
    const env = { APP_ENVIRONMENT: 'prod' };
    expect(() => parsePiiMigrateArgs(['--table', 't', '--columns', 'c', '--colums', 'x'], env)).toThrow(/unknown option --colums/);
    expect(() => parsePiiMigrateArgs(['--columns', 'c'], env)).toThrow(/--table and --columns are required/);
    expect(() => parsePiiMigrateArgs(['--table', 't', '--columns', 'c'], {})).toThrow(/--env .* is required/);
    expect(() => parsePiiMigrateArgs(['--table', 't', '--columns', 'c', '--mode', 'shred'], env)).toThrow(/--mode must be/);
    expect(() => parsePiiMigrateArgs(['--table', 't', '--columns', 'c', '--format', 'gf3'], env)).toThrow(/--format must be gf1 or gf2/);
    expect(() => parsePiiMigrateArgs(['--table', 't', '--columns', 'c', '--blind-index', 'd=d_bidx'], env)).toThrow(/names d, which is not in --columns/);
  });
});
