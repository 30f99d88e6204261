import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { singleStat, timeSeries } from '../panels.js';
import { quantile, rate, requestBuckets, requests, share } from '../promql.js';
import { dashboardDefaults } from './dashboard-defaults.js';

/** What a service depends on, which decides the dependency panels of its dashboard. */
export interface ServiceProfile {
  /** Short name: `auth` is the service `auth-service`. */
  readonly name: string;
  readonly title: string;
  /** Calls Keycloak's Admin API (through the kit's createKeycloakAdmin with metrics). */
  readonly keycloakAdmin: boolean;
  /** Consumes events from RabbitMQ. */
  readonly consumers: boolean;
  /** Named circuit breakers around its outbound calls. */
  readonly circuits: readonly string[];
}

export const serviceProfiles: readonly ServiceProfile[] = [
  { name: 'auth', title: 'Auth service', keycloakAdmin: true, consumers: false, circuits: [] },
  { name: 'user', title: 'User service', keycloakAdmin: true, consumers: true, circuits: [] },
  {
    name: 'billing',
    title: 'Billing service',
    keycloakAdmin: false,
    consumers: true,
    circuits: ['user-service'],
  },
];

/** One service: RED per route template, saturation, then each dependency as the service sees it. */
export function serviceDashboard(profile: ServiceProfile): DashboardBuilder {
  const service = `service="${profile.name}-service"`;
  const dashboard = dashboardDefaults(new DashboardBuilder(profile.title), `service-${profile.name}`)
    .description(`${profile.name}-service: requests, saturation and dependencies.`)
    .withRow(new RowBuilder('Requests (RED)'))
    .withPanel(
      timeSeries({
        title: 'Requests by route',
        description: 'Rate per route template (ids never become labels).',
        unit: 'reqps',
        series: [
          { expr: `sum by (method, route) (${rate(requests(service))})`, legend: '{{method}} {{route}}' },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Responses by status code',
        description: 'All routes together; 4xx are callers’ mistakes, 5xx are the service’s.',
        unit: 'reqps',
        stacked: true,
        series: [{ expr: `sum by (status_code) (${rate(requests(service))})`, legend: '{{status_code}}' }],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Server errors (5xx) by route',
        description: 'Share of each route’s requests answered with a 5xx.',
        unit: 'percentunit',
        min: 0,
        series: [
          {
            expr: share(
              rate(requests(`${service},status_code=~"5.."`)),
              rate(requests(service)),
              'method, route',
            ),
            legend: '{{method}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Latency p95 by route',
        description: '95th percentile of request duration per route template.',
        unit: 's',
        series: [
          { expr: quantile(0.95, requestBuckets(service), 'method, route'), legend: '{{method}} {{route}}' },
        ],
      }),
    )
    .withPanel(
      singleStat({
        title: 'Availability, last hour',
        description: 'Share of requests not answered with a 5xx (SLO: 99.5 % over 30 days).',
        unit: 'percentunit',
        decimals: 2,
        series: [
          { expr: `1 - service:http_requests_errors:ratio_rate1h{${service}}`, legend: 'availability' },
        ],
        thresholds: [],
        span: 12,
      }),
    )
    .withPanel(
      singleStat({
        title: 'Answered within 1 s, last hour',
        description: 'Share of requests answered within a second (SLO: 99 % over 30 days).',
        unit: 'percentunit',
        decimals: 2,
        series: [{ expr: `1 - service:http_requests_slow:ratio_rate1h{${service}}`, legend: 'within 1 s' }],
        span: 12,
      }),
    )
    .withRow(new RowBuilder('Saturation'))
    .withPanel(
      timeSeries({
        title: 'Event loop lag',
        description: 'How late timers fire: above ~100 ms every request waits.',
        unit: 's',
        series: [
          { expr: `nodejs_eventloop_lag_p50_seconds{${service}}`, legend: 'p50' },
          { expr: `nodejs_eventloop_lag_p99_seconds{${service}}`, legend: 'p99' },
        ],
        span: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'CPU',
        description: 'CPU seconds per second used by the process (1 = one core).',
        unit: 'none',
        series: [{ expr: `sum(${rate(`process_cpu_seconds_total{${service}}`)})`, legend: 'cpu' }],
        span: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Memory',
        description: 'Resident memory of the process and the V8 heap in use.',
        unit: 'bytes',
        series: [
          { expr: `process_resident_memory_bytes{${service}}`, legend: 'resident' },
          { expr: `sum(nodejs_heap_size_used_bytes{${service}})`, legend: 'heap used' },
        ],
        span: 8,
      }),
    )
    .withRow(new RowBuilder('Dependencies'))
    .withPanel(
      timeSeries({
        title: 'Database connection pool',
        description: 'Connections lent out and idle, and queries waiting for one (saturated while above 0).',
        unit: 'none',
        series: [
          { expr: `sum by (state) (app_db_pool_connections{${service}})`, legend: '{{state}}' },
          { expr: `app_db_pool_waiting_requests{${service}}`, legend: 'waiting' },
          { expr: `app_db_pool_max_connections{${service}}`, legend: 'max' },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Outbox',
        description: 'Events committed and not yet published to RabbitMQ, and the age of the oldest.',
        unit: 'none',
        series: [
          { expr: `app_outbox_pending_events{${service}}`, legend: 'pending events' },
          { expr: `app_outbox_oldest_pending_age_seconds{${service}}`, legend: 'oldest (s)' },
          {
            expr: `sum(${rate(`app_outbox_publish_failures_total{${service}}`)})`,
            legend: 'publish failures/s',
          },
        ],
      }),
    );
  if (profile.keycloakAdmin) {
    const calls = `app_keycloak_admin_request_duration_seconds`;
    dashboard
      .withPanel(
        timeSeries({
          title: 'Keycloak Admin API latency p95',
          description: 'Per operation (resource.method), measured by the service around each call.',
          unit: 's',
          series: [
            { expr: quantile(0.95, `${calls}_bucket{${service}}`, 'operation'), legend: '{{operation}}' },
          ],
        }),
      )
      .withPanel(
        timeSeries({
          title: 'Keycloak Admin API calls by outcome',
          description:
            'client_error: Keycloak refused (404, 409, policy); server_error and unavailable: Keycloak failed.',
          unit: 'reqps',
          stacked: true,
          series: [
            { expr: `sum by (outcome) (${rate(`${calls}_count{${service}}`)})`, legend: '{{outcome}}' },
          ],
        }),
      );
  }
  if (profile.consumers) {
    dashboard
      .withPanel(
        timeSeries({
          title: 'Messages settled by outcome',
          description: 'Per consumer: processed, duplicate (already applied), retried, dead_lettered.',
          unit: 'ops',
          stacked: true,
          series: [
            {
              expr: `sum by (consumer, outcome) (${rate(`app_consumer_messages_total{${service}}`)})`,
              legend: '{{consumer}} {{outcome}}',
            },
          ],
        }),
      )
      .withPanel(
        timeSeries({
          title: 'Consumer queues',
          description: 'Messages waiting in each consumer queue, its retry queue and its dead-letter queue.',
          unit: 'none',
          series: [
            {
              expr: `max by (queue, kind) (app_consumer_queue_messages{${service}})`,
              legend: '{{queue}} {{kind}}',
            },
          ],
        }),
      );
  }
  for (const circuit of profile.circuits) {
    const breaker = `app_circuit_breaker_state{${service},circuit="${circuit}"}`;
    dashboard
      .withPanel(
        singleStat({
          title: `Circuit to ${circuit}`,
          description: `The circuit breaker around calls to ${circuit}: closed is healthy; open fails fast.`,
          unit: 'none',
          series: [{ expr: `max by (state) (${breaker}) == 1`, legend: '{{state}}' }],
          showName: true,
        }),
      )
      .withPanel(
        timeSeries({
          title: `Circuit to ${circuit} open`,
          description: '1 while the circuit is open (calls fail fast without reaching the service).',
          unit: 'none',
          min: 0,
          max: 1,
          series: [
            {
              expr: `max(app_circuit_breaker_state{${service},circuit="${circuit}",state="open"})`,
              legend: 'open',
            },
          ],
          span: 18,
        }),
      );
  }
  return dashboard;
}
