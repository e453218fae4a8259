import type { Config } from './config/config';
import { createAwsEc2Port } from './discovery/awsEc2';
import { createAwsEcsPort } from './discovery/awsEcs';
import { createDiscoveryCaches } from './discovery/fetcher';
import { createMackerelClient } from './mackerel/client';
import { createHostResolver } from './mackerel/hostResolver';
import { createDashboardClient } from './mackerel/dashboardClient';
import { createMetadataClient } from './mackerel/metadataClient';
import { createServiceMetricsClient } from './mackerel/serviceClient';
import { createCheckClient } from './mackerel/checkClient';
import { createMonitorClient } from './mackerel/monitorClient';
import { createInventoryStore, createMemoryInventoryStore } from './pipeline/inventorySync';
import { createLogger, registerSecret, type Logger } from './log';
import type { CollectorDeps } from './pipeline/collect';
import { createCollectorState } from './pipeline/state';
import { createS3OutputStore } from './scrape/awsS3';
import { createAwsSsmPort } from './scrape/awsSsm';
import { createDirectFetcher, type BodyFetcher } from './scrape/bodyFetcher';
import { createSsmFetcher } from './scrape/ssmFetcher';
import { createHttpScraper } from './scrape/httpScraper';

/**
 * Costly or stateful parts live at module scope so a warm Lambda container reuses them across invocations:
 * the discovery caches (task definitions are immutable), counter baselines, graph-definition times and the
 * retry queue. Clients are rebuilt only when the configuration that shapes them changes.
 */
const caches = createDiscoveryCaches();
const state = createCollectorState();
let built: { signature: string; deps: CollectorDeps } | undefined;

/** Builds (or reuses) the dependencies of a cycle for this configuration. */
export function getCollectorDeps(config: Config, apiKey: string | undefined, logger?: Logger): CollectorDeps {
  registerSecret(apiKey);
  const log = logger ?? createLogger({ level: config.logLevel });
  const signature = JSON.stringify([
    config.dryRun,
    config.mackerelApiBase,
    config.scrapeMode,
    config.ssmOutputBucket ?? '',
    config.scrapeTimeoutMs,
    config.scrapeConcurrency,
    config.maxBodyBytes,
    config.allowedCidrs,
    apiKey ?? '',
  ]);
  if (built && built.signature === signature) return { ...built.deps, logger: log };
  built?.deps.fetcher.close();
  const mackerel = apiKey ? createMackerelClient({ apiKey, baseUrl: config.mackerelApiBase, logger: log }) : undefined;
  const deps: CollectorDeps = {
    ecs: createAwsEcsPort(),
    ec2: createAwsEc2Port(),
    mackerel,
    hosts: mackerel ? createHostResolver(mackerel) : undefined,
    dashboards: apiKey ? createDashboardClient({ apiKey, baseUrl: config.mackerelApiBase, logger: log }) : undefined,
    serviceMetrics: apiKey ? createServiceMetricsClient({ apiKey, baseUrl: config.mackerelApiBase, logger: log }) : undefined,
    checks: apiKey ? createCheckClient({ apiKey, baseUrl: config.mackerelApiBase, logger: log }) : undefined,
    monitors: apiKey ? createMonitorClient({ apiKey, baseUrl: config.mackerelApiBase, logger: log }) : undefined,
    fetcher: createFetcher(config, log),
    inventory: apiKey
      ? createInventoryStore(createMetadataClient({ apiKey, baseUrl: config.mackerelApiBase, logger: log }), state.inventories, log, config.dryRun)
      : createMemoryInventoryStore(),
    caches,
    state,
    logger: log,
    now: () => Date.now(),
  };
  built = { signature, deps };
  return deps;
}

/** Direct HTTP scraping, or curl on the instances through SSM Run Command. */
function createFetcher(config: Config, logger: Logger): BodyFetcher {
  if (config.scrapeMode === 'ssm') {
    return createSsmFetcher({
      ssm: createAwsSsmPort(),
      timeoutMs: config.scrapeTimeoutMs,
      maxBodyBytes: config.maxBodyBytes,
      outputBucket: config.ssmOutputBucket,
      s3: config.ssmOutputBucket ? createS3OutputStore() : undefined,
      logger,
    });
  }
  const scraper = createHttpScraper({ timeoutMs: config.scrapeTimeoutMs, maxBodyBytes: config.maxBodyBytes, allowedCidrs: config.allowedCidrs });
  return createDirectFetcher(scraper, config.scrapeConcurrency, { maxInflightBytes: config.maxInflightBytes });
}

/** Closes sockets held by the scraper so a CLI process can exit promptly. */
export function closeCollectorDeps(): void {
  built?.deps.fetcher.close();
  built = undefined;
}
