/**
 * The few panel shapes the platform's dashboards use, over the Grafana Foundation SDK builders.
 * Every panel reads the one provisioned Prometheus data source (uid `prometheus`).
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  type DataSourceRef,
  ThresholdsConfigBuilder,
  ThresholdsMode,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** The data source the provisioning files create (grafana/provisioning, k8s/components/observability). */
export const prometheusDatasource: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };

/** One PromQL query and how its series are named in the legend. */
export interface Series {
  readonly expr: string;
  readonly legend: string;
}

interface PanelOptions {
  readonly title: string;
  /** What the panel answers, shown as the panel's help. */
  readonly description: string;
  readonly unit: string;
  readonly series: readonly Series[];
  /** Width in grid columns (24 is the full width). */
  readonly span?: number;
}

function targets(series: readonly Series[]): DataqueryBuilder[] {
  return series.map((entry, index) =>
    new DataqueryBuilder()
      .refId(String.fromCharCode(65 + index))
      .expr(entry.expr)
      .legendFormat(entry.legend)
      .datasource(prometheusDatasource),
  );
}

export function timeSeries(
  options: PanelOptions & { readonly stacked?: boolean; readonly min?: number; readonly max?: number },
): timeseries.PanelBuilder {
  const panel = new timeseries.PanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(prometheusDatasource)
    .unit(options.unit)
    .span(options.span ?? 12)
    .height(8)
    .lineWidth(1)
    .fillOpacity(options.stacked ? 30 : 10)
    .legend(
      new common.VizLegendOptionsBuilder()
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .showLegend(true)
        .calcs(['lastNotNull', 'max']),
    )
    .tooltip(
      new common.VizTooltipOptionsBuilder()
        .mode(common.TooltipDisplayMode.Multi)
        .sort(common.SortOrder.Descending),
    );
  if (options.stacked) panel.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (options.min !== undefined) panel.min(options.min);
  if (options.max !== undefined) panel.max(options.max);
  for (const target of targets(options.series)) panel.withTarget(target);
  return panel;
}

/** One figure, coloured by thresholds: `[value, colour]` steps above a green base. */
export function singleStat(
  options: PanelOptions & {
    readonly thresholds?: readonly [number, string][];
    readonly decimals?: number;
    /** Show the series' legend name (e.g. a state) instead of its value. */
    readonly showName?: boolean;
  },
): stat.PanelBuilder {
  const panel = new stat.PanelBuilder()
    .title(options.title)
    .description(options.description)
    .datasource(prometheusDatasource)
    .unit(options.unit)
    .span(options.span ?? 6)
    .height(4)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Value)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .thresholds(
      new ThresholdsConfigBuilder()
        .mode(ThresholdsMode.Absolute)
        .steps([
          { value: null, color: 'green' },
          ...(options.thresholds ?? []).map(([value, color]) => ({ value, color })),
        ]),
    );
  if (options.decimals !== undefined) panel.decimals(options.decimals);
  if (options.showName) panel.textMode(common.BigValueTextMode.Name);
  for (const target of targets(options.series)) panel.withTarget(target);
  return panel;
}
