import { DataSource } from 'typeorm';
import type { z } from 'zod';
import { createAuth } from '../auth/create-auth.js';
import { RevocationList } from '../auth/revocation-list.js';
import { createUnitOfWork } from '../db/unit-of-work.js';
import type { RouteDeclaration } from '../http/route-table.js';
import { createLogger } from '../logging/logger.js';
import { AmqpConnection } from '../messaging/amqp-connection.js';
import { createMetrics } from '../metrics/create-metrics.js';
import { RedisBroadcast } from '../redis/redis-broadcast.js';
import { createRedisClient } from '../redis/redis-client.js';
import type { ConfigOf, ServiceContext, ServiceDefinition } from './service-definition.js';
import { serviceRouteTables } from './service-route-tables.js';

/**
 * Every route a service declares, with who may call it, without starting it: route tables are
 * built from a context whose connections are never opened (building routes does no I/O).
 * Lets tests compare a service's guards with the access map, the edge configs and the mesh.
 */
export function listRoutes<S extends z.ZodObject, K>(
  definition: ServiceDefinition<S, K>,
  config: Partial<ConfigOf<S>> = {},
): readonly RouteDeclaration[] {
  const logger = createLogger({ name: `${definition.name}-routes`, level: 'silent' });
  const unused = 'http://127.0.0.1:9/never-contacted';
  const dataSource = new DataSource({ type: 'postgres', url: 'postgres://127.0.0.1:9/never-contacted' });
  const redisUrl = 'redis://127.0.0.1:9';
  const redis = createRedisClient({ url: redisUrl, connectionName: 'never-connected', logger });
  const broadcast = new RedisBroadcast({ url: redisUrl, publisher: redis, connectionName: 'never', logger });
  const context: ServiceContext<ConfigOf<S>> = {
    config: config as ConfigOf<S>,
    logger,
    dataSource,
    unitOfWork: createUnitOfWork(dataSource),
    auth: createAuth({ issuer: unused, jwksUri: unused, audience: 'never-checked' }),
    amqp: new AmqpConnection({ url: 'amqp://127.0.0.1:9', logger }),
    metrics: createMetrics({ service: definition.name }),
    redis,
    broadcast,
    revocations: new RevocationList({ redis, broadcast, ttlSeconds: 1, logger }),
  };
  const components = definition.components?.(context) as K;
  return serviceRouteTables(definition, { ...context, components }).flatMap((table) => table.routes());
}
