import type { Session } from './http/router.ts';
import type { FieldSchema, OrgSchema, SObjectSchema } from './schema/types.ts';
import type { RecordStore } from './store/types.ts';

/**
 * Read-only view of the org schema with the case-insensitive look-ups the API needs
 * (Salesforce matches object, field and relationship names without regard to case).
 */
export interface SchemaIndex {
  readonly org: OrgSchema;
  object(name: string): SObjectSchema | undefined;
  field(object: string, name: string): FieldSchema | undefined;
  /** The reference field whose relationshipName is `relationship` (e.g. Task + "who" → WhoId). */
  relationship(object: string, relationship: string): FieldSchema | undefined;
  objectByKeyPrefix(prefix: string): SObjectSchema | undefined;
}

/** Issues and checks access tokens. */
export interface SessionStore {
  create(input: { userId: string; username: string; clientId: string }): Session;
  /** The live session for a bearer token, or undefined when unknown or expired. */
  get(accessToken: string): Session | undefined;
}

/** Daily API allocation, counted per request like Salesforce's DailyApiRequests. */
export interface ApiLimits {
  /** Counts one request; returns false when the allocation is already used up. */
  consume(): boolean;
  /** `api-usage=N/M` for the Sforce-Limit-Info header. */
  usageHeader(): string;
  /** Records processed by ingest batches (DailyBulkApiBatches, record allocation). */
  recordBatch(count: number): void;
  /** The body of GET /limits. */
  snapshot(): Record<string, { Max: number; Remaining: number }>;
}

/** Parsed fault spec (design.md §5): deterministic given `seed`. */
export interface FaultSpec {
  /** Ratio of metered requests answered 403 REQUEST_LIMIT_EXCEEDED. */
  throttle: number;
  /** Ratio of metered requests answered 503 (or 500/502). */
  http5xx: number;
  /** Ratio of rows failing with UNABLE_TO_LOCK_ROW. */
  lock: number;
  /** Lifetime of issued access tokens, seconds. */
  tokenTtl: number;
  /** Daily API request allocation. */
  apiLimit: number;
  /** Simulated processing time per internal batch of 10,000 records, ms. */
  processingMs: number;
  seed: number;
}

export interface Faults {
  spec(): FaultSpec;
  /** Replaces some or all settings at run time (tests flip faults on and off mid-run). */
  set(patch: Partial<FaultSpec> | string): void;
  /** Decides, deterministically, whether this metered request gets an injected HTTP fault. */
  requestFault(
    method: string,
    path: string,
  ): { status: number; errorCode: string; message: string } | undefined;
  /** Decides whether this row fails with UNABLE_TO_LOCK_ROW. */
  rowLocked(): boolean;
}

/**
 * Behaviours the reference marks UNCONFIRMED: each has the most plausible default and can be switched.
 */
export interface Quirks {
  /** Second upload: reject the PUT itself (default) or accept it and reject the UploadComplete PATCH. */
  secondUpload: 'rejectPut' | 'rejectClose';
  /** Whether Aborted may be set from UploadComplete/InProgress (default true; from Open it always may). */
  abortAfterUpload: boolean;
  /** Whether a quoted value with an embedded line break fails the job as a line-ending error (default false). */
  rejectEmbeddedNewline: boolean;
  /** Shuffle result rows, as Salesforce does not keep input order (default true). */
  shuffleResults: boolean;
  /** Results body when there are no rows: the header line (default) or an empty body. */
  emptyResults: 'header' | 'empty';
  /**
   * How a relationship is judged polymorphic (needs the `Type:` prefix): by describe's
   * `polymorphicForeignKey` (default, false here) or, as one witness reports, by `referenceTo.length > 1`.
   */
  polymorphicByReferenceCount: boolean;
}

export interface EmulatorContext {
  schema: SchemaIndex;
  store: RecordStore;
  sessions: SessionStore;
  limits: ApiLimits;
  faults: Faults;
  quirks: Quirks;
  /** Directory for job uploads and results files (a temp dir unless --data-dir is given). */
  dataDir: string;
  /** Default API version reported when a path carries none. */
  latestApiVersion: string;
  now(): Date;
}
