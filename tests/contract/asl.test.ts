// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ASL substitutions are the subject here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as errors from '../../functions/shared/errors.ts';
import { ERROR_NAMES } from '../../functions/shared/errors.ts';
import { aslFiles, isObject, loadTemplate, resourcesOfType, root } from './template-model.ts';

type State = Record<string, unknown> & { Type: string };
interface Scope {
  path: string;
  StartAt: string;
  States: Record<string, State>;
}

/** The top-level machine and every nested one (Map ItemProcessor/Iterator, Parallel branches). */
function scopes(machine: Scope, path = '(root)'): Scope[] {
  const nested = Object.entries(machine.States).flatMap(([name, state]) => {
    const inner = [state.ItemProcessor, state.Iterator, ...((state.Branches as unknown[]) ?? [])].filter(
      isObject,
    );
    return inner.flatMap((scope, index) =>
      scopes(scope as unknown as Scope, `${path} > ${name}${index ? `#${index}` : ''}`),
    );
  });
  return [{ ...machine, path }, ...nested];
}

/** Names a state can go to next: Next, Default, Choices[].Next, Catch[].Next. */
function transitions(state: State): string[] {
  const targets: string[] = [];
  if (typeof state.Next === 'string') targets.push(state.Next);
  if (typeof state.Default === 'string') targets.push(state.Default);
  for (const choice of (state.Choices as { Next?: string }[]) ?? [])
    if (choice.Next) targets.push(choice.Next);
  for (const rule of (state.Catch as { Next?: string }[]) ?? []) if (rule.Next) targets.push(rule.Next);
  return targets;
}

const TERMINAL = new Set(['Succeed', 'Fail']);
const BUILT_IN = /^(States\.|Lambda\.)/;

const template = loadTemplate();
const stateMachines = resourcesOfType(template, 'AWS::Serverless::StateMachine');

describe.each(aslFiles())('%s', (file) => {
  const text = readFileSync(join(root, file), 'utf8');
  const machine = JSON.parse(text) as Scope;
  const all = scopes(machine);
  const states = all.flatMap((scope) =>
    Object.entries(scope.States).map(([name, state]) => ({ scope, name, state })),
  );

  it('is valid JSON whose every ${Substitution} sits inside a string', () => {
    // Outside strings a placeholder would make the file invalid JSON; JSON.parse above already proved it.
    const unquoted = text.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    expect(unquoted).not.toMatch(/\$\{/);
  });

  it('has a DefinitionSubstitution for every ${X} in the definition, and no unused one', () => {
    const resource = stateMachines.find(([, sm]) => sm.Properties?.DefinitionUri === file);
    expect(resource, `no state machine in template.yaml uses ${file}`).toBeDefined();
    const substitutions = Object.keys(
      (resource?.[1].Properties?.DefinitionSubstitutions as object) ?? {},
    ).sort();
    const placeholders = [...new Set([...text.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]))].sort();
    expect(placeholders).toEqual(substitutions);
  });

  it('substitutes each Task resource with the ARN of a function of template.yaml named <Step>FunctionArn', () => {
    const resource = stateMachines.find(([, sm]) => sm.Properties?.DefinitionUri === file);
    const substitutions = (resource?.[1].Properties?.DefinitionSubstitutions ?? {}) as Record<
      string,
      unknown
    >;
    for (const [name, value] of Object.entries(substitutions)) {
      expect(name).toMatch(/^[A-Z][A-Za-z]+FunctionArn$/);
      const logicalId = name.replace(/Arn$/, '');
      expect(value, name).toEqual({ 'Fn::GetAtt': [logicalId, 'Arn'] });
      expect(template.Resources[logicalId]?.Type, name).toBe('AWS::Serverless::Function');
    }
    for (const { name, state } of states.filter(({ state }) => state.Type === 'Task')) {
      expect(state.Resource, name).toMatch(/^\$\{[A-Za-z]+FunctionArn\}$/);
    }
  });

  it('starts every scope at an existing state and sends every transition to a state of the same scope', () => {
    for (const scope of all) {
      expect(scope.States, scope.path).toHaveProperty([scope.StartAt]);
      for (const [name, state] of Object.entries(scope.States)) {
        for (const target of transitions(state)) {
          expect(Object.keys(scope.States), `${scope.path} > ${name} -> ${target}`).toContain(target);
        }
      }
    }
  });

  it('reaches every state from its scope start', () => {
    for (const scope of all) {
      const seen = new Set<string>();
      const queue = [scope.StartAt];
      while (queue.length > 0) {
        const name = queue.shift() as string;
        if (seen.has(name)) continue;
        seen.add(name);
        const state = scope.States[name];
        if (state) queue.push(...transitions(state));
      }
      expect(
        Object.keys(scope.States).filter((name) => !seen.has(name)),
        scope.path,
      ).toEqual([]);
    }
  });

  it('ends every path: each state has Next or End, except Choice, Succeed and Fail', () => {
    for (const { scope, name, state } of states) {
      const where = `${scope.path} > ${name}`;
      if (TERMINAL.has(state.Type)) {
        expect(state.Next, where).toBeUndefined();
      } else if (state.Type === 'Choice') {
        expect(Array.isArray(state.Choices) && state.Choices.length > 0, where).toBe(true);
      } else {
        expect(typeof state.Next === 'string' || state.End === true, where).toBe(true);
        expect(typeof state.Next === 'string' && state.End === true, where).toBe(false);
      }
    }
  });

  it('writes well-formed Retry and Catch rules, with States.ALL alone and last', () => {
    for (const { scope, name, state } of states) {
      const where = `${scope.path} > ${name}`;
      for (const field of ['Retry', 'Catch'] as const) {
        const rules = (state[field] as Record<string, unknown>[] | undefined) ?? [];
        rules.forEach((rule, index) => {
          const errorsMatched = rule.ErrorEquals as string[];
          expect(
            Array.isArray(errorsMatched) && errorsMatched.length > 0,
            `${where} ${field}[${index}]`,
          ).toBe(true);
          if (errorsMatched.includes('States.ALL')) {
            expect(errorsMatched, `${where} ${field}[${index}]`).toEqual(['States.ALL']);
            expect(index, `${where}: States.ALL must be the last ${field}`).toBe(rules.length - 1);
          }
          if (field === 'Catch') {
            expect(typeof rule.Next, `${where} Catch[${index}]`).toBe('string');
          } else {
            const {
              IntervalSeconds = 1,
              MaxAttempts = 3,
              BackoffRate = 2,
              MaxDelaySeconds,
              JitterStrategy,
            } = rule;
            expect(Number.isInteger(IntervalSeconds) && (IntervalSeconds as number) >= 1, where).toBe(true);
            expect(Number.isInteger(MaxAttempts) && (MaxAttempts as number) >= 0, where).toBe(true);
            expect((BackoffRate as number) >= 1, where).toBe(true);
            if (MaxDelaySeconds !== undefined) expect(Number.isInteger(MaxDelaySeconds), where).toBe(true);
            if (JitterStrategy !== undefined) expect(['FULL', 'NONE'], where).toContain(JitterStrategy);
          }
        });
      }
    }
  });

  it('retries the Lambda service exceptions on every Task, and never retries States.ALL or validation errors', () => {
    const notRetryable = [
      'States.ALL',
      'States.TaskFailed',
      'MappingError',
      'InvalidFileError',
      'RejectThresholdError',
    ];
    for (const { scope, name, state } of states.filter(({ state }) => state.Type === 'Task')) {
      const retried = ((state.Retry as { ErrorEquals: string[] }[]) ?? []).flatMap(
        (rule) => rule.ErrorEquals,
      );
      expect(retried, `${scope.path} > ${name}`).toEqual(
        expect.arrayContaining([
          'Lambda.ServiceException',
          'Lambda.AWSLambdaException',
          'Lambda.SdkClientException',
        ]),
      );
      for (const error of notRetryable) expect(retried, `${scope.path} > ${name}`).not.toContain(error);
    }
  });

  it('matches only error names that functions/shared/errors.ts declares and throws', () => {
    const custom = states.flatMap(({ state }) =>
      [
        ...((state.Retry as { ErrorEquals: string[] }[]) ?? []),
        ...((state.Catch as { ErrorEquals: string[] }[]) ?? []),
      ]
        .flatMap((rule) => rule.ErrorEquals)
        .filter((name) => !BUILT_IN.test(name)),
    );
    type ErrorClass = new (message?: string) => Error;
    const classes = (Object.values(errors) as unknown[]).filter(
      (value): value is ErrorClass => typeof value === 'function',
    );
    const thrownNames = new Set(classes.map((ErrorClass) => new ErrorClass('probe').name));
    for (const name of new Set(custom)) {
      expect(ERROR_NAMES, name).toContain(name);
      expect(thrownNames.has(name), `no class in errors.ts has name "${name}"`).toBe(true);
      expect(errors, name).toHaveProperty(name);
    }
  });

  it('retries Salesforce throttling and unavailability on every Salesforce step', () => {
    const salesforceTasks = ['Validate File', 'Transform Rows', 'Upload Part', 'Poll Job', 'Collect Results'];
    for (const { name, state } of states.filter(({ name }) => salesforceTasks.includes(name))) {
      const retried = ((state.Retry as { ErrorEquals: string[] }[]) ?? []).flatMap(
        (rule) => rule.ErrorEquals,
      );
      expect(retried, name).toEqual(
        expect.arrayContaining(['SalesforceThrottledError', 'SalesforceUnavailableError']),
      );
    }
  });

  it('brings back from the run report only fixed-size fields that the states read (jobs stay in S3)', () => {
    const reportTasks = states.filter(({ state }) => state.Resource === '${ReportFunctionArn}');
    expect(reportTasks.map(({ name }) => name).sort()).toEqual(['Report Failure', 'Report Run']);
    // Paths into `$.report` the definition reads: each must survive the ResultSelector.
    const read = [...text.matchAll(/"\$\.report\.([A-Za-z]+)/g)].map((m) => m[1] as string);
    expect(read).toContain('status');
    for (const { name, state } of reportTasks) {
      expect(state.ResultPath, name).toBe('$.report');
      const selector = state.ResultSelector as Record<string, string> | undefined;
      expect(selector, `${name} has a ResultSelector`).toBeDefined();
      const kept = Object.keys(selector ?? {}).map((k) => k.replace(/\.\$$/, ''));
      expect(kept.sort(), name).toEqual(['counts', 'runId', 'status']);
      for (const field of read) expect(kept, `${name} keeps $.report.${field}`).toContain(field);
    }
  });
});
