import type { TestProject } from 'vitest/node';
import stackSetup from '@platform/dev/test-global-setup';
import { loadEnvironment } from '@platform/platform/environment';
import { freePort } from '@platform/dev/stack/envoy';
import { StepError } from '@platform/dev/stack/processes';
import { startOwnRedis, startTykGateway, tykBinary } from '@platform/dev/stack/tyk';
import { loadAccessMap } from '@platform/platform/access-map';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The gateway under test and the Redis it keeps its sessions and buckets in. */
    tyk: { url: string; log: string; redisPort: number };
  }
}

/**
 * Checks the gateway binary first (one line when it is missing), brings the local stack up, then
 * starts a Redis of the suite's own (empty buckets) and the gateway in front of the stack.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  try {
    tykBinary();
  } catch (error) {
    console.error(`[test:tyk] ${(error as Error).message}`);
    process.exit(1);
  }
  stackSetup();
  const redisPort = await freePort();
  const redis = await startOwnRedis('conformance', redisPort);
  try {
    const gateway = await startTykGateway('conformance', loadAccessMap(), loadEnvironment(), {
      listen: { host: '127.0.0.1', port: await freePort() },
      controlPort: await freePort(),
      redis: { host: '127.0.0.1', port: redisPort },
    });
    project.provide('tyk', { url: gateway.url, log: gateway.log, redisPort });
    return async () => {
      await gateway.stop();
      await redis.stop();
    };
  } catch (error) {
    await redis.stop();
    const log = error instanceof StepError && error.log ? ` (log: ${error.log})` : '';
    throw new Error(`[test:tyk] ${(error as Error).message}${log}`);
  }
}
