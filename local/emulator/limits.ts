import type { ApiLimits, EmulatorContext, Faults } from './context.ts';
import { ApiError, type Router, sendJson } from './http/router.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Bulk API and Bulk API 2.0 share 15,000 internal batches per rolling 24 hours. */
export const DAILY_BULK_BATCHES = 15_000;
/** Bulk API 2.0 ingest processes at most 150,000,000 records per rolling 24 hours. */
export const DAILY_BULK_RECORDS = 150_000_000;

/** 403 once the daily allocation is used up (the body Salesforce sends, `message` first). */
export function totalRequestsExceeded(): ApiError {
  return new ApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
}

export interface EmulatorApiLimits extends ApiLimits {
  /** What ingest may still process in this window; a job that runs out mid-way is Failed. */
  bulkAllowance(): { batchesRemaining: number; recordsRemaining: number };
  /** Starts a fresh 24-hour window (tests). */
  reset(): void;
}

/**
 * Limits an org reports that the emulator does not meter, at a Developer Edition org's allocations
 * (sampled from real `/limits` bodies). They make the body look like the real one to dashboards.
 */
const STATIC_LIMITS: Record<string, number> = {
  ConcurrentAsyncGetReportInstances: 200,
  ConcurrentEinsteinDataInsightsStoryCreation: 5,
  ConcurrentEinsteinDiscoveryStoryCreation: 2,
  ConcurrentSyncReportRuns: 20,
  DailyAnalyticsDataflowJobExecutions: 60,
  DailyAnalyticsUploadedFilesSizeMB: 51_200,
  DailyAsyncApexExecutions: 250_000,
  DailyAsyncApexTests: 500,
  DailyBulkV2QueryFileStorageMB: 976_562,
  DailyBulkV2QueryJobs: 10_000,
  DailyDeliveredPlatformEvents: 10_000,
  DailyDurableGenericStreamingApiEvents: 10_000,
  DailyDurableStreamingApiEvents: 10_000,
  DailyEinsteinDataInsightsStoryCreation: 1_000,
  DailyEinsteinDiscoveryPredictAPICalls: 50_000,
  DailyEinsteinDiscoveryPredictionsByCDC: 5_000_000,
  DailyEinsteinDiscoveryStoryCreation: 100,
  DailyGenericStreamingApiEvents: 10_000,
  DailyStandardVolumePlatformEvents: 10_000,
  DailyStreamingApiEvents: 10_000,
  DailyWorkflowEmails: 390,
  DataStorageMB: 5,
  DurableStreamingApiConcurrentClients: 20,
  FileStorageMB: 20,
  HourlyAsyncReportRuns: 1_200,
  HourlyDashboardRefreshes: 200,
  HourlyDashboardResults: 5_000,
  HourlyDashboardStatuses: 999_999_999,
  HourlyLongTermIdMapping: 100_000,
  HourlyODataCallout: 1_000,
  HourlyPublishedPlatformEvents: 50_000,
  HourlyPublishedStandardVolumePlatformEvents: 1_000,
  HourlyShortTermIdMapping: 100_000,
  HourlySyncReportRuns: 500,
  HourlyTimeBasedWorkflow: 50,
  MassEmail: 10,
  SingleEmail: 15,
  StreamingApiConcurrentClients: 20,
};

/**
 * The org's daily allocations. Salesforce uses a rolling 24-hour window; a counter that restarts 24 hours
 * after the window opened is close enough for a local org and keeps memory constant.
 * The allocation is read from `faults.spec().apiLimit` on every call, so tests can change it mid-run.
 */
export function createApiLimits(faults: Faults, now: () => Date): EmulatorApiLimits {
  let windowStart = now().getTime();
  let requests = 0;
  let batches = 0;
  let records = 0;

  const roll = () => {
    const t = now().getTime();
    if (t - windowStart >= DAY_MS) {
      windowStart = t;
      requests = 0;
      batches = 0;
      records = 0;
    }
  };

  return {
    consume() {
      roll();
      // A refused request is not counted: usage stays at the allocation, as the header shows.
      if (requests >= faults.spec().apiLimit) return false;
      requests++;
      return true;
    },
    usageHeader() {
      roll();
      return `api-usage=${requests}/${faults.spec().apiLimit}`;
    },
    recordBatch(count) {
      roll();
      batches++;
      records += count;
    },
    bulkAllowance() {
      roll();
      return {
        batchesRemaining: Math.max(0, DAILY_BULK_BATCHES - batches),
        recordsRemaining: Math.max(0, DAILY_BULK_RECORDS - records),
      };
    },
    snapshot() {
      roll();
      type Limit = { Max: number; Remaining: number };
      const apiLimit = faults.spec().apiLimit;
      const all = new Map<string, Limit>(
        Object.entries(STATIC_LIMITS).map(([name, max]) => [name, { Max: max, Remaining: max }]),
      );
      all.set('DailyApiRequests', { Max: apiLimit, Remaining: Math.max(0, apiLimit - requests) });
      all.set('DailyBulkApiBatches', {
        Max: DAILY_BULK_BATCHES,
        Remaining: Math.max(0, DAILY_BULK_BATCHES - batches),
      });
      // Salesforce lists limits in alphabetical order.
      const body: Record<string, Limit> = {};
      for (const [name, limit] of [...all].sort(([a], [b]) => a.localeCompare(b))) body[name] = limit;
      return body;
    },
    reset() {
      windowStart = now().getTime();
      requests = 0;
      batches = 0;
      records = 0;
    },
  };
}

/** `GET /services/data/vXX.X/limits`: counted like any REST call, so its own call shows in the body. */
export function registerLimitsRoutes(router: Router, ctx: EmulatorContext): void {
  router.add('GET', '/services/data/:version/limits', (request) => {
    sendJson(request, 200, ctx.limits.snapshot());
  });
}
