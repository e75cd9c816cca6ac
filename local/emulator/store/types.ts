/** A field value as stored and returned by the record store, keyed by the field's canonical API name. */
export type StoredValue = string | number | boolean | null;
export type StoredRecord = Record<string, StoredValue>;

/**
 * Durable record storage for the emulator (node:sqlite). Synchronous, as node:sqlite is: the ingest
 * processor calls it between awaits, one internal batch inside one transaction.
 */
export interface RecordStore {
  /** Inserts a record and returns its new 18-character Id (key prefix of the object). */
  insert(object: string, values: StoredRecord): string;
  /** Sets the given fields; a null clears the field. */
  update(object: string, id: string, values: StoredRecord): void;
  /** Soft delete (recycle bin): the row is kept with IsDeleted = true and hidden from queries. */
  delete(object: string, id: string): void;
  /** Removes the row for good. */
  hardDelete(object: string, id: string): void;
  /** The live (not deleted) record with this Id, with its object name; Id is accepted as 15 or 18 chars. */
  findById(id: string): { object: string; record: StoredRecord; isDeleted: boolean } | undefined;
  /** Ids of live records whose `field` equals `value` (case-insensitive unless the field is caseSensitive). */
  findIdsByField(object: string, field: string, value: StoredValue): string[];
  /**
   * The user that the system fields (CreatedById, LastModifiedById, default OwnerId) name on later
   * writes; the server sets it per request from the session. Undefined leaves those fields unset.
   */
  setActingUser(userId: string | undefined): void;
  /** Number of records of an object; soft-deleted ones only when `includeDeleted`. */
  countRecords(object: string, includeDeleted?: boolean): number;
  /** Runs `fn` in one SQLite transaction; a throw rolls it back. */
  transaction<T>(fn: () => T): T;
  close(): void;
}
