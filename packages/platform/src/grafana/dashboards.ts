import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { eventPipeline } from './dashboards/event-pipeline.js';
import { identity } from './dashboards/identity.js';
import { platformOverview } from './dashboards/platform-overview.js';
import { serviceDashboard, serviceProfiles } from './dashboards/service.js';

/** Every dashboard the platform provisions, by file name (the file name is the uid). */
export function platformDashboards(): Map<string, Dashboard> {
  const builders = [
    platformOverview(),
    ...serviceProfiles.map((profile) => serviceDashboard(profile)),
    eventPipeline(),
    identity(),
  ];
  return new Map(
    builders.map((builder) => {
      const dashboard = builder.build();
      // Stable, unique panel ids (the builders leave rows at 0): links to a panel keep working.
      (dashboard.panels ?? []).forEach((panel, index) => (panel.id = index + 1));
      return [`${dashboard.uid}.json`, dashboard];
    }),
  );
}
