// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub strings are the subject here.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MetricName } from '../../functions/shared/metric-names.ts';
import { parseTemplate } from '../../local/build.ts';
import { resourceSpec, type SpecDatabase, specDatabase, validateProperties } from './resource-spec.ts';
import {
  collectReferences,
  environmentOf,
  functionProperties,
  identityStatements,
  isIntrinsic,
  isObject,
  loadTemplate,
  policyTemplates,
  pseudoParameters,
  resourcePolicyStatements,
  resourcesOfType,
  root,
  type Statement,
} from './template-model.ts';

const template = loadTemplate();
const functions = resourcesOfType(template, 'AWS::Serverless::Function');
const functionIds = functions.map(([id]) => id);
const buckets = resourcesOfType(template, 'AWS::S3::Bucket');
const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
const stateMachine = template.Resources.PipelineStateMachine;

/** The functions that talk to Salesforce (the ASL retries Salesforce errors on their states). */
const SALESFORCE_STEPS = [
  'ValidateFunction',
  'TransformFunction',
  'UploadFunction',
  'PollFunction',
  'CollectResultsFunction',
];

/** What SAM turns a Serverless type into, for checking `!GetAtt` attributes. */
const ATTRIBUTES_OF: Record<string, string> = {
  'AWS::Serverless::Function': 'AWS::Lambda::Function',
  'AWS::Serverless::StateMachine': 'AWS::StepFunctions::StateMachine',
};

/** Actions IAM cannot scope to a resource (AWS documents `"Resource": "*"` for them). */
const UNSCOPABLE_ACTIONS = new Set([
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'cloudwatch:PutMetricData',
]);

