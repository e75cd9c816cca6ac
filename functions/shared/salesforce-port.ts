import type { Readable } from 'node:stream';
import type { Operation } from './contracts.ts';

/** The describe attributes the pipeline relies on (a subset of Salesforce's describe field). */
export interface DescribeField {
  name: string;
  label: string;
  type: string;
  length: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  externalId: boolean;
  idLookup: boolean;
  unique: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  polymorphicForeignKey: boolean;
  /** Total digits and digits after the point of numeric fields (geolocation rounding, number checks). */
  precision?: number;
  scale?: number;
  /** Maximum digits of an int field. */
  digits?: number;
  /** `validFor` (base64 bitmap over the controlling field's values) ties a state code to its country. */
  picklistValues: { value: string; label?: string; active: boolean; validFor?: string }[];
  restrictedPicklist: boolean;
  compoundFieldName: string | null;
  /** The controlling field of a dependent picklist (StateCode → CountryCode). */
  controllerName?: string | null;
}

export interface SObjectDescribe {
  name: string;
  keyPrefix: string | null;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  fields: DescribeField[];
}

/** One object as the global describe (`GET /sobjects`) lists it: enough to tell an Id's object. */
export interface GlobalDescribeEntry {
  name: string;
  keyPrefix: string | null;
}

export interface IngestJobInfo {
  id: string;
  object: string;
  operation: Operation;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
}

export type ResultKind = 'successfulResults' | 'failedResults' | 'unprocessedrecords';

/**
 * What the pipeline needs from Salesforce. functions/shared/salesforce.ts adapts jsforce to it; tests
 * point it at the emulator. Errors thrown are the named classes of errors.ts (throttled, unavailable...).
 */
export interface SalesforcePort {
  describe(object: string): Promise<SObjectDescribe>;
  /**
   * Every object of the org with its key prefix, in one API call: names the object of a raw Id whose
   * object the mapping does not describe. Optional, so a port without it still plans mappings.
   */
  describeGlobal?(): Promise<GlobalDescribeEntry[]>;
  createJob(input: {
    object: string;
    operation: Operation;
    externalIdFieldName?: string;
  }): Promise<IngestJobInfo>;
  /** The single upload of a job, streamed. */
  uploadJobData(jobId: string, csv: Readable): Promise<void>;
  closeJob(jobId: string): Promise<IngestJobInfo>;
  abortJob(jobId: string): Promise<IngestJobInfo>;
  jobInfo(jobId: string): Promise<IngestJobInfo>;
  /** A result set as a stream of CSV bytes (never buffered whole). */
  results(jobId: string, kind: ResultKind): Promise<Readable>;
  /** API requests this port made since it was created (for the run report's apiCalls). */
  apiCalls(): number;
}
