/**
 * Before changing anything, confirms with the RDS API that the secret's host is the endpoint of the DB instance /
 * cluster it names and that it is available (a renamed or restored database must not get a stray password).
 */
import { DescribeDBClustersCommand, DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import type { DatabaseSecret } from '../../contracts/database';
import { awsClientSettings } from '../rotation/aws-clients';
import { awsCallError } from '../rotation/classify';
import { RotationError } from '../rotation/errors';

export type RdsSender = Pick<RDSClient, 'send'>;

/** Confirms a value's DB instance / cluster before the first change (what the rotator calls). */
export type RdsCheck = (secret: DatabaseSecret, where: string) => Promise<void>;

const sameHost = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();
const notFound = (e: unknown) => /NotFound/.test(String((e as { name?: unknown } | null)?.name));

/** What the check needs to know of an instance or a cluster, whichever the secret names. */
interface RdsTarget {
  kind: 'instance' | 'cluster';
  field: 'dbInstanceIdentifier' | 'dbClusterIdentifier';
  operation: string;
  /** undefined: the API answered with nothing. */
  describe(id: string): Promise<{ endpoints: (string | undefined)[]; status: string | undefined } | undefined>;
}

function rdsTargets(rds: RdsSender): RdsTarget[] {
  return [
    {
      kind: 'instance',
      field: 'dbInstanceIdentifier',
      operation: 'DescribeDBInstances',
      async describe(id) {
        const instance = (await rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances?.[0];
        return instance && { endpoints: [instance.Endpoint?.Address], status: instance.DBInstanceStatus };
      },
    },
    {
      kind: 'cluster',
      field: 'dbClusterIdentifier',
      operation: 'DescribeDBClusters',
      async describe(id) {
        const cluster = (await rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: id }))).DBClusters?.[0];
        return cluster && { endpoints: [cluster.Endpoint, cluster.ReaderEndpoint, ...(cluster.CustomEndpoints ?? [])], status: cluster.Status };
      },
    },
  ];
}

export async function confirmRdsTarget(rds: RdsSender, secret: DatabaseSecret, where: string): Promise<void> {
  for (const target of rdsTargets(rds)) {
    const id = secret[target.field];
    if (!id) continue;
    const what = `DB ${target.kind} ${id}`;
    const missing = `${where}: ${what} (${target.field}) does not exist`;
    let found;
    try {
      found = await target.describe(id);
    } catch (e) {
      if (notFound(e)) throw new RotationError('InvalidState', missing, { cause: e });
      throw awsCallError(e, 'RDS', `${target.operation} ${id}`, where);
    }
    if (!found) throw new RotationError('InvalidState', missing);
    if (!found.endpoints.some((e) => sameHost(e, secret.host))) {
      const article = target.kind === 'instance' ? 'the endpoint' : 'an endpoint';
      throw new RotationError('InvalidState', `${where}: field "host" is not ${article} of ${what}`);
    }
    if (found.status !== 'available') {
      throw new RotationError('TargetUnavailable', `${where}: ${what} is ${found.status ?? 'in an unknown state'}, not available`);
    }
  }
}

let sharedRds: RDSClient | undefined;
const defaultRds = (): RdsSender => (sharedRds ??= new RDSClient(awsClientSettings({ requestTimeout: 10_000 })));

/** The check with an RDS client (default: one per process, created on first use). */
export function rdsApiCheck(rds: () => RdsSender = defaultRds): RdsCheck {
  return (secret, where) => confirmRdsTarget(rds(), secret, where);
}