describe('CloudFormation YAML parsing', () => {
  it.each([
    ['!Ref Bucket', { Ref: 'Bucket' }],
    ['!GetAtt Fn.Arn', { 'Fn::GetAtt': ['Fn', 'Arn'] }],
    [
      '!GetAtt Bucket.MetadataConfiguration.Destination',
      { 'Fn::GetAtt': ['Bucket', 'MetadataConfiguration.Destination'] },
    ],
    ['!GetAtt [Fn, Arn]', { 'Fn::GetAtt': ['Fn', 'Arn'] }],
    ['!Sub ${Bucket.Arn}/incoming/*', { 'Fn::Sub': '${Bucket.Arn}/incoming/*' }],
    ["!Sub ['x-${A}', {A: !Ref B}]", { 'Fn::Sub': ['x-${A}', { A: { Ref: 'B' } }] }],
    [
      '!If [HasEmail, !Ref Email, !Ref AWS::NoValue]',
      { 'Fn::If': ['HasEmail', { Ref: 'Email' }, { Ref: 'AWS::NoValue' }] },
    ],
    ["!Not [!Equals [!Ref Email, '']]", { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Email' }, ''] }] }],
    ['!Join [",", [a, b]]', { 'Fn::Join': [',', ['a', 'b']] }],
    ['!Select [0, !GetAZs ""]', { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }],
    ['!Split [",", !ImportValue Exported]', { 'Fn::Split': [',', { 'Fn::ImportValue': 'Exported' }] }],
    ['!FindInMap [Map, Key, Value]', { 'Fn::FindInMap': ['Map', 'Key', 'Value'] }],
    ['!Base64 text', { 'Fn::Base64': 'text' }],
    ['!And [!Condition A, !Condition B]', { 'Fn::And': [{ Condition: 'A' }, { Condition: 'B' }] }],
  ])('reads %s as its long form', (yaml, expected) => {
    const parsed = parseTemplate(`Resources: {}\nValue: ${yaml}\n`);
    expect(parsed.Value).toEqual(expected);
  });

  it('refuses a template without Resources', () => {
    expect(() => parseTemplate('Outputs: {}\n')).toThrow(/Resources/);
  });
});

describe('template.yaml against the resource specification', () => {
  let db: SpecDatabase;
  beforeAll(async () => {
    db = await specDatabase();
  });

  it('is a SAM template', () => {
    expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
  });

  it('declares only resource types the CloudFormation and SAM specifications know', () => {
    const unknown = Object.entries(template.Resources)
      .filter(([, resource]) => !resourceSpec(db, resource.Type))
      .map(([id, resource]) => `${id}: ${resource.Type}`);
    expect(unknown).toEqual([]);
  });

  it('gives every resource its required properties and no unknown ones, with values of the right types', () => {
    const problems = Object.entries(template.Resources).flatMap(([id, resource]) =>
      validateProperties(
        db,
        resource.Type,
        resource.Type === 'AWS::Serverless::Function'
          ? functionProperties(template, id)
          : (resource.Properties ?? {}),
        id,
      ),
    );
    expect(problems).toEqual([]);
  });

  it('puts only function properties in Globals.Function', () => {
    const problems = validateProperties(
      db,
      'AWS::Serverless::Function',
      (template.Globals?.Function ?? {}) as Record<string, unknown>,
      'Globals.Function',
    );
    expect(problems).toEqual([]);
  });

  it('gives every function a runtime, handler and code, and the state machine a definition', () => {
    for (const [id] of functions) {
      const properties = functionProperties(template, id);
      expect(properties.Runtime, id).toBe('nodejs24.x');
      expect(properties.Architectures, id).toEqual(['arm64']);
      expect(properties.Handler, id).toBe('handler.handler');
      expect(typeof properties.CodeUri, id).toBe('string');
    }
    expect(stateMachine?.Properties?.DefinitionUri).toBe('statemachine/pipeline.asl.json');
  });

  it('references only resources, parameters, pseudo parameters and conditions that exist', () => {
    const parameters = new Set(Object.keys(template.Parameters ?? {}));
    const resources = template.Resources;
    const conditions = new Set(Object.keys(template.Conditions ?? {}));
    const sections = {
      Globals: template.Globals,
      Resources: resources,
      Outputs: template.Outputs,
      Conditions: template.Conditions,
    };
    const dangling = collectReferences(sections).flatMap((reference) => {
      const { kind, target, attribute, path } = reference;
      if (kind === 'Condition') return conditions.has(target) ? [] : [`${path}: no condition ${target}`];
      if (kind !== 'GetAtt' && attribute === undefined) {
        return parameters.has(target) || pseudoParameters.has(target) || target in resources
          ? []
          : [`${path}: no ${target}`];
      }
      const resource = resources[target];
      if (!resource) return [`${path}: no resource ${target}`];
      const spec = resourceSpec(db, ATTRIBUTES_OF[resource.Type] ?? resource.Type);
      return spec && attribute !== undefined && attribute in spec.attributes
        ? []
        : [`${path}: ${target} (${resource.Type}) has no attribute ${attribute}`];
    });
    expect(dangling).toEqual([]);
  });

  it('names logical ids in PascalCase with a type suffix and hard-codes no physical names', () => {
    for (const [id, resource] of Object.entries(template.Resources)) {
      expect(id, id).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      for (const nameProperty of [
        'BucketName',
        'FunctionName',
        'QueueName',
        'TopicName',
        'LogGroupName',
        'Name',
      ]) {
        const value = resource.Properties?.[nameProperty];
        if (value !== undefined)
          expect(isIntrinsic(value), `${id}.${nameProperty} must derive from the stack`).toBe(true);
      }
    }
  });
});

describe('functions in template.yaml', () => {
  it('has one function per step, each built by esbuild from functions/<step>/handler.ts', () => {
    expect(functionIds.sort()).toEqual(
      [
        'CollectResultsFunction',
        'PollFunction',
        'ReportFunction',
        'SplitFunction',
        'TransformFunction',
        'TriggerFunction',
        'UploadFunction',
        'ValidateFunction',
      ].sort(),
    );
    for (const [id, resource] of functions) {
      const step = id
        .replace(/Function$/, '')
        .replace(/([a-z])([A-Z])/g, '$1-$2')
        .toLowerCase();
      expect(resource.Metadata?.BuildMethod, id).toBe('esbuild');
      expect(resource.Metadata?.BuildProperties, id).toMatchObject({
        Format: 'esm',
        OutExtension: ['.js=.mjs'],
        Target: 'node24',
        Sourcemap: true,
        KeepNames: true,
        EntryPoints: [`functions/${step}/handler.ts`],
      });
    }
  });

  it('keeps esbuild in dependencies, since sam build installs with --omit=dev', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toHaveProperty('esbuild');
  });

  it('sets the Powertools variables and source maps for every function', () => {
    for (const id of functionIds) {
      expect(environmentOf(template, id), id).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'polyload',
        POWERTOOLS_METRICS_NAMESPACE: 'Polyload',
        POWERTOOLS_LOG_LEVEL: expect.any(String),
        NODE_OPTIONS: '--enable-source-maps',
        WORK_BUCKET: { Ref: 'WorkBucket' },
      });
    }
  });

  it('gives the trigger the state machine and concurrency, and the Salesforce steps the API version and SSM path', () => {
    expect(environmentOf(template, 'TriggerFunction')).toMatchObject({
      STATE_MACHINE_ARN: { Ref: 'PipelineStateMachine' },
      MAX_CONCURRENCY: { Ref: 'MaxConcurrency' },
    });
    for (const id of functionIds) {
      const env = environmentOf(template, id);
      if (SALESFORCE_STEPS.includes(id)) {
        expect(env, id).toMatchObject({
          SALESFORCE_API_VERSION: { Ref: 'SalesforceApiVersion' },
          SALESFORCE_PARAMETER_PATH: { 'Fn::Sub': '/polyload/${Stage}/salesforce' },
        });
      } else {
        expect(env, id).not.toHaveProperty('SALESFORCE_PARAMETER_PATH');
      }
    }
  });

  it('declares every endpoint variable empty, so only sam local overrides it', () => {
    for (const id of functionIds) {
      for (const [name, value] of Object.entries(environmentOf(template, id))) {
        if (name.startsWith('AWS_ENDPOINT_URL')) expect(value, `${id}.${name}`).toBe('');
      }
    }
  });

  it('sends each function to its own log group with a bounded retention', () => {
    const used = new Set<string>();
    for (const [id, resource] of functions) {
      const logGroup = (resource.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } })?.LogGroup?.Ref;
      expect(logGroup, id).toBeDefined();
      expect(used.has(logGroup as string), `${id} shares ${logGroup}`).toBe(false);
      used.add(logGroup as string);
      const group = template.Resources[logGroup as string];
      expect(group?.Type).toBe('AWS::Logs::LogGroup');
      expect(group?.Properties?.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
    }
  });
});

