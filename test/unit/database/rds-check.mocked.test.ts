/**
 * The RDS target check with the RDS API MOCKED (aws-sdk-client-mock): the secret's host must be the endpoint of
 * the instance / cluster it names, and that must be available, before anything changes.
 */
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { buildDatabaseUrl, DatabaseSecret } from '../../../contracts/database';
import { confirmRdsTarget } from '../../../lambdas/database/rds-check';
import { rejection } from '../../support/rejection';

const rds = mockClient(RDSClient);
const client = new RDSClient({ region: 'eu-west-1' });
const HOST = 'app.abc123.eu-west-1.rds.amazonaws.com';

function secret(extra: Partial<DatabaseSecret>): DatabaseSecret {
  const base = { engine: 'postgres' as const, host: HOST, port: 5432, username: 'app', password: 'pw-000000000000000001', dbname: 'app', ...extra };
  return { schema: 1, ...base, url: buildDatabaseUrl(base) };
}

beforeEach(() => rds.reset());

describe('RDS target check (RDS API mocked)', () => {
  it('instance: endpoint matches (any case) and available -> passes', async () => {
    rds
      .on(DescribeDBInstancesCommand, { DBInstanceIdentifier: 'app-db' })
      .resolves({ DBInstances: [{ Endpoint: { Address: HOST.toUpperCase() }, DBInstanceStatus: 'available' }] });
    await confirmRdsTarget(client, secret({ dbInstanceIdentifier: 'app-db' }), 'secret s, step setSecret');
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(1);
  });

  it('instance: another endpoint -> InvalidState', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ Endpoint: { Address: 'other.rds.amazonaws.com' }, DBInstanceStatus: 'available' }] });
    const e = await rejection(confirmRdsTarget(client, secret({ dbInstanceIdentifier: 'app-db' }), 'secret s, step setSecret'));
    expect(e.errorClass).toBe('InvalidState');
    expect(e.message).toBe('secret s, step setSecret: field "host" is not the endpoint of DB instance app-db');
  });

  it('instance: not available -> TargetUnavailable naming the status', async () => {
    rds.on(DescribeDBInstancesCommand).resolves({ DBInstances: [{ Endpoint: { Address: HOST }, DBInstanceStatus: 'modifying' }] });
    const e = await rejection(confirmRdsTarget(client, secret({ dbInstanceIdentifier: 'app-db' }), 'w'));
    expect(e.errorClass).toBe('TargetUnavailable');
    expect(e.message).toContain('is modifying');
  });

  it('instance: not found -> InvalidState', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('not found'), { name: 'DBInstanceNotFoundFault', $metadata: { httpStatusCode: 404 } }));
    expect((await rejection(confirmRdsTarget(client, secret({ dbInstanceIdentifier: 'gone' }), 'w'))).errorClass).toBe('InvalidState');
  });

  it('RDS API unreachable from the VPC -> Timeout saying an endpoint or NAT is needed', async () => {
    rds.on(DescribeDBInstancesCommand).rejects(Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' }));
    const e = await rejection(confirmRdsTarget(client, secret({ dbInstanceIdentifier: 'app-db' }), 'w'));
    expect(e.errorClass).toBe('Timeout');
    expect(e.message).toContain('interface VPC endpoint for RDS');
  });

  it.each([
    ['writer', { Endpoint: HOST, ReaderEndpoint: 'reader.example', CustomEndpoints: ['c.example'] }],
    ['reader', { Endpoint: 'writer.example', ReaderEndpoint: HOST, CustomEndpoints: ['c.example'] }],
    ['custom', { Endpoint: 'writer.example', ReaderEndpoint: 'reader.example', CustomEndpoints: ['c.example', HOST] }],
  ])('cluster: the %s endpoint matches -> passes, after asking RDS for exactly that cluster', async (_which, endpoints) => {
    rds.on(DescribeDBClustersCommand, { DBClusterIdentifier: 'app-cluster' }).resolves({ DBClusters: [{ ...endpoints, Status: 'available' }] });
    await expect(confirmRdsTarget(client, secret({ dbClusterIdentifier: 'app-cluster', engine: 'aurora-postgresql' }), 'w')).resolves.toBeUndefined();
    expect(rds.commandCalls(DescribeDBClustersCommand).map((c) => c.args[0].input)).toEqual([{ DBClusterIdentifier: 'app-cluster' }]);
  });

  it('cluster: no matching endpoint -> InvalidState; not available -> TargetUnavailable', async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Endpoint: 'writer.example', ReaderEndpoint: 'reader.example', Status: 'available' }] });
    expect((await rejection(confirmRdsTarget(client, secret({ dbClusterIdentifier: 'c' }), 'w'))).errorClass).toBe('InvalidState');
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [{ Endpoint: HOST, Status: 'backing-up' }] });
    expect((await rejection(confirmRdsTarget(client, secret({ dbClusterIdentifier: 'c' }), 'w'))).errorClass).toBe('TargetUnavailable');
  });

  it('no identifiers: no RDS call', async () => {
    await confirmRdsTarget(client, secret({}), 'w');
    expect(rds.calls()).toHaveLength(0);
  });
});
