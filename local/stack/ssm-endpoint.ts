/**
 * A thin SSM Parameter Store endpoint held in memory, so `@aws-sdk/client-ssm` and Powertools
 * Parameters run unchanged against it with `AWS_ENDPOINT_URL_SSM`. SecureString values come back
 * in clear only with `WithDecryption`, as from the real service.
 */
import { createHash } from 'node:crypto';
import { epochSeconds, type JsonApiServer, requireString, ServiceError, startJsonApi } from './json-api.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './s3.ts';

export type ParameterType = 'String' | 'StringList' | 'SecureString';

export interface ParameterInput {
  name: string;
  value: string;
  type?: ParameterType;
}

interface StoredParameter {
  name: string;
  type: ParameterType;
  value: string;
  version: number;
  lastModified: Date;
}

export interface LocalSsmOptions {
  host?: string;
  port?: number;
  parameters?: ParameterInput[];
}

export interface LocalSsm extends JsonApiServer {
  /** Sets a parameter directly (a new version when it exists). */
  put(parameter: ParameterInput): void;
}

/** The service's page-size ceiling for GetParametersByPath, and its batch limit for GetParameters. */
const MAX_PAGE = 10;

export async function startSsmEndpoint(options: LocalSsmOptions = {}): Promise<LocalSsm> {
  const store = new Map<string, StoredParameter>();

  const put = (parameter: ParameterInput, overwrite = true): number => {
    const existing = store.get(parameter.name);
    if (existing && !overwrite) {
      throw new ServiceError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const version = (existing?.version ?? 0) + 1;
    store.set(parameter.name, {
      name: parameter.name,
      type: parameter.type ?? existing?.type ?? 'String',
      value: parameter.value,
      version,
      lastModified: new Date(),
    });
    return version;
  };
  for (const parameter of options.parameters ?? []) put(parameter);

  const server = await startJsonApi({
    targetPrefix: 'AmazonSSM',
    contentType: 'application/x-amz-json-1.1',
    host: options.host,
    port: options.port,
    operations: {
      GetParameter(input) {
        const name = requireString(input, 'Name');
        const parameter = store.get(name);
        if (!parameter) throw new ServiceError('ParameterNotFound', `Parameter ${name} not found.`);
        return { Parameter: render(parameter, input.WithDecryption === true) };
      },
      GetParameters(input) {
        const names = input.Names;
        if (!Array.isArray(names) || names.length === 0 || names.length > MAX_PAGE) {
          throw new ServiceError('ValidationException', `'Names' must have between 1 and ${MAX_PAGE} items`);
        }
        const found = names.flatMap((name) => store.get(String(name)) ?? []);
        return {
          Parameters: found.map((parameter) => render(parameter, input.WithDecryption === true)),
          InvalidParameters: names.filter((name) => !store.has(String(name))),
        };
      },
      GetParametersByPath(input) {
        const path = requireString(input, 'Path');
        if (!path.startsWith('/'))
          throw new ServiceError('ValidationException', 'The path must begin with a forward slash');
        const pageSize = Math.min(Number(input.MaxResults ?? MAX_PAGE), MAX_PAGE);
        const start = input.NextToken
          ? Number(Buffer.from(String(input.NextToken), 'base64url').toString())
          : 0;
        const matching = [...store.values()]
          .filter((parameter) => isUnder(parameter.name, path, input.Recursive === true))
          .sort((a, b) => a.name.localeCompare(b.name));
        const page = matching.slice(start, start + pageSize);
        const next =
          start + pageSize < matching.length
            ? Buffer.from(String(start + pageSize)).toString('base64url')
            : undefined;
        return {
          Parameters: page.map((parameter) => render(parameter, input.WithDecryption === true)),
          ...(next ? { NextToken: next } : {}),
        };
      },
      PutParameter(input) {
        const type = (input.Type as ParameterType | undefined) ?? 'String';
        if (!['String', 'StringList', 'SecureString'].includes(type)) {
          throw new ServiceError('ValidationException', `Invalid parameter type ${type}`);
        }
        const version = put(
          { name: requireString(input, 'Name'), value: requireString(input, 'Value'), type },
          input.Overwrite === true,
        );
        return { Version: version, Tier: 'Standard' };
      },
      DeleteParameter(input) {
        const name = requireString(input, 'Name');
        if (!store.delete(name)) throw new ServiceError('ParameterNotFound', `Parameter ${name} not found.`);
        return {};
      },
    },
  });
  return { ...server, put: (parameter) => void put(parameter) };
}

/** Direct children of `path`, or every descendant when recursive. */
function isUnder(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  if (!name.startsWith(prefix)) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}

function render(parameter: StoredParameter, withDecryption: boolean) {
  const hidden = parameter.type === 'SecureString' && !withDecryption;
  return {
    Name: parameter.name,
    Type: parameter.type,
    Value: hidden ? ciphertext(parameter) : parameter.value,
    Version: parameter.version,
    LastModifiedDate: epochSeconds(parameter.lastModified),
    ARN: `arn:aws:ssm:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:parameter${parameter.name.startsWith('/') ? '' : '/'}${parameter.name}`,
    DataType: 'text',
  };
}

/** An opaque stand-in for the KMS ciphertext the service returns: it reveals nothing of the value. */
function ciphertext(parameter: StoredParameter): string {
  const digest = createHash('sha256').update(`${parameter.name}\n${parameter.version}`).digest();
  return `AQICAH${digest.toString('base64')}`;
}