describe('storage and events in template.yaml', () => {
  it('encrypts every bucket with the stack key and blocks all public access', () => {
    expect(buckets.map(([id]) => id).sort()).toEqual(['LandingBucket', 'WorkBucket']);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties?.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': ['PipelineKey', 'Arn'] },
            },
            BucketKeyEnabled: true,
          },
        ],
      });
      expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('refuses plain-HTTP access to every bucket and its objects', () => {
    for (const [id] of buckets) {
      const policies = resourcesOfType(template, 'AWS::S3::BucketPolicy').filter(
        ([, policy]) => (policy.Properties?.Bucket as { Ref?: string })?.Ref === id,
      );
      expect(policies, id).toHaveLength(1);
      const statements = resourcePolicyStatements(template).filter((s) => s.owner === policies[0]?.[0]);
      expect(statements, id).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Principal: '*',
          Action: ['s3:*'],
          Resource: [{ 'Fn::GetAtt': [id, 'Arn'] }, { 'Fn::Sub': `\${${id}.Arn}/*` }],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('rotates the key and lets the account administer it through IAM', () => {
    const key = template.Resources.PipelineKey;
    expect(key?.Properties?.EnableKeyRotation).toBe(true);
    const admin = resourcePolicyStatements(template).find(
      (s) => s.owner === 'PipelineKey' && s.Action.includes('kms:*'),
    );
    expect(admin?.Principal).toEqual({
      AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:root' },
    });
  });

  it('versions the landing bucket and expires only staging/ in the work bucket', () => {
    const landing = template.Resources.LandingBucket?.Properties;
    expect(landing?.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const lifecycle = (properties: Record<string, unknown> | undefined) =>
      (properties?.LifecycleConfiguration as { Rules: Record<string, unknown>[] } | undefined)?.Rules ?? [];
    const landingRules = lifecycle(landing);
    expect(landingRules).not.toEqual([]);
    // Nothing current is ever deleted from the landing bucket: only overwritten versions expire.
    for (const rule of landingRules) expect(rule).not.toHaveProperty('ExpirationInDays');
    const workRules = lifecycle(template.Resources.WorkBucket?.Properties);
    const expiring = workRules.filter((rule) => 'ExpirationInDays' in rule);
    expect(expiring).toEqual([
      expect.objectContaining({ Prefix: 'staging/', ExpirationInDays: { Ref: 'StagingExpirationDays' } }),
    ]);
  });

  it('starts the trigger from Object Created events under incoming/ of the landing bucket, with retries and a dead-letter queue', () => {
    expect(template.Resources.LandingBucket?.Properties?.NotificationConfiguration).toEqual({
      EventBridgeConfiguration: { EventBridgeEnabled: true },
    });
    const rule = template.Resources.ObjectCreatedRule?.Properties;
    expect(rule?.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: { bucket: { name: [{ Ref: 'LandingBucket' }] }, object: { key: [{ prefix: 'incoming/' }] } },
    });
    expect(rule?.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': ['TriggerFunction', 'Arn'] },
        RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: expect.any(Number) }),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['TriggerDeadLetterQueue', 'Arn'] } },
      }),
    ]);
    expect(template.Resources.TriggerFunctionInvokePermission?.Properties).toMatchObject({
      FunctionName: { Ref: 'TriggerFunction' },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': ['ObjectCreatedRule', 'Arn'] },
    });
    expect(template.Resources.TriggerDeadLetterQueue?.Properties?.KmsMasterKeyId).toEqual({
      Ref: 'PipelineKey',
    });
  });

  it('keeps execution data out of the state machine logs and traces executions', () => {
    const properties = stateMachine?.Properties;
    expect(properties?.Type).toBe('STANDARD');
    expect(properties?.Logging).toMatchObject({
      IncludeExecutionData: false,
      Level: expect.stringMatching(/^(ERROR|ALL|FATAL)$/),
    });
    expect(properties?.Tracing).toEqual({ Enabled: true });
  });
});

