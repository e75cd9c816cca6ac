/**
 * Where a run's mapping and data live in the work bucket (docs/architecture.md), and the reads that
 * Validate and Transform share: the mapping snapshot and the source file.
 */
import type { SourceObject } from '../contracts.ts';
import { type OpenedCsv, openCsv } from '../csv.ts';
import { MappingError } from '../errors.ts';
import { getText, isNotFound, readObjectStream } from '../s3.ts';
import { parseMapping } from './parse-mapping.ts';
import { type DescribeFn, type MappingPlan, type PlanOptions, planMapping } from './plan-mapping.ts';

export const workKeys = {
  pipelineMapping: (pipeline: string) => `mappings/${pipeline}.yaml`,
  mappingSnapshot: (runId: string) => `runs/${runId}/mapping.yaml`,
  rejected: (runId: string) => `runs/${runId}/rejected.csv`,
  group: (runId: string, groupId: string) => `staging/${runId}/groups/${groupId}.csv`,
  part: (runId: string, partId: string) => `staging/${runId}/parts/${partId}.csv`,
  manifest: (runId: string) => `staging/${runId}/manifest.json`,
};

/** The header of rejected.csv. */
export const REJECTED_COLUMNS = ['line', 'column', 'value', 'rule', 'message'] as const;

/** The name messages use for the source file. */
export function sourceLabel(source: SourceObject): string {
  return `s3://${source.bucket}/${source.key}`;
}

/** The mapping's text, or a MappingError saying where it was expected. */
export async function readMappingText(bucket: string, key: string): Promise<string> {
  try {
    return await getText(bucket, key);
  } catch (error) {
    if (isNotFound(error)) throw new MappingError(`No mapping at s3://${bucket}/${key}`, { cause: error });
    throw error;
  }
}

/** Parses and preflights the mapping stored at `key`. */
export async function loadPlan(
  bucket: string,
  key: string,
  describe: DescribeFn,
  options: PlanOptions = {},
): Promise<MappingPlan> {
  const text = await readMappingText(bucket, key);
  return planMapping(parseMapping(text, key.split('/').pop() ?? key), describe, options);
}

/** Opens the run's source object (the exact version when S3 gave one) as CSV rows. */
export async function openSourceCsv(source: SourceObject, plan: MappingPlan): Promise<OpenedCsv> {
  const stream = await readObjectStream(source.bucket, source.key, source.versionId);
  return openCsv(stream, {
    fileLabel: sourceLabel(source),
    ...(plan.source.delimiter !== undefined ? { delimiter: plan.source.delimiter } : {}),
  });
}
