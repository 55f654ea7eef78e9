/**
 * Before changing anything, confirms with the RDS API that the secret's host is the endpoint of the DB instance /
 * cluster it names and that it is available (a renamed or restored database must not get a stray password).
 */
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { DatabaseSecret } from '../../contracts/database';
import { awsCallError } from '../rotation/classify';
import { RotationError } from '../rotation/errors';

export type RdsSender = Pick<RDSClient, 'send'>;

const sameHost = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
const notFound = (e: unknown) => /NotFound/.test(String((e as { name?: unknown } | null)?.name));

export async function confirmRdsTarget(rds: RdsSender, secret: DatabaseSecret, where: string): Promise<void> {
  if (secret.dbInstanceIdentifier) {
    const id = secret.dbInstanceIdentifier;
    let out;
    try {
      out = await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
    } catch (e) {
      if (notFound(e)) throw new RotationError('InvalidState', `${where}: DB instance ${id} (dbInstanceIdentifier) does not exist`, { cause: e });
      throw awsCallError(e, 'RDS', `DescribeDBInstances ${id}`, where);
    }
    const instance = out.DBInstances?.[0];
    if (!instance) throw new RotationError('InvalidState', `${where}: DB instance ${id} (dbInstanceIdentifier) does not exist`);
    if (!sameHost(instance.Endpoint?.Address, secret.host)) {
      throw new RotationError('InvalidState', `${where}: field "host" is not the endpoint of DB instance ${id}`);
    }
    if (instance.DBInstanceStatus !== 'available') {
      throw new RotationError('TargetUnavailable', `${where}: DB instance ${id} is ${instance.DBInstanceStatus ?? 'in an unknown state'}, not available`);
    }
  }
  if (secret.dbClusterIdentifier) {
    const id = secret.dbClusterIdentifier;
    let out;
    try {
      out = await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }));
    } catch (e) {
      if (notFound(e)) throw new RotationError('InvalidState', `${where}: DB cluster ${id} (dbClusterIdentifier) does not exist`, { cause: e });
      throw awsCallError(e, 'RDS', `DescribeDBClusters ${id}`, where);
    }
    const cluster = out.DBClusters?.[0];
    if (!cluster) throw new RotationError('InvalidState', `${where}: DB cluster ${id} (dbClusterIdentifier) does not exist`);
    const endpoints = [cluster.Endpoint, cluster.ReaderEndpoint, ...(cluster.CustomEndpoints ?? [])];
    if (!endpoints.some((e) => sameHost(e, secret.host))) {
      throw new RotationError('InvalidState', `${where}: field "host" is not an endpoint of DB cluster ${id}`);
    }
    if (cluster.Status !== 'available') {
      throw new RotationError('TargetUnavailable', `${where}: DB cluster ${id} is ${cluster.Status ?? 'in an unknown state'}, not available`);
    }
  }
}
