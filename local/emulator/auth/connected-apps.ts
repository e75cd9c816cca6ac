import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A connected app as the token endpoint sees it. */
export interface ConnectedApp {
  /** Consumer key: `client_id` for client credentials, `iss` for JWT bearer. */
  clientId: string;
  /** Consumer secret; an app without one cannot use client credentials. */
  clientSecret?: string;
  /** Username of the client-credentials "Run As" user; without it that flow answers `no client credentials user enabled`. */
  runAs?: string;
  /** PEM X.509 certificate (or SPKI/PKCS#1 public key) whose key verifies JWT bearer assertions. */
  jwtCertificate?: string;
  /**
   * Usernames pre-authorized for JWT bearer ("Admin approved users are pre-authorized"). Undefined means
   * every active user may use the app, which is what a local org wants; an empty list means nobody.
   */
  preAuthorizedUsers?: string[];
}

export const DEFAULT_CLIENT_ID = 'polyload-local';
export const DEFAULT_CLIENT_SECRET = 'polyload-local-secret';
export const INTEGRATION_USERNAME = 'integration@polyload.local';

/**
 * The default `polyload-local` app. `jwtCertificate` (from `--jwt-cert FILE`, see readJwtCertificate)
 * enables JWT bearer against it; there is no built-in key pair, as a shared private key would be a trap.
 */
export function defaultConnectedApps(options: { jwtCertificate?: string } = {}): ConnectedApp[] {
  const app: ConnectedApp = {
    clientId: DEFAULT_CLIENT_ID,
    clientSecret: DEFAULT_CLIENT_SECRET,
    runAs: INTEGRATION_USERNAME,
  };
  if (options.jwtCertificate !== undefined) app.jwtCertificate = checkJwtCertificate(options.jwtCertificate);
  return [app];
}

/** Reads and checks a PEM certificate or public key for `--jwt-cert FILE`; throws a readable Error. */
export function readJwtCertificate(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the JWT certificate ${path}: ${(err as Error).message}`);
  }
  try {
    return checkJwtCertificate(pem);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
}

function checkJwtCertificate(pem: string): string {
  publicKeyOf(pem);
  return pem;
}

/** The RSA public key in a PEM certificate or public key; Salesforce verifies RS256 only. */
export function publicKeyOf(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = pem.includes('-----BEGIN CERTIFICATE-----')
      ? new X509Certificate(pem).publicKey
      : createPublicKey(pem);
  } catch {
    throw new Error('expected a PEM X.509 certificate or RSA public key (-----BEGIN CERTIFICATE----- ...)');
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`expected an RSA key for RS256, got ${String(key.asymmetricKeyType)}`);
  }
  return key;
}

/** Look-up of connected apps by consumer key, with each app's public key parsed once. */
export class ConnectedAppRegistry {
  private readonly apps = new Map<string, { app: ConnectedApp; key: KeyObject | undefined }>();

  constructor(apps: ConnectedApp[]) {
    for (const app of apps) {
      if (this.apps.has(app.clientId)) throw new Error(`Connected app ${app.clientId} is defined twice`);
      let key: KeyObject | undefined;
      if (app.jwtCertificate !== undefined) {
        try {
          key = publicKeyOf(app.jwtCertificate);
        } catch (err) {
          throw new Error(`Connected app ${app.clientId}: ${(err as Error).message}`);
        }
      }
      this.apps.set(app.clientId, { app, key });
    }
  }

  get(clientId: string): ConnectedApp | undefined {
    return this.apps.get(clientId)?.app;
  }

  /** The key that verifies this app's JWT assertions, if it has a certificate. */
  jwtKey(clientId: string): KeyObject | undefined {
    return this.apps.get(clientId)?.key;
  }

  isPreAuthorized(app: ConnectedApp, username: string): boolean {
    if (app.preAuthorizedUsers === undefined) return true;
    const wanted = username.toLowerCase();
    return app.preAuthorizedUsers.some((u) => u.toLowerCase() === wanted);
  }
}
