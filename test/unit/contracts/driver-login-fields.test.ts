import { driverLoginFields, type DatabaseSecret } from '../../../contracts';

describe('driverLoginFields (the login fields the client adapters, both database drivers and the CLI rollback check pass to pg and mysql2)', () => {
  it('renames username to user and dbname to database, keeps host, port and password, and passes nothing else', () => {
    const secret: DatabaseSecret = {
      schema: 1,
      engine: 'postgres',
      host: 'db.internal',
      port: 5433,
      username: 'app',
      password: 'fixture-db-pass',
      dbname: 'gaara',
      masterarn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:gaara-store/dev/db-master-AbCdEf',
      dbInstanceIdentifier: 'gaara-dev',
      ssl: true,
      url: 'postgresql://app:fixture-db-pass@db.internal:5433/gaara',
    };
    expect(driverLoginFields(secret)).toEqual({ host: 'db.internal', port: 5433, user: 'app', password: 'fixture-db-pass', database: 'gaara' });
  });
});
