import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { singleStat, timeSeries } from '../panels.js';
import { quantile, rate, requestBuckets, requests, share } from '../promql.js';
import { dashboardDefaults } from './dashboard-defaults.js';

const edge = 'envoy_http_conn_manager_prefix="edge"';

/** The first screen: is the platform answering, how fast, and is anything piling up. */
export function platformOverview(): DashboardBuilder {
  return dashboardDefaults(new DashboardBuilder('Platform overview'), 'platform-overview')
    .description('Edge, services and event pipeline at a glance.')
    .withRow(new RowBuilder('Right now'))
    .withPanel(
      singleStat({
        title: 'Scrape targets down',
        description: 'Processes Prometheus cannot scrape (services, Keycloak, edge, collector).',
        unit: 'none',
        series: [{ expr: 'count(up == 0) or vector(0)', legend: 'down' }],
        thresholds: [[1, 'red']],
      }),
    )
    .withPanel(
      singleStat({
        title: 'Server errors (5xx) across services',
        description: 'Share of all service requests answered with a 5xx.',
        unit: 'percentunit',
        series: [
          { expr: share(rate(requests('status_code=~"5.."')), rate(requests()), ''), legend: 'errors' },
        ],
        thresholds: [
          [0.005, 'orange'],
          [0.05, 'red'],
        ],
        decimals: 2,
      }),
    )
    .withPanel(
      singleStat({
        title: 'Events waiting in outboxes',
        description: 'Committed events not yet published, all services together.',
        unit: 'none',
        series: [{ expr: 'sum(app_outbox_pending_events)', legend: 'pending' }],
        thresholds: [
          [100, 'orange'],
          [1000, 'red'],
        ],
      }),
    )
    .withPanel(
      singleStat({
        title: 'Messages in dead-letter queues',
        description: 'Messages consumers gave up on; each needs a person to look at it.',
        unit: 'none',
        series: [
          {
            expr: 'sum(max by (queue) (app_consumer_queue_messages{kind="dead_letter"}))',
            legend: 'dead-lettered',
          },
        ],
        thresholds: [[1, 'red']],
      }),
    )
    .withRow(new RowBuilder('Edge'))
    .withPanel(
      timeSeries({
        title: 'Edge requests by response class',
        description: 'Requests the edge answered, by status class (its own refusals included).',
        unit: 'reqps',
        stacked: true,
        series: [
          {
            expr: `sum by (envoy_response_code_class) (${rate(`envoy_http_downstream_rq_xx{${edge}}`)})`,
            legend: '{{envoy_response_code_class}}xx',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Edge latency',
        description: 'Time from the first byte in to the last byte out at the edge, upstream included.',
        unit: 'ms',
        series: [
          { expr: quantile(0.5, `envoy_http_downstream_rq_time_bucket{${edge}}`, ''), legend: 'p50' },
          { expr: quantile(0.95, `envoy_http_downstream_rq_time_bucket{${edge}}`, ''), legend: 'p95' },
          { expr: quantile(0.99, `envoy_http_downstream_rq_time_bucket{${edge}}`, ''), legend: 'p99' },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Refused at the edge',
        description:
          'Requests the edge stopped before any service: bad or missing tokens, missing roles, rate limits.',
        unit: 'reqps',
        series: [
          { expr: `sum(${rate(`envoy_http_jwt_authn_denied{${edge}}`)})`, legend: 'token refused (401)' },
          { expr: `sum(${rate(`envoy_http_rbac_denied{${edge}}`)})`, legend: 'role missing (403)' },
          { expr: `sum(${rate('envoy_http_local_rate_limit_rate_limited')})`, legend: 'rate limited (429)' },
        ],
        span: 24,
      }),
    )
    .withRow(new RowBuilder('Services'))
    .withPanel(
      timeSeries({
        title: 'Requests by service',
        description: 'Requests each service answered, all routes.',
        unit: 'reqps',
        series: [{ expr: `sum by (service) (${rate(requests())})`, legend: '{{service}}' }],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Server errors (5xx) by service',
        description:
          'Share of each service’s requests answered with a 5xx. The availability SLO allows 0.5 %.',
        unit: 'percentunit',
        min: 0,
        series: [
          {
            expr: share(rate(requests('status_code=~"5.."')), rate(requests()), 'service'),
            legend: '{{service}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Latency p95 by service',
        description: '95th percentile of request duration. The latency SLO wants 99 % within 1 s.',
        unit: 's',
        series: [{ expr: quantile(0.95, requestBuckets(), 'service'), legend: '{{service}}' }],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Availability error budget burn rate (1 h)',
        description:
          'How many times faster than sustainable each service spends its 30-day availability budget; 14.4 pages.',
        unit: 'x',
        min: 0,
        series: [{ expr: 'service:http_requests_errors:ratio_rate1h / 0.005', legend: '{{service}}' }],
      }),
    );
}
