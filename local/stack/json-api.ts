/**
 * The AWS JSON protocol as the SDK speaks it: `POST /` with `X-Amz-Target: <Service>.<Operation>`,
 * a JSON body, and errors as HTTP 400 `{"__type": "<ErrorName>", "message": ...}`. Enough for the
 * thin local endpoints; signatures are not checked (any credentials are accepted).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A service error the SDK turns into its modelled exception class of the same name. */
export class ServiceError extends Error {
  readonly type: string;
  readonly status: number;
  constructor(type: string, message: string, status = 400) {
    super(message);
    // The name is the error's AWS type, so programmatic callers can match it like the SDK's exceptions.
    this.name = type;
    this.type = type;
    this.status = status;
  }
}

export type Operation = (input: Record<string, unknown>) => unknown;

export interface JsonApiServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface JsonApiOptions {
  /** The X-Amz-Target prefix, e.g. `AWSStepFunctions` or `AmazonSSM`. */
  targetPrefix: string;
  /** `application/x-amz-json-1.0` (Step Functions) or `-1.1` (SSM). */
  contentType: string;
  operations: Record<string, Operation>;
  host?: string;
  port?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

export async function startJsonApi(options: JsonApiOptions): Promise<JsonApiServer> {
  const server = createServer((req, res) => {
    void handle(req, res, options);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stop: () => closeServer(server),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: JsonApiOptions): Promise<void> {
  try {
    if (req.method !== 'POST')
      throw new ServiceError('UnknownOperationException', 'Only POST is supported', 404);
    const target = String(req.headers['x-amz-target'] ?? '');
    const [prefix, name = ''] = target.split('.');
    const operation = prefix === options.targetPrefix ? options.operations[name] : undefined;
    if (!operation) throw new ServiceError('UnknownOperationException', `Unknown operation ${target}`);
    const body = await readBody(req);
    let input: Record<string, unknown>;
    try {
      input = body.length === 0 ? {} : (JSON.parse(body) as Record<string, unknown>);
    } catch {
      throw new ServiceError('SerializationException', 'The request body is not valid JSON');
    }
    const output = await operation(input ?? {});
    send(res, 200, options.contentType, output ?? {});
  } catch (error) {
    if (error instanceof ServiceError) {
      send(res, error.status, options.contentType, { __type: error.type, message: error.message });
    } else {
      const message = error instanceof Error ? error.message : String(error);
      send(res, 500, options.contentType, { __type: 'InternalServerError', message });
    }
  }
}

function send(res: ServerResponse, status: number, contentType: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ServiceError('ValidationException', 'Request body too large', 413);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Seconds since the epoch with millisecond precision: how the JSON protocol sends timestamps. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

export function requireString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new ServiceError('ValidationException', `1 validation error detected: '${field}' must not be null`);
  }
  return value;
}