/** `${Bucket.Arn}/prefix/*` → { bucket, prefix }; a bare bucket ARN → prefix undefined. */
function s3Target(resource: unknown): { bucket: string; prefix?: string } | undefined {
  if (isObject(resource) && Array.isArray(resource['Fn::GetAtt'])) {
    return { bucket: String(resource['Fn::GetAtt'][0]) };
  }
  if (isObject(resource) && typeof resource['Fn::Sub'] === 'string') {
    const match = /^\$\{([A-Za-z0-9]+)\.Arn\}\/(.*)$/.exec(resource['Fn::Sub']);
    if (match?.[1] && match[2] !== undefined) return { bucket: match[1], prefix: match[2] };
  }
  return undefined;
}

const s3Statements = (statements: Statement[]) =>
  statements.filter((s) => s.Action.some((a) => a.startsWith('s3:')));

function s3Access(id: string): string[] {
  const access = new Set<string>();
  for (const statement of s3Statements(identityStatements(template, id))) {
    for (const resource of statement.Resource) {
      const target = s3Target(resource);
      if (!target?.prefix) continue;
      for (const action of statement.Action) {
        const kind = /Tagging$/.test(action)
          ? 'tag'
          : /^s3:GetObject(Version)?$/.test(action)
            ? 'read'
            : action === 's3:PutObject'
              ? 'write'
              : undefined;
        if (kind) access.add(`${target.bucket}:${target.prefix.replace(/\*$/, '')}:${kind}`);
      }
    }
  }
  return [...access].sort();
}

