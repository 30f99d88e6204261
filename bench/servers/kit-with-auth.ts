/**
 * The kit's full app (helmet, request id, logs, metrics, problems) with the JWT check on the same
 * route, including the revocation list every service checks after the signature (Redis-backed,
 * held in memory).
 */
import {
  createApp,
  createAuth,
  createLogger,
  createMetrics,
  createRedisClient,
  RedisBroadcast,
  RevocationList,
  RouteTable,
} from '@platform/kit';
import { oidcOf, loadEnvironment } from '@platform/platform/environment';
import { announce } from './announce.js';

const environment = loadEnvironment();
const oidc = oidcOf(environment);
// Request logs at info are part of the kit's cost in production, so they are measured too.
const logger = createLogger({
  name: 'bench',
  level: 'info',
  destination: { write: () => undefined } as never,
});
const redisUrl = `redis://${environment.redis.host}:${environment.redis.port}`;
const redis = createRedisClient({ url: redisUrl, connectionName: 'bench', logger });
const broadcast = new RedisBroadcast({ url: redisUrl, publisher: redis, connectionName: 'bench', logger });
const revocations = new RevocationList({ redis, broadcast, ttlSeconds: 300, logger });
broadcast.start();
const auth = createAuth({ issuer: oidc.issuer, jwksUri: oidc.jwksUri, audience: oidc.audience, revocations });
const routes = new RouteTable({ auth }).get('/hello', { roles: ['user'] }, (_req, res) => {
  res.json({ hello: 'world' });
});
const app = createApp({
  name: 'bench',
  logger,
  bodyLimit: '100kb',
  metrics: createMetrics({ service: 'bench' }),
  configure: (expressApp) => routes.mountOn(expressApp),
});
const server = app.listen(0, '127.0.0.1', () => announce(server));
