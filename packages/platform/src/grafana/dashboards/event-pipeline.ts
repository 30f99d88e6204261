import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { singleStat, timeSeries } from '../panels.js';
import { quantile, rate } from '../promql.js';
import { dashboardDefaults } from './dashboard-defaults.js';

/** Outbox → RabbitMQ → consumers, across services: where events wait and what becomes of them. */
export function eventPipeline(): DashboardBuilder {
  return dashboardDefaults(new DashboardBuilder('Event pipeline'), 'event-pipeline')
    .description('Transactional outboxes, publishing, consumers, retries and dead-letter queues.')
    .withRow(new RowBuilder('Outbox and publishing'))
    .withPanel(
      timeSeries({
        title: 'Events waiting in the outbox',
        description:
          'Committed and not yet published. The relay publishes within a second while the broker is up.',
        unit: 'none',
        series: [{ expr: 'sum by (service) (app_outbox_pending_events)', legend: '{{service}}' }],
        span: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Oldest waiting event',
        description: 'Age of the oldest unpublished event; alert OutboxEventsWaiting fires above a minute.',
        unit: 's',
        series: [{ expr: 'max by (service) (app_outbox_oldest_pending_age_seconds)', legend: '{{service}}' }],
        span: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Publish failures by reason',
        description: 'Failed publishes (each retried): broker away, unroutable, nacked, no confirm in time.',
        unit: 'ops',
        series: [
          {
            expr: `sum by (service, reason) (${rate('app_outbox_publish_failures_total')})`,
            legend: '{{service}} {{reason}}',
          },
        ],
        span: 8,
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Events published by type',
        description: 'Events the broker confirmed, per producing service and event type.',
        unit: 'ops',
        stacked: true,
        series: [
          {
            expr: `sum by (service, type) (${rate('app_outbox_events_published_total')})`,
            legend: '{{service}} {{type}}',
          },
        ],
        span: 24,
      }),
    )
    .withRow(new RowBuilder('Consumers'))
    .withPanel(
      timeSeries({
        title: 'Messages settled by outcome',
        description:
          'processed, duplicate (already applied), retried (to the retry queue), dead_lettered (to the DLQ).',
        unit: 'ops',
        stacked: true,
        series: [
          {
            expr: `sum by (consumer, outcome) (${rate('app_consumer_messages_total')})`,
            legend: '{{consumer}} {{outcome}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Processing time p95',
        description: 'From delivery to settling a message: handler, dedupe record and any republish.',
        unit: 's',
        series: [
          {
            expr: quantile(0.95, 'app_consumer_processing_duration_seconds_bucket', 'consumer'),
            legend: '{{consumer}}',
          },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Messages waiting',
        description:
          'Ready messages in each consumer queue; alert ConsumerStalled fires when they wait and none settle.',
        unit: 'none',
        series: [{ expr: 'max by (queue) (app_consumer_queue_messages{kind="main"})', legend: '{{queue}}' }],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Messages waiting to be retried',
        description: 'Messages in the retry queues, waiting out their backoff.',
        unit: 'none',
        series: [{ expr: 'max by (queue) (app_consumer_queue_messages{kind="retry"})', legend: '{{queue}}' }],
      }),
    )
    .withRow(new RowBuilder('Dead letters'))
    .withPanel(
      timeSeries({
        title: 'Dead-letter queue depth',
        description:
          'Messages consumers gave up on; the reason is in each message’s x-failure-reason header.',
        unit: 'none',
        series: [
          {
            expr: 'max by (queue) (app_consumer_queue_messages{kind="dead_letter"})',
            legend: '{{queue}}.dlq',
          },
        ],
        span: 16,
      }),
    )
    .withPanel(
      singleStat({
        title: 'Dead-lettered in the time range',
        description: 'Messages sent to a dead-letter queue during the dashboard’s time range.',
        unit: 'none',
        series: [
          {
            expr: 'sum(increase(app_consumer_messages_total{outcome="dead_lettered"}[$__range]))',
            legend: 'dead-lettered',
          },
        ],
        thresholds: [[1, 'red']],
        decimals: 0,
        span: 8,
      }),
    )
    .withRow(new RowBuilder('Retention'))
    .withPanel(
      timeSeries({
        title: 'Rows in the pruned tables',
        description:
          'Estimated rows (PostgreSQL statistics) of the outbox, processed messages and idempotency records: flat once the retention windows are full.',
        unit: 'none',
        series: [
          { expr: 'max by (service, table) (app_retention_table_rows)', legend: '{{service}} {{table}}' },
        ],
      }),
    )
    .withPanel(
      timeSeries({
        title: 'Rows pruned',
        description: 'Rows the retention pruner deleted for being past their window, per table.',
        unit: 'ops',
        series: [
          {
            expr: `sum by (service, table) (${rate('app_retention_pruned_rows_total')})`,
            legend: '{{service}} {{table}}',
          },
        ],
      }),
    );
}
