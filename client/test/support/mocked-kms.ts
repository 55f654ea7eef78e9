import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { FakeKms } from './fake-kms';

export const KEY_ID = 'alias/gaara-store/test/data';

/** KMSClient mocked with aws-sdk-client-mock, answering like KMS through FakeKms. */
export function mockedKms(dataKeySource?: () => Buffer) {
  const fake = new FakeKms(KEY_ID, dataKeySource);
  const mock = mockClient(KMSClient);
  mock.on(GenerateDataKeyCommand).callsFake(async (input) => fake.generateDataKey(input));
  mock.on(DecryptCommand).callsFake(async (input) => fake.decrypt(input));
  return { fake, mock, client: new KMSClient({ region: 'eu-west-1' }) };
}
