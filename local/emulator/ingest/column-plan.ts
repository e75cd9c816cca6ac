import type { Quirks, SchemaIndex } from '../context.ts';
import { isPolymorphic } from '../schema/index.ts';
import type { FieldSchema, SObjectSchema } from '../schema/types.ts';
import type { Operation } from './job.ts';

/** What one CSV column writes: the record's Id, a field, or a lookup resolved through a parent's field. */
export type ColumnPlan =
  | { kind: 'id'; header: string; field: FieldSchema }
  | { kind: 'field'; header: string; field: FieldSchema }
  | {
      kind: 'relationship';
      header: string;
      /** The reference field on the job's object (WhoId for `Contact:Who.Email`). */
      field: FieldSchema;
      target: SObjectSchema;
      /** The parent's field the cell is matched against (External ID, idLookup or Id). */
      lookup: FieldSchema;
    };

export interface RowPlan {
  object: SObjectSchema;
  operation: Operation;
  /** The upsert key; undefined for other operations. */
  externalIdField: FieldSchema | undefined;
  columns: ColumnPlan[];
  /** Index of the Id column, or -1. */
  idColumn: number;
  /** Index of the upsert key's column, or -1 (also -1 when the key is Id: see idColumn). */
  externalIdColumn: number;
}

export type PlanResult = { ok: true; plan: RowPlan } | { ok: false; errorMessage: string };

const notFound = (header: string) => `InvalidBatch : Field name not found : ${header}`;

/**
 * Maps an uploaded header to fields, or returns the job-level errorMessage that fails the job before any
 * row is written (reference §2, §2.1, §5). Matching ignores case; `header` text is kept as uploaded.
 */
export function planColumns(
  schema: SchemaIndex,
  object: SObjectSchema,
  operation: Operation,
  externalIdFieldName: string | undefined,
  header: readonly string[],
  quirks: Pick<Quirks, 'polymorphicByReferenceCount'>,
): PlanResult {
  const columns: ColumnPlan[] = [];
  for (const name of header) {
    const column = planColumn(schema, object, name, quirks);
    if (typeof column === 'string') return { ok: false, errorMessage: column };
    columns.push(column);
  }
  if (operation === 'delete' || operation === 'hardDelete') {
    // Bulk API 1.0's message for the same mistake; UNCONFIRMED for 2.0.
    if (columns.some((c) => c.kind !== 'id')) {
      return { ok: false, errorMessage: `InvalidBatch : The '${operation}' batch must contain only ids` };
    }
  }
  const idColumn = columns.findIndex((c) => c.kind === 'id');
  let externalIdField: FieldSchema | undefined;
  let externalIdColumn = -1;
  if (operation === 'upsert' && externalIdFieldName !== undefined) {
    externalIdField = schema.field(object.name, externalIdFieldName);
    if (externalIdField && externalIdField.type !== 'id') {
      const key = externalIdField.name;
      externalIdColumn = columns.findIndex((c) => c.kind === 'field' && c.field.name === key);
    }
  }
  return { ok: true, plan: { object, operation, externalIdField, columns, idColumn, externalIdColumn } };
}

function planColumn(
  schema: SchemaIndex,
  object: SObjectSchema,
  header: string,
  quirks: Pick<Quirks, 'polymorphicByReferenceCount'>,
): ColumnPlan | string {
  if (header.includes(':')) return planTypedRelationship(schema, object, header, quirks);
  if (header.includes('.')) return planRelationship(schema, object, header, quirks);
  const field = schema.field(object.name, header);
  // Compound fields (BillingAddress, Loc__c, a Contact's Name) cannot be loaded; only their components.
  if (!field || isCompound(object, field)) return notFound(header);
  if (field.type === 'id') return { kind: 'id', header, field };
  return { kind: 'field', header, field };
}

function isCompound(object: SObjectSchema, field: FieldSchema): boolean {
  return (
    field.type === 'address' ||
    field.type === 'location' ||
    object.fields.some((f) => f.compoundFieldName === field.name)
  );
}

/** `Type:Relationship.Field`, e.g. `Contact:Who.Patient_Id__c`. */
function planTypedRelationship(
  schema: SchemaIndex,
  object: SObjectSchema,
  header: string,
  quirks: Pick<Quirks, 'polymorphicByReferenceCount'>,
): ColumnPlan | string {
  const m = /^([^:.]+):([^:.]+)\.([^:.]+)$/.exec(header);
  if (!m) return notFound(header);
  const [, typeName = '', relationshipName = '', lookupName = ''] = m;
  const field = schema.relationship(object.name, relationshipName);
  if (!field) return `InvalidBatch : Unable to find relationship: ${relationshipName}`;
  if (!isPolymorphic(field, quirks)) {
    return `InvalidBatch : type is not needed for non polymorphic foreign key references: ${relationshipName}`;
  }
  const targetName = field.referenceTo.find((t) => t.toLowerCase() === typeName.toLowerCase());
  const target = targetName === undefined ? undefined : schema.object(targetName);
  // UNCONFIRMED wording: a type the polymorphic field cannot point to.
  if (!target)
    return `InvalidBatch : Invalid entity type ${typeName} for polymorphic foreign key reference: ${relationshipName}`;
  return lookupColumn(schema, header, field, target, lookupName);
}

/** `Relationship.Field`, e.g. `Account.External_Id__c`, `Patient__r.Patient_Id__c`, `Owner.Username`. */
function planRelationship(
  schema: SchemaIndex,
  object: SObjectSchema,
  header: string,
  quirks: Pick<Quirks, 'polymorphicByReferenceCount'>,
): ColumnPlan | string {
  const m = /^([^.]+)\.([^.]+)$/.exec(header);
  if (!m) return notFound(header);
  const [, relationshipName = '', lookupName = ''] = m;
  const field = schema.relationship(object.name, relationshipName);
  if (!field) return notFound(header);
  let targets = field.referenceTo.map((t) => schema.object(t)).filter((t) => t !== undefined);
  if (isPolymorphic(field, quirks)) {
    // Tolerated when only one target can be matched by that field (Owner.Username can only be a User);
    // otherwise the type prefix is required. Message UNCONFIRMED.
    targets = targets.filter((t) => isLookupField(schema.field(t.name, lookupName)));
    if (targets.length !== 1) {
      return `InvalidBatch : Polymorphic foreign key reference needs the entity type, e.g. ${field.referenceTo[0] ?? 'Type'}:${relationshipName}.${lookupName}: ${header}`;
    }
  }
  const target = targets[0];
  if (!target) return notFound(header);
  return lookupColumn(schema, header, field, target, lookupName);
}

function isLookupField(field: FieldSchema | undefined): boolean {
  return field !== undefined && (field.type === 'id' || field.externalId || field.idLookup);
}

function lookupColumn(
  schema: SchemaIndex,
  header: string,
  field: FieldSchema,
  target: SObjectSchema,
  lookupName: string,
): ColumnPlan | string {
  const lookup = schema.field(target.name, lookupName);
  if (!lookup) return notFound(header);
  // UNCONFIRMED wording: the parent field must be an External ID or an idLookup (indexed) field.
  if (!isLookupField(lookup)) {
    return `InvalidBatch : Field ${lookup.name} on ${target.name} is not an External ID or indexed field and cannot be used in a relationship: ${header}`;
  }
  return { kind: 'relationship', header, field, target, lookup };
}
