import type { FieldSchema } from '../schema/types.ts';

/**
 * Builds an `sf__Error` cell: `CODE:message:Field1,Field2 --`, or `CODE:message:--` when no field is
 * attached (reference §3.1; the comma join without a space is what the one multi-field witness shows).
 */
export function sfError(code: string, message: string, fields: readonly string[] = []): string {
  return fields.length > 0 ? `${code}:${message}:${fields.join(',')} --` : `${code}:${message}:--`;
}

type Field = Pick<FieldSchema, 'name' | 'label'>;

/** Row-level errors with the texts real orgs return (reference §3.1); the guesses are noted. */
export const rowErrors = {
  requiredFieldMissing: (fields: readonly string[]) =>
    sfError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${fields.join(', ')}]`, fields),
  stringTooLong: (field: Field & { length: number }, value: string) =>
    sfError(
      'STRING_TOO_LONG',
      `${field.label}: data value too large: ${value} (max length=${field.length})`,
      [field.name],
    ),
  restrictedPicklist: (field: Field, value: string) =>
    sfError(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${field.label}: bad value for restricted picklist field: ${value}`,
      [field.name],
    ),
  duplicateValue: (field: Field, existingId: string) =>
    sfError(
      'DUPLICATE_VALUE',
      `duplicate value found: ${field.name} duplicates value on record with id: ${existingId}`,
    ),
  malformedId: (field: Field, value: string) =>
    sfError('MALFORMED_ID', `${field.label}: id value of incorrect type: ${value}`, [field.name]),
  /** A well-formed Id of an object the lookup cannot point to (SOAP's wording for the same case). */
  wrongIdType: (field: Field, value: string) =>
    sfError('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${value}`, [
      field.name,
    ]),
  invalidType: (field: Field, value: string) =>
    sfError('INVALID_TYPE_ON_FIELD_IN_RECORD', `${field.label}: value not of required type: ${value}`, [
      field.name,
    ]),
  invalidEmail: (field: Field, value: string) =>
    sfError('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${value}`, [field.name]),
  numberOutOfRange: (field: Field, value: string) =>
    sfError(
      'NUMBER_OUTSIDE_VALID_RANGE',
      `${field.label}: value outside of valid range on numeric field: ${value}`,
      [field.name],
    ),
  invalidCrossReference: () => sfError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id'),
  entityIsDeleted: () => sfError('ENTITY_IS_DELETED', 'entity is deleted'),
  /** Suffix `:--` chosen for a code whose exact form is UNCONFIRMED (reference §2.1). */
  foreignKeyNotFound: (value: string, field: string, object: string) =>
    sfError(
      'INVALID_FIELD',
      `Foreign key external ID: ${value} not found for field ${field} in entity ${object}`,
    ),
  /** UNCONFIRMED text: a relationship value that matches more than one parent. */
  foreignKeyDuplicate: (value: string, field: string, object: string) =>
    sfError(
      'DUPLICATE_EXTERNAL_ID',
      `Foreign key external ID: ${value} matched more than one record for field ${field} in entity ${object}`,
    ),
  duplicateExternalId: (field: Field, ids: readonly string[]) =>
    sfError(
      'DUPLICATE_EXTERNAL_ID',
      `${field.label}: more than one record found for external id field: [${ids.join(', ')}]`,
    ),
  unableToLockRow: (id: string | undefined) =>
    sfError(
      'UNABLE_TO_LOCK_ROW',
      id === undefined
        ? 'unable to obtain exclusive access to this record'
        : `unable to obtain exclusive access to this record or 1 records: ${id}`,
    ),
  /** SOAP API's message for writing a field the user cannot create or edit. */
  notWritable: (fields: readonly string[]) =>
    sfError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${fields.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      fields,
    ),
  idOnInsert: () => sfError('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']),
  missingId: (operation: string) =>
    sfError(
      'MISSING_ARGUMENT',
      `Id not specified in ${operation === 'update' ? 'an' : 'a'} ${operation} call`,
    ),
  missingExternalId: (field: string) => sfError('MISSING_ARGUMENT', `${field} not specified`),
  /** UNCONFIRMED: a data row with more cells than the header. */
  tooManyValues: () => sfError('INVALID_FIELD', 'The record has more values than the header has columns'),
};
