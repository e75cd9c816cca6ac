import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { localUpCommand } from '../../local/stack/local-up-command.ts';
import { LOCAL_CREDENTIALS } from '../../local/stack/s3.ts';

const freePorts = ['--port-s3', '0', '--port-sfn', '0', '--port-ssm', '0', '--port-salesforce', '0'];

describe('polyload local up', () => {
  it('prints the endpoints, the S3 command that starts a run and an env.json for sam local invoke', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'polyload-local-up-'));
    const stdout = new PassThrough();
    let printed = '';
    let stop = () => {};
    const until = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const ready = new Promise<void>((resolve) => {
      stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString();
        if (printed.includes('Press Ctrl-C')) resolve();
      });
    });
    try {
      const exit = localUpCommand([...freePorts, '--data-dir', dataDir], {
        stdout,
        stderr: new PassThrough(),
        until,
      });
      await ready;
      expect(printed).toMatch(/S3 \(s3rver\) +http:\/\/127\.0\.0\.1:\d+/);
      expect(printed).toMatch(
        /aws s3 cp <file>\.csv s3:\/\/polyload-landing\/incoming\/<pipeline>\/<file>\.csv --endpoint-url http:\/\/127\.0\.0\.1:\d+/,
      );
      const envJson = JSON.parse(readFileSync(join(dataDir, 'env.json'), 'utf8')) as {
        Parameters: Record<string, string>;
      };
      expect(envJson.Parameters.AWS_ENDPOINT_URL_S3).toMatch(/^http:\/\/host\.docker\.internal:\d+$/);
      expect(envJson.Parameters.WORK_BUCKET).toBe('polyload-work');
      expect(envJson.Parameters.SALESFORCE_PARAMETER_PATH).toBe('/polyload/local-docker/salesforce');

      // The container reads the emulator's address from SSM, so that one points at the Docker host too.
      const ssmUrl = /SSM +(http:\/\/127\.0\.0\.1:\d+)/.exec(printed)?.[1] ?? '';
      const ssm = new SSMClient({
        endpoint: ssmUrl,
        region: 'us-east-1',
        credentials: { ...LOCAL_CREDENTIALS },
      });
      const login = await ssm.send(
        new GetParameterCommand({ Name: '/polyload/local-docker/salesforce/login-url' }),
      );
      ssm.destroy();
      expect(login.Parameter?.Value).toMatch(/^http:\/\/host\.docker\.internal:\d+$/);

      stop();
      expect(await exit).toBe(0);
    } finally {
      stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a port that is not a number as a usage error', async () => {
    await expect(localUpCommand(['--port-s3', 'abc'])).rejects.toMatchObject({ name: 'UsageError' });
  });
});
