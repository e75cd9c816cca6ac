/**
 * Checks template resources against the CloudFormation (and SAM) resource specification shipped by
 * @aws-cdk/aws-service-spec: the type exists, required properties are present, no unknown property,
 * and literal values roughly fit the declared types. Values computed by intrinsics are not judged.
 */
import { loadAwsServiceSpec } from '@aws-cdk/aws-service-spec';
import type { PropertyType, Resource, ResourceProperties, SpecDatabase } from '@aws-cdk/service-spec-types';
import { isIntrinsic, isObject } from './template-model.ts';

export type { SpecDatabase };

let cached: Promise<SpecDatabase> | undefined;
export function specDatabase(): Promise<SpecDatabase> {
  cached ??= loadAwsServiceSpec();
  return cached;
}

export function resourceSpec(db: SpecDatabase, type: string): Resource | undefined {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

/**
 * Properties SAM supports that the bundled SAM specification predates (it was generated from SAM's
 * old resource spec). Each is checked by hand in the template tests instead.
 */
export const SAM_PROPERTIES_NEWER_THAN_SPEC: Record<string, Set<string>> = {
  // Lambda advanced logging controls (SAM v1.80, 2023): the log group each function writes to.
  'AWS::Serverless::Function': new Set(['LoggingConfig']),
};

/** Problems with one resource's properties, as readable strings (empty when it conforms). */
export function validateProperties(
  db: SpecDatabase,
  type: string,
  properties: Record<string, unknown>,
  where: string,
): string[] {
  const spec = resourceSpec(db, type);
  if (!spec) return [`${where}: unknown resource type ${type}`];
  return validateObject(db, spec.properties, properties, where, SAM_PROPERTIES_NEWER_THAN_SPEC[type]);
}

function validateObject(
  db: SpecDatabase,
  schema: ResourceProperties,
  value: Record<string, unknown>,
  where: string,
  tolerated: Set<string> = new Set(),
): string[] {
  const problems: string[] = [];
  for (const [name, property] of Object.entries(schema)) {
    if (property.required && !(name in value)) problems.push(`${where}: missing required property ${name}`);
  }
  for (const [name, inner] of Object.entries(value)) {
    const property = schema[name];
    if (!property) {
      if (!tolerated.has(name)) problems.push(`${where}: unknown property ${name}`);
      continue;
    }
    problems.push(...validateValue(db, property.type, inner, `${where}.${name}`));
  }
  return problems;
}

function validateValue(db: SpecDatabase, type: PropertyType, value: unknown, where: string): string[] {
  if (isIntrinsic(value)) return [];
  switch (type.type) {
    case 'json':
      return [];
    case 'string':
    case 'date-time': {
      if (!['string', 'number', 'boolean'].includes(typeof value)) return [`${where}: expected a string`];
      const allowed = type.type === 'string' ? type.allowedValues : undefined;
      if (allowed && allowed.length > 0 && !allowed.includes(String(value))) {
        return [`${where}: "${value}" is not one of ${allowed.join(', ')}`];
      }
      return [];
    }
    case 'number':
    case 'integer':
      return typeof value === 'number' ||
        (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
        ? []
        : [`${where}: expected a number`];
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false'
        ? []
        : [`${where}: expected a boolean`];
    case 'null':
      return value === null ? [] : [`${where}: expected null`];
    case 'tag':
      return isObject(value) && 'Key' in value && 'Value' in value
        ? []
        : [`${where}: expected a {Key, Value} tag`];
    case 'array':
      if (!Array.isArray(value)) return [`${where}: expected a list`];
      return value.flatMap((item, index) => validateValue(db, type.element, item, `${where}[${index}]`));
    case 'map':
      if (!isObject(value)) return [`${where}: expected a map`];
      return Object.entries(value).flatMap(([key, item]) =>
        validateValue(db, type.element, item, `${where}.${key}`),
      );
    case 'ref': {
      if (!isObject(value)) return [`${where}: expected an object`];
      const definition = db.get('typeDefinition', type.reference.$ref);
      return validateObject(db, definition.properties, value, where);
    }
    case 'union': {
      // The member that fits best: no problems wins; otherwise report the closest member's problems.
      // A structured value is judged against the structured members only (no "expected a string").
      const primitive = (member: PropertyType) =>
        !['ref', 'array', 'map', 'union', 'json'].includes(member.type);
      const structured = typeof value === 'object' && value !== null;
      const candidates =
        structured && type.types.some((m) => !primitive(m))
          ? type.types.filter((m) => !primitive(m))
          : type.types;
      let best: string[] | undefined;
      for (const member of candidates) {
        const problems = validateValue(db, member, value, where);
        if (problems.length === 0) return [];
        if (!best || problems.length < best.length) best = problems;
      }
      return best ?? [];
    }
    default:
      return [];
  }
}
