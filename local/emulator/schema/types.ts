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
}

export interface SObjectSchema {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  fields: FieldSchema[];
}

export interface OrgSchema {
  /** 18-character organization id (00D...). */
  organizationId: string;
  objects: SObjectSchema[];
}