describe('IAM in template.yaml', () => {
  const allIdentityStatements = [...functionIds, 'PipelineStateMachine'].flatMap((id) =>
    identityStatements(template, id),
  );

  it('grants Resource "*" only for actions IAM cannot scope', () => {
    const wide = allIdentityStatements.filter((s) => s.Resource.includes('*'));
    for (const statement of wide) {
      expect(
        statement.Action.filter((action) => !UNSCOPABLE_ACTIONS.has(action)),
        `${statement.owner} ${statement.Sid}`,
      ).toEqual([]);
    }
    // Resource policies: only a key policy may say "*" (it means the key itself).
    for (const statement of resourcePolicyStatements(template)) {
      if (statement.Resource.includes('*')) expect(statement.owner, statement.Sid).toBe('PipelineKey');
    }
  });

  it('grants no wildcard actions to functions or the state machine', () => {
    for (const statement of allIdentityStatements) {
      for (const action of statement.Action)
        expect(action, `${statement.owner} ${statement.Sid}`).not.toMatch(/\*$/);
    }
  });

  it('scopes S3 object permissions to a prefix, and bucket permissions to listing', () => {
    const bucketIds = new Set(buckets.map(([id]) => id));
    for (const statement of s3Statements(allIdentityStatements)) {
      for (const resource of statement.Resource) {
        const target = s3Target(resource);
        const label = `${statement.owner} ${statement.Sid}`;
        expect(target, label).toBeDefined();
        expect(bucketIds.has(target?.bucket as string), label).toBe(true);
        if (target?.prefix === undefined) expect(statement.Action, label).toEqual(['s3:ListBucket']);
        else expect(target.prefix, label).toMatch(/^[a-z-]+\/\*$/);
      }
    }
  });

  it('gives each step exactly the S3 access of docs/architecture.md', () => {
    const expected: Record<string, string[]> = {
      TriggerFunction: [],
      ValidateFunction: [
        'LandingBucket:incoming/:read',
        'WorkBucket:cache/:read',
        'WorkBucket:cache/:write',
        'WorkBucket:mappings/:read',
        'WorkBucket:runs/:write',
      ],
      TransformFunction: [
        'LandingBucket:incoming/:read',
        'WorkBucket:cache/:read',
        'WorkBucket:cache/:write',
        'WorkBucket:runs/:read',
        'WorkBucket:staging/:write',
      ],
      SplitFunction: ['WorkBucket:staging/:read', 'WorkBucket:staging/:write'],
      UploadFunction: ['WorkBucket:staging/:read', 'WorkBucket:staging/:write'],
      PollFunction: [],
      CollectResultsFunction: ['WorkBucket:staging/:read', 'WorkBucket:staging/:write'],
      ReportFunction: [
        'LandingBucket:incoming/:read',
        'LandingBucket:incoming/:tag',
        'WorkBucket:runs/:read',
        'WorkBucket:runs/:write',
        'WorkBucket:staging/:read',
      ],
    };
    expect(Object.fromEntries(functionIds.map((id) => [id, s3Access(id)]))).toEqual(expected);
  });

  it('never lets a function delete from the landing bucket', () => {
    for (const statement of s3Statements(allIdentityStatements)) {
      for (const action of statement.Action) expect(action).not.toMatch(/^s3:Delete/);
    }
  });

  it('lets only the Salesforce steps read the Salesforce settings, under the stage path', () => {
    for (const id of functionIds) {
      const ssm = identityStatements(template, id).filter((s) => s.Action.some((a) => a.startsWith('ssm:')));
      if (!SALESFORCE_STEPS.includes(id)) {
        expect(ssm, id).toEqual([]);
        continue;
      }
      expect(ssm.flatMap((s) => s.Action).sort(), id).toEqual([
        'ssm:GetParameter',
        'ssm:GetParameters',
        'ssm:GetParametersByPath',
      ]);
      expect(
        ssm.flatMap((s) => s.Resource),
        id,
      ).toEqual([
        {
          'Fn::Sub':
            'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/polyload/${Stage}/salesforce',
        },
        {
          'Fn::Sub':
            'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/polyload/${Stage}/salesforce/*',
        },
      ]);
    }
  });

  it('gives every function the data key (encrypted S3 objects, DLQ messages or SecureStrings)', () => {
    for (const id of functionIds) {
      const kms = identityStatements(template, id).filter((s) => s.Action.some((a) => a.startsWith('kms:')));
      expect(kms.flatMap((s) => s.Action).sort(), id).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
      expect(
        kms.flatMap((s) => s.Resource),
        id,
      ).toEqual([{ 'Fn::GetAtt': ['PipelineKey', 'Arn'] }]);
    }
  });

  it('lets the trigger start executions of the pipeline and nothing else in Step Functions', () => {
    const states = identityStatements(template, 'TriggerFunction').filter((s) =>
      s.Action.some((a) => a.startsWith('states:')),
    );
    expect(states).toEqual([
      expect.objectContaining({
        Action: ['states:StartExecution'],
        Resource: [{ Ref: 'PipelineStateMachine' }],
      }),
    ]);
  });

  it('lets the state machine invoke every step it substitutes, and run its distributed Map children', () => {
    const substitutions = stateMachine?.Properties?.DefinitionSubstitutions as Record<string, unknown>;
    const invoked = policyTemplates(template, 'PipelineStateMachine').map(
      (policy) => (policy.LambdaInvokePolicy as { FunctionName: { Ref: string } }).FunctionName.Ref,
    );
    const substituted = Object.values(substitutions).map(
      (value) => (value as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    expect(invoked.sort()).toEqual(substituted.sort());

    const name = stateMachine?.Properties?.Name as { 'Fn::Sub': string };
    const statements = identityStatements(template, 'PipelineStateMachine');
    const machineArn = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${name['Fn::Sub']}`;
    const executionArns = `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:execution:${name['Fn::Sub']}/*`;
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: ['states:StartExecution'], Resource: [{ 'Fn::Sub': machineArn }] }),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: ['states:DescribeExecution', 'states:StopExecution'],
        Resource: [{ 'Fn::Sub': executionArns }],
      }),
    );
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('alarms in template.yaml', () => {
  const functionSources = sourceFiles(join(root, 'functions'))
    .filter((path) => !path.endsWith('metric-names.ts'))
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
  const declared = new Set<string>(Object.values(MetricName));
  const custom = alarms.filter(([, alarm]) => alarm.Properties?.Namespace === 'Polyload');

  it('alarms on throttling, API usage, failed records, failed and timed-out runs, and trigger dead letters', () => {
    expect(alarms.map(([id]) => id).sort()).toEqual(
      [
        'ApiThrottledAlarm',
        'ApiUsageAlarm',
        'ExecutionsFailedAlarm',
        'ExecutionsTimedOutAlarm',
        'RecordsFailedAlarm',
        'TriggerDlqDepthAlarm',
      ].sort(),
    );
    for (const [id, alarm] of alarms)
      expect(alarm.Properties?.AlarmActions, id).toEqual([{ Ref: 'AlarmTopic' }]);
    expect(template.Resources.AlarmTopic?.Properties?.KmsMasterKeyId).toEqual({ Ref: 'PipelineKey' });
  });

  it('watches metric names declared in functions/shared/metric-names.ts, under the Powertools namespace and service', () => {
    expect(custom.map(([, alarm]) => alarm.Properties?.MetricName).sort()).toEqual(
      ['ApiThrottled', 'ApiUsagePercent', 'RecordsFailed'].sort(),
    );
    for (const [id, alarm] of custom) {
      expect(declared.has(alarm.Properties?.MetricName as string), id).toBe(true);
      // Powertools Metrics adds exactly one default dimension: service = POWERTOOLS_SERVICE_NAME.
      expect(alarm.Properties?.Dimensions, id).toEqual([{ Name: 'service', Value: 'polyload' }]);
    }
  });

  it('watches only metrics the functions really emit', () => {
    for (const [id, alarm] of custom) {
      const name = alarm.Properties?.MetricName as string;
      const emitters = functionSources.filter(({ text }) => text.includes(`MetricName.${name}`));
      expect(
        emitters.map(({ path }) => path),
        `${id}: no code under functions/ emits MetricName.${name}`,
      ).not.toEqual([]);
    }
  });

  it('keeps the alarmed metrics to the service dimension alone (ids go in metadata)', () => {
    const offenders = functionSources.filter(({ text }) =>
      /addDimensions?\(|defaultDimensions|setDefaultDimensions/.test(text),
    );
    expect(offenders.map(({ path }) => path)).toEqual([]);
  });

  it('watches the pipeline state machine and the trigger dead-letter queue', () => {
    for (const id of ['ExecutionsFailedAlarm', 'ExecutionsTimedOutAlarm']) {
      expect(template.Resources[id]?.Properties).toMatchObject({
        Namespace: 'AWS/States',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: 'PipelineStateMachine' } }],
      });
    }
    expect(template.Resources.TriggerDlqDepthAlarm?.Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['TriggerDeadLetterQueue', 'QueueName'] } }],
    });
  });
});

describe('outputs of template.yaml', () => {
  it('tells the user where to put files and settings and where alarms go', () => {
    expect(Object.keys(template.Outputs ?? {})).toEqual(
      expect.arrayContaining([
        'LandingBucketName',
        'WorkBucketName',
        'PipelineStateMachineArn',
        'AlarmTopicArn',
        'SalesforceParameterPath',
        'ExampleUploadCommand',
      ]),
    );
    expect(template.Outputs?.ExampleUploadCommand?.Value).toEqual({
      'Fn::Sub': expect.stringMatching(
        /^aws s3 cp .+ s3:\/\/\$\{LandingBucket\}\/incoming\/[a-z-]+\/[a-z-]+\.csv$/,
      ),
    });
  });

  it('carries no secret: Salesforce credentials live only in SSM', () => {
    const text = readFileSync(join(root, 'template.yaml'), 'utf8');
    expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY|client[-_]?secret\s*:/i);
    for (const name of Object.keys(template.Parameters ?? {}))
      expect(name).not.toMatch(/secret|password|token|privatekey/i);
  });
});
