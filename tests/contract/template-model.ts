/**
 * What the contract tests read: template.yaml (parsed with the CloudFormation tags), the ASL files,
 * and helpers to walk intrinsic functions and IAM statements.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CfnResource, type CfnTemplate, readTemplate } from '../../local/build.ts';

export const root = resolve(import.meta.dirname, '../..');

export function loadTemplate(): CfnTemplate {
  return readTemplate(root);
}

export function readJson<T = unknown>(relativePath: string): T {
  return JSON.parse(readFileSync(join(root, relativePath), 'utf8')) as T;
}

export function aslFiles(): string[] {
  return readdirSync(join(root, 'statemachine'))
    .filter((name) => name.endsWith('.asl.json'))
    .map((name) => `statemachine/${name}`);
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ Ref }`, `{ 'Fn::…' }` or `{ Condition }`: a value CloudFormation computes at deploy time. */
export function isIntrinsic(value: unknown): boolean {
  if (!isObject(value)) return false;
  const [key, ...others] = Object.keys(value);
  return (
    key !== undefined &&
    others.length === 0 &&
    (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))
  );
}

export const pseudoParameters = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

export interface Reference {
  kind: 'Ref' | 'GetAtt' | 'Sub' | 'Condition';
  target: string;
  attribute?: string;
  /** Where in the template, for messages. */
  path: string;
}

/** `${Name}` / `${Name.Attr}` placeholders of a Fn::Sub string (`${!Literal}` excluded). */
export function subPlaceholders(text: string): { name: string; attribute?: string }[] {
  return [...text.matchAll(/\$\{(?!!)([^}]+)\}/g)].map((match) => {
    const body = (match[1] ?? '').trim();
    const dot = body.indexOf('.');
    return dot < 0 || body.startsWith('AWS::')
      ? { name: body }
      : { name: body.slice(0, dot), attribute: body.slice(dot + 1) };
  });
}

/** Every Ref, GetAtt, Sub placeholder and Condition reference under `value`. */
export function collectReferences(value: unknown, path = ''): Reference[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => collectReferences(item, `${path}[${index}]`));
  if (!isObject(value)) return [];
  const found: Reference[] = [];
  for (const [key, inner] of Object.entries(value)) {
    const here = `${path}.${key}`;
    if (key === 'Ref' && typeof inner === 'string') found.push({ kind: 'Ref', target: inner, path: here });
    else if (key === 'Fn::GetAtt' && Array.isArray(inner)) {
      found.push({ kind: 'GetAtt', target: String(inner[0]), attribute: String(inner[1]), path: here });
    } else if (key === 'Fn::Sub') {
      const [text, variables] = Array.isArray(inner) ? [inner[0], inner[1]] : [inner, undefined];
      const local = new Set(isObject(variables) ? Object.keys(variables) : []);
      for (const placeholder of subPlaceholders(String(text))) {
        if (local.has(placeholder.name)) continue;
        found.push({ kind: 'Sub', target: placeholder.name, attribute: placeholder.attribute, path: here });
      }
      if (variables !== undefined) found.push(...collectReferences(variables, here));
      continue;
    } else if (key === 'Fn::If' && Array.isArray(inner)) {
      found.push({ kind: 'Condition', target: String(inner[0]), path: here });
    } else if (key === 'Condition' && typeof inner === 'string') {
      // `!Condition Name` inside a condition expression.
      found.push({ kind: 'Condition', target: inner, path: here });
    }
    found.push(...collectReferences(inner, here));
  }
  return found;
}

export interface Statement {
  owner: string;
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource: unknown[];
  Condition?: Record<string, unknown>;
  Principal?: unknown;
}

const asArray = (value: unknown): unknown[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

function statementsOf(owner: string, document: unknown): Statement[] {
  if (!isObject(document)) return [];
  return asArray(document.Statement).map((raw) => {
    const statement = raw as Record<string, unknown>;
    return {
      owner,
      Sid: statement.Sid as string | undefined,
      Effect: statement.Effect as 'Allow' | 'Deny',
      Action: asArray(statement.Action).map(String),
      Resource: asArray(statement.Resource),
      Condition: statement.Condition as Record<string, unknown> | undefined,
      Principal: statement.Principal,
    };
  });
}

/** IAM statements a function or state machine's role gets from its `Policies` (inline documents only). */
export function identityStatements(template: CfnTemplate, logicalId: string): Statement[] {
  const policies = asArray(template.Resources[logicalId]?.Properties?.Policies);
  return policies.flatMap((policy) =>
    isObject(policy) && 'Statement' in policy ? statementsOf(logicalId, policy) : [],
  );
}

/** SAM policy templates (`LambdaInvokePolicy`, ...) of a function or state machine. */
export function policyTemplates(template: CfnTemplate, logicalId: string): Record<string, unknown>[] {
  const policies = asArray(template.Resources[logicalId]?.Properties?.Policies);
  return policies.filter(
    (policy): policy is Record<string, unknown> => isObject(policy) && !('Statement' in policy),
  );
}

/** Statements of resource policies (bucket, queue, key, topic policies). */
export function resourcePolicyStatements(template: CfnTemplate): Statement[] {
  return Object.entries(template.Resources).flatMap(([id, resource]) => {
    const properties = resource.Properties ?? {};
    return statementsOf(id, properties.PolicyDocument ?? properties.KeyPolicy);
  });
}

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

/** A Serverless::Function's properties with Globals.Function applied (environment variables merged). */
export function functionProperties(template: CfnTemplate, logicalId: string): Record<string, unknown> {
  const globals = (template.Globals?.Function ?? {}) as Record<string, unknown>;
  const own = template.Resources[logicalId]?.Properties ?? {};
  return { ...globals, ...own, Environment: { Variables: environmentOf(template, logicalId) } };
}

export function environmentOf(template: CfnTemplate, logicalId: string): Record<string, unknown> {
  const variables = (properties: unknown) =>
    ((isObject(properties) && isObject(properties.Environment) && properties.Environment.Variables) ||
      {}) as Record<string, unknown>;
  return {
    ...variables(template.Globals?.Function),
    ...variables(template.Resources[logicalId]?.Properties),
  };
}
