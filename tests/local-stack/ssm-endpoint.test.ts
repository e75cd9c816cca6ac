import { getParameter, getParametersByName } from '@aws-lambda-powertools/parameters/ssm';
import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterAlreadyExists,
  ParameterNotFound,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../local/stack/s3.ts';
import { type LocalSsm, startSsmEndpoint } from '../../local/stack/ssm-endpoint.ts';

let ssm: LocalSsm;
let client: SSMClient;
const SECRET = 'polyload-local-secret';

beforeAll(async () => {
  ssm = await startSsmEndpoint({
    parameters: [
      { name: '/polyload/test/salesforce/login-url', value: 'http://127.0.0.1:8787' },
      { name: '/polyload/test/salesforce/auth-mode', value: 'client-credentials' },
      { name: '/polyload/test/salesforce/client-secret', value: SECRET, type: 'SecureString' },
      { name: '/polyload/test/salesforce/jwt/audience', value: 'https://test.salesforce.com' },
    ],
  });
  client = new SSMClient({ endpoint: ssm.url, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } });
  // Powertools builds its own client from the environment, as it does in Lambda.
  process.env.AWS_ENDPOINT_URL_SSM = ssm.url;
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
});

afterAll(async () => {
  client.destroy();
  await ssm.stop();
});

describe('local SSM endpoint with @aws-sdk/client-ssm', () => {
  it('returns a String parameter with its version and ARN', async () => {
    const { Parameter } = await client.send(
      new GetParameterCommand({ Name: '/polyload/test/salesforce/login-url' }),
    );
    expect(Parameter).toMatchObject({
      Name: '/polyload/test/salesforce/login-url',
      Type: 'String',
      Value: 'http://127.0.0.1:8787',
      Version: 1,
      ARN: 'arn:aws:ssm:us-east-1:000000000000:parameter/polyload/test/salesforce/login-url',
    });
    expect(Parameter?.LastModifiedDate).toBeInstanceOf(Date);
  });

  it('reveals a SecureString only with WithDecryption', async () => {
    const name = '/polyload/test/salesforce/client-secret';
    const hidden = await client.send(new GetParameterCommand({ Name: name }));
    expect(hidden.Parameter?.Type).toBe('SecureString');
    expect(hidden.Parameter?.Value).not.toContain(SECRET);
    const clear = await client.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    expect(clear.Parameter?.Value).toBe(SECRET);
  });

  it('answers a missing name with the modelled ParameterNotFound error', async () => {
    await expect(
      client.send(new GetParameterCommand({ Name: '/polyload/test/nope' })),
    ).rejects.toBeInstanceOf(ParameterNotFound);
  });

  it('lists direct children by path, and descendants with Recursive', async () => {
    const direct = await client.send(new GetParametersByPathCommand({ Path: '/polyload/test/salesforce' }));
    expect(direct.Parameters?.map((p) => p.Name)).toEqual([
      '/polyload/test/salesforce/auth-mode',
      '/polyload/test/salesforce/client-secret',
      '/polyload/test/salesforce/login-url',
    ]);
    const recursive = await client.send(
      new GetParametersByPathCommand({ Path: '/polyload/test/', Recursive: true, WithDecryption: true }),
    );
    expect(recursive.Parameters?.map((p) => p.Name)).toContain('/polyload/test/salesforce/jwt/audience');
    expect(recursive.Parameters?.find((p) => p.Type === 'SecureString')?.Value).toBe(SECRET);
  });

  it('pages GetParametersByPath ten at a time with NextToken', async () => {
    for (let i = 0; i < 12; i++) {
      await client.send(
        new PutParameterCommand({
          Name: `/paged/p${String(i).padStart(2, '0')}`,
          Value: `${i}`,
          Type: 'String',
        }),
      );
    }
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new GetParametersByPathCommand({ Path: '/paged', NextToken: token }));
      names.push(...(page.Parameters ?? []).map((p) => p.Name ?? ''));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(names).toHaveLength(12);
  });

  it('reports unknown names of a GetParameters batch as InvalidParameters', async () => {
    const result = await client.send(
      new GetParametersCommand({ Names: ['/polyload/test/salesforce/auth-mode', '/polyload/test/missing'] }),
    );
    expect(result.Parameters?.map((p) => p.Value)).toEqual(['client-credentials']);
    expect(result.InvalidParameters).toEqual(['/polyload/test/missing']);
  });

  it('refuses to overwrite with PutParameter unless Overwrite is set, then bumps the version', async () => {
    const name = '/polyload/test/overwritten';
    await client.send(new PutParameterCommand({ Name: name, Value: 'a', Type: 'String' }));
    await expect(
      client.send(new PutParameterCommand({ Name: name, Value: 'b', Type: 'String' })),
    ).rejects.toBeInstanceOf(ParameterAlreadyExists);
    const second = await client.send(new PutParameterCommand({ Name: name, Value: 'b', Overwrite: true }));
    expect(second.Version).toBe(2);
  });
});

describe('local SSM endpoint with Powertools Parameters', () => {
  it('serves getParameter, decrypting on request', async () => {
    expect(await getParameter('/polyload/test/salesforce/auth-mode')).toBe('client-credentials');
    expect(await getParameter('/polyload/test/salesforce/client-secret', { decrypt: true })).toBe(SECRET);
  });

  it('serves getParametersByName with per-name decryption', async () => {
    const values = await getParametersByName<string>({
      '/polyload/test/salesforce/login-url': {},
      '/polyload/test/salesforce/client-secret': { decrypt: true },
    });
    expect(values).toEqual({
      '/polyload/test/salesforce/login-url': 'http://127.0.0.1:8787',
      '/polyload/test/salesforce/client-secret': SECRET,
    });
  });
});
