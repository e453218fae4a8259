/**
 * A cold start in this process: src/runtime.ts keeps caches, counter baselines and the retry queue at module
 * scope (a warm container), so loading src/ again from a fresh module registry is what a new container sees.
 * Under jest that is jest.isolateModules; under tsx (`npm run faults`) the CommonJS cache entries of src/ are
 * dropped before requiring again.
 */
import path from 'node:path';

type ConfigModule = typeof import('../../src/config/config');
type ScheduledModule = typeof import('../../src/lambda/scheduled');
type RefreshModule = typeof import('../../src/lambda/refreshEvent');
type RuntimeModule = typeof import('../../src/runtime');
type CollectModule = typeof import('../../src/pipeline/collect');
type ClientModule = typeof import('../../src/mackerel/client');

/** The modules of one cold-started container. */
export interface ColdModules {
  readonly config: ConfigModule;
  readonly scheduled: ScheduledModule;
  readonly refresh: RefreshModule;
  readonly runtime: RuntimeModule;
  readonly collect: CollectModule;
  readonly client: ClientModule;
}

const SRC = path.resolve(__dirname, '../../src') + path.sep;

/* eslint-disable @typescript-eslint/no-require-imports -- a fresh registry needs require at call time */
function load(): ColdModules {
  return {
    config: require('../../src/config/config') as ConfigModule,
    scheduled: require('../../src/lambda/scheduled') as ScheduledModule,
    refresh: require('../../src/lambda/refreshEvent') as RefreshModule,
    runtime: require('../../src/runtime') as RuntimeModule,
    collect: require('../../src/pipeline/collect') as CollectModule,
    client: require('../../src/mackerel/client') as ClientModule,
  };
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** Loads src/ as a new container would: nothing shared with earlier loads. */
export function coldStart(): ColdModules {
  if (typeof jest !== 'undefined') {
    let mods: ColdModules | undefined;
    jest.isolateModules(() => {
      mods = load();
    });
    if (!mods) throw new Error('isolateModules did not run');
    return mods;
  }
  for (const key of Object.keys(require.cache)) if (key.startsWith(SRC)) delete require.cache[key];
  return load();
}
