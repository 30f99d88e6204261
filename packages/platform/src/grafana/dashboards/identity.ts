import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { singleStat, timeSeries } from '../panels.js';
import { quantile, rate, requests, share } from '../promql.js';
import { dashboardDefaults } from './dashboard-defaults.js';

const signUps = 'service="auth-service",route="/auth/signup"';
const keycloak = 'job="keycloak"';
const adminCalls = 'app_keycloak_admin_request_duration_seconds';

/** Sign-ups, and Keycloak as the services see it (Admin API) and as it sees itself. */
export function identity(): DashboardBuilder {
  return dashboardDefaults(new DashboardBuilder('Identity'), 'identity')
    .description(
      'Sign-ups, Keycloak errors and latency: from the services’ side and from Keycloak’s own metrics.',
    )
    .withRow(new RowBuilder('Sign-ups'))
    .withPanel(
      singleStat({
        title: 'Sign-ups in the time range',
        description: 'Accounts created through POST /api/v1/auth/signup (answered 201).',
        unit: 'none',
        decimals: 0,
        series: [
          {
            expr: `sum(increase(${requests(`${signUps},status_code="201"`)}[$__range]))`,
            legend: 'sign-ups',
          },
        ],
        span: 6,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Sign-up attempts by outcome',
        description:
          '201 created, 409 e-mail taken, 400 refused (password policy, input), 429 rate-limited at the edge.',
        unit: 'reqps',
        stacked: true,
        series: [{ expr: `sum by (status_code) (${rate(requests(signUps))})`, legend: '{{status_code}}' }],
        span: 10,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'user.registered published',
        description: 'The events sign-ups cause, as confirmed by the broker (user and billing consume them).',
        unit: 'ops',
        series: [
          {
            expr: `sum(${rate('app_outbox_events_published_total{type="user.registered"}')})`,
            legend: 'user.registered',
          },
        ],
        span: 8,
      }),
    )
    .withRow(new RowBuilder('Keycloak Admin API, as the services see it'))
    .withPanel(
      timeSeries({
        title: 'Admin API latency p95 by service',
        description: 'Measured by each service around its Admin API calls (token fetches included).',
        unit: 's',
        series: [{ expr: quantile(0.95, `${adminCalls}_bucket`, 'service'), legend: '{{service}}' }],
        span: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Admin API failures by service',
        description:
          'Share of calls Keycloak failed (5xx) or did not answer; refusals (4xx) are not failures.',
        unit: 'percentunit',
        min: 0,
        series: [
          {
            expr: share(
              rate(`${adminCalls}_count{outcome=~"server_error|unavailable"}`),
              rate(`${adminCalls}_count`),
              'service',
            ),
            legend: '{{service}}',
          },
        ],
        span: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Admin API calls by operation',
        description: 'Which Admin API calls the services make, and how often.',
        unit: 'reqps',
        series: [
          {
            expr: `sum by (service, operation) (${rate(`${adminCalls}_count`)})`,
            legend: '{{service}} {{operation}}',
          },
        ],
        span: 8,
      }),
    )
    .withRow(new RowBuilder('Keycloak itself'))
    .withPanel(
      timeSeries({
        title: 'Keycloak requests by outcome',
        description: 'Every HTTP request Keycloak answered (logins, tokens, JWKS, Admin API), by outcome.',
        unit: 'reqps',
        stacked: true,
        series: [
          {
            expr: `sum by (outcome) (${rate(`http_server_requests_seconds_count{${keycloak}}`)})`,
            legend: '{{outcome}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Keycloak server errors',
        description: 'Share of Keycloak’s requests answered with a 5xx.',
        unit: 'percentunit',
        min: 0,
        series: [
          {
            expr: share(
              rate(`http_server_requests_seconds_count{${keycloak},outcome="SERVER_ERROR"}`),
              rate(`http_server_requests_seconds_count{${keycloak}}`),
              '',
            ),
            legend: '5xx',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Keycloak mean latency: tokens and Admin API',
        description: 'Mean duration (Keycloak exports no buckets) of the token endpoint and the Admin API.',
        unit: 's',
        series: [
          {
            expr: `sum(${rate(`http_server_requests_seconds_sum{${keycloak},uri=~"/realms/.*/token"}`)}) / sum(${rate(`http_server_requests_seconds_count{${keycloak},uri=~"/realms/.*/token"}`)})`,
            legend: 'token endpoint',
          },
          {
            expr: `sum(${rate(`http_server_requests_seconds_sum{${keycloak},uri=~"/admin/.*"}`)}) / sum(${rate(`http_server_requests_seconds_count{${keycloak},uri=~"/admin/.*"}`)})`,
            legend: 'Admin API',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Keycloak saturation',
        description: 'Database connections in use and waiting, and password hashing (CPU-heavy) per second.',
        unit: 'none',
        series: [
          { expr: `sum(agroal_active_count{${keycloak}})`, legend: 'db connections active' },
          { expr: `sum(agroal_awaiting_count{${keycloak}})`, legend: 'db connections awaited' },
          {
            expr: `sum(${rate(`keycloak_credentials_password_hashing_validations_total{${keycloak}}`)})`,
            legend: 'password hashes/s',
          },
        ],
      }),
    );
}
