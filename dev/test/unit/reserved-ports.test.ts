import { describe, expect, it } from 'vitest';
import { loadEnvironment } from '@platform/platform/environment';
import { environmentPorts, parsePortList, withReserved } from '../../stack/reserved-ports.js';

describe('the ports the stack reserves', () => {
  it('when the local environment is read, then every port it names is found, nested ones included', () => {
    const env = loadEnvironment();
    const ports = environmentPorts(env);

    expect(ports).toEqual(
      expect.arrayContaining([
        env.postgres.port,
        env.rabbitmq.port,
        env.rabbitmq.distPort,
        env.rabbitmq.epmdPort,
        env.redis.port,
        env.keycloak.managementPort,
        env.otelCollector.otlpHttpPort,
        env.services.user.managementPort,
        env.mesh!.outboundPorts.billing,
      ]),
    );
    // Not a port: a lifetime, a scrape interval.
    expect(ports).not.toContain(env.prometheus.scrapeIntervalSeconds);
  });

  it('when the kernel lists single ports and ranges, then each port of them counts as reserved', () => {
    expect([...parsePortList('55432,55672-55674\n')]).toEqual([55432, 55672, 55673, 55674]);
    expect(parsePortList('\n').size).toBe(0);
  });

  it('when some wanted ports are missing, then they are added to what was reserved, and nothing is written when none is', () => {
    expect(withReserved('\n', [55432, 55672])).toBe('55432,55672');
    expect(withReserved('40000-40010\n', [40005, 55672])).toBe('40000-40010,55672');
    expect(withReserved('55432,55672\n', [55672])).toBeUndefined();
  });
});
