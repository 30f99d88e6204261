import type { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';

/** What every platform dashboard shares: a stable uid (links survive re-provisioning), tag, time. */
export function dashboardDefaults(builder: DashboardBuilder, uid: string): DashboardBuilder {
  return (
    builder
      .uid(uid)
      .tags(['platform'])
      .refresh('30s')
      .time({ from: 'now-1h', to: 'now' })
      .timezone('browser')
      // Dashboards are code: a change in the UI could not be saved anyway.
      .readonly()
  );
}
