/**
 * fipsKeyMaterial: key-ring material from KMS GenerateRandom on the standard regional endpoint (FIPS-validated
 * HSMs), never a whole-function AWS_USE_FIPS_ENDPOINT switch, with a KMS interface endpoint the function can reach.
 */
import { createKeyMaterialKmsClient } from '../../lambdas/key-ring/key-material';
import { ENVIRONMENTS } from '../../lib/config';
import { resourcesOf, statement, synthAll } from '../support/synth';

const staging = ENVIRONMENTS.find((e) => e.envName === 'staging')!;

describe('fipsKeyMaterial in the template', () => {
  const [{ template }] = synthAll([{ ...staging, fipsKeyMaterial: true }]).results;
  const functions = resourcesOf(template, 'AWS::Lambda::Function');

  it('no function is switched to FIPS endpoints; the key-ring rotator takes its material from KMS', () => {
    for (const [, fn] of functions) expect(Object.keys(fn.Properties.Environment.Variables)).not.toContain('AWS_USE_FIPS_ENDPOINT');
    const [, ring] = functions.find(([id]) => id.startsWith('KeyRingRotation'))!;
    expect(ring.Properties.Environment.Variables.KEY_MATERIAL_SOURCE).toBe('kms');
  });

  it('the key-ring rotator may call kms:GenerateRandom (no resource-level permission exists)', () => {
    const [, policy] = resourcesOf(template, 'AWS::IAM::ManagedPolicy').find(([id]) => id.startsWith('KeyRingRotationRotatorPolicy'))!;
    expect(statement(policy.Properties.PolicyDocument.Statement, 'FipsKeyMaterial')).toEqual({
      Sid: 'FipsKeyMaterial',
      Effect: 'Allow',
      Action: 'kms:GenerateRandom',
      Resource: '*',
    });
  });

  it("a KMS interface endpoint with private DNS for the standard kms.<region> name, in the functions' subnets", () => {
    const kms = resourcesOf(template, 'AWS::EC2::VPCEndpoint').filter(([, e]) => e.Properties.ServiceName === 'com.amazonaws.eu-west-1.kms');
    expect(kms).toHaveLength(1);
    expect(kms[0][1].Properties).toMatchObject({
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SubnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002'],
    });
  });
});

describe('fipsKeyMaterial off (the shipped environments)', () => {
  it('no KMS endpoint, no GenerateRandom, material from crypto.randomBytes', () => {
    const [{ template }] = synthAll([staging]).results;
    expect(JSON.stringify(resourcesOf(template, 'AWS::EC2::VPCEndpoint'))).not.toContain('.kms');
    expect(JSON.stringify(resourcesOf(template, 'AWS::IAM::ManagedPolicy'))).not.toContain('GenerateRandom');
    const [, ring] = resourcesOf(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('KeyRingRotation'))!;
    expect(ring.Properties.Environment.Variables.KEY_MATERIAL_SOURCE).toBe('crypto');
  });
});

describe('the key-material KMS client (the code the bundle runs)', () => {
  it('uses the standard regional endpoint even when AWS_USE_FIPS_ENDPOINT=true is inherited', async () => {
    const env = { ...process.env };
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', AWS_USE_FIPS_ENDPOINT: 'true' });
    try {
      const client = createKeyMaterialKmsClient();
      expect(await client.config.useFipsEndpoint()).toBe(false);
      const endpoint = await client.config.endpointProvider({ Region: 'eu-west-1', UseFIPS: await client.config.useFipsEndpoint(), UseDualStack: false });
      expect(endpoint.url.href).toBe('https://kms.eu-west-1.amazonaws.com/');
    } finally {
      process.env = env;
    }
  });
});
