import type { Quirks, SchemaIndex } from '../context.ts';
import type { ChildRelationship, FieldSchema, OrgSchema, SObjectSchema } from './types.ts';

interface ObjectEntry {
  object: SObjectSchema;
  fields: Map<string, FieldSchema>;
  relationships: Map<string, FieldSchema>;
}

/**
 * Builds the case-insensitive look-ups over an org schema. Salesforce matches object, field and
 * relationship names without regard to case (`ACCOUNT`, `account.name`, `Lead:WHO.Email` all resolve).
 */
export function createSchemaIndex(org: OrgSchema): SchemaIndex {
  const objects = new Map<string, ObjectEntry>();
  const prefixes = new Map<string, SObjectSchema>();
  for (const object of org.objects) {
    const fields = new Map<string, FieldSchema>();
    const relationships = new Map<string, FieldSchema>();
    for (const field of object.fields) {
      fields.set(field.name.toLowerCase(), field);
      if (field.type === 'reference' && field.relationshipName) {
        relationships.set(field.relationshipName.toLowerCase(), field);
      }
    }
    objects.set(object.name.toLowerCase(), { object, fields, relationships });
    if (object.keyPrefix) prefixes.set(object.keyPrefix, object);
  }
  return {
    org,
    object: (name) => objects.get(name.toLowerCase())?.object,
    field: (object, name) => objects.get(object.toLowerCase())?.fields.get(name.toLowerCase()),
    relationship: (object, relationship) =>
      objects.get(object.toLowerCase())?.relationships.get(relationship.toLowerCase()),
    // Key prefixes are case-sensitive: 00Q (Lead) and 00q are different prefixes.
    objectByKeyPrefix: (prefix) => prefixes.get(prefix.slice(0, 3)),
  };
}

/**
 * Whether a reference field is polymorphic in this org, i.e. a relationship column for it needs the
 * `Type:` prefix (`Lead:Who.Email`). Describe's polymorphicForeignKey decides, or with the
 * `polymorphicByReferenceCount` quirk the number of referenceTo targets (the reference leaves this
 * UNCONFIRMED: one witness counts targets; the docs' sample treats Task `Owner.Id` as not polymorphic).
 */
export function isPolymorphic(
  field: FieldSchema,
  quirks?: Pick<Quirks, 'polymorphicByReferenceCount'>,
): boolean {
  if (field.type !== 'reference') return false;
  return quirks?.polymorphicByReferenceCount ? field.referenceTo.length > 1 : field.polymorphicForeignKey;
}

/** The component fields of a compound field (BillingAddress → BillingStreet, …; Name → FirstName, …). */
export function compoundComponents(object: SObjectSchema, compoundName: string): FieldSchema[] {
  const key = compoundName.toLowerCase();
  return object.fields.filter((f) => f.compoundFieldName?.toLowerCase() === key);
}

/**
 * Whether a field is itself a compound (an address or geolocation, or a person Name made of
 * components): such fields are read-only and a load writes their components instead.
 */
export function isCompoundField(object: SObjectSchema, field: FieldSchema): boolean {
  return (
    field.type === 'address' || field.type === 'location' || compoundComponents(object, field.name).length > 0
  );
}

/** Fields a relationship column or an upsert can match on: Id, external ids and idLookup standard fields. */
export function idLookupFields(object: SObjectSchema): FieldSchema[] {
  return object.fields.filter((f) => f.idLookup);
}

/** External id fields (an upsert's externalIdFieldName must be one of these, or Id). */
export function externalIdFields(object: SObjectSchema): FieldSchema[] {
  return object.fields.filter((f) => f.externalId);
}

/** The parent-to-child relationship named `name` on `object` (Account + "contacts" → Contact.AccountId). */
export function childRelationship(object: SObjectSchema, name: string): ChildRelationship | undefined {
  const key = name.toLowerCase();
  return object.childRelationships?.find((c) => c.relationshipName?.toLowerCase() === key);
}
