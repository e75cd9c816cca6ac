/**
 * The org schema the emulator serves: the subset of a Salesforce describe that a loader relies on.
 * Field and object entries use describe's own attribute names so a real org's describe export
 * (`/sobjects/{name}/describe` JSON) loads without translation.
 */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'boolean'
  | 'int'
  | 'long'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'reference'
  | 'address'
  | 'location'
  | 'encryptedstring';

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

export interface FieldSchema {
  name: string;
  label: string;
  type: FieldType;
  /** Max characters for text types, 0 otherwise. */
  length: number;
  /** Total digits and digits after the point for numeric types, 0 otherwise. */
  precision: number;
  scale: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  externalId: boolean;
  idLookup: boolean;
  unique: boolean;
  caseSensitive: boolean;
  calculated: boolean;
  /** Target objects of a reference field; more than one makes it polymorphic in this org. */
  referenceTo: string[];
  relationshipName: string | null;
  polymorphicForeignKey: boolean;
  picklistValues: PicklistValue[];
  restrictedPicklist: boolean;
  /** On a component of a compound field (BillingCity), the compound's name (BillingAddress). */
  compoundFieldName: string | null;
  /** The value used on insert when the column is absent or blank and defaultedOnCreate is set. */
  defaultValue?: string | number | boolean | null;
  /** The record's display name field (Account.Name, Case.CaseNumber, Task.Subject). */
  nameField?: boolean;
  /** Auto-number fields (Case.CaseNumber) are system-assigned and never createable. */
  autoNumber?: boolean;
  /** Further describe attributes from an imported export, kept verbatim so describe renders them back. */
  extra?: Record<string, unknown>;
}

/** A parent-to-child relationship as describe lists it on the parent (Account → Contacts via AccountId). */
export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string | null;
  cascadeDelete: boolean;
  restrictedDelete: boolean;
}

export interface SObjectSchema {
  name: string;
  label: string;
  labelPlural: string;
  /** 3-character Id prefix; empty for the few objects whose describe has none (no records can be made). */
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  fields: FieldSchema[];
  /** Relationships from other objects' reference fields to this one (from the export, or derived). */
  childRelationships?: ChildRelationship[];
  /** Further describe attributes from an imported export, kept verbatim. */
  extra?: Record<string, unknown>;
}

export interface OrgSchema {
  /** 18-character organization id (00D...). */
  organizationId: string;
  objects: SObjectSchema[];
}
