import { Gauge, type Registry } from 'prom-client';
import { buildSchemaVersion } from '../store/schema-version.ts';

/**
 * `vpngw_schema_version`: the store's schema, which a started server has migrated to exactly its own
 * (an older one is upgraded at start, a newer one refused), so dashboards see an upgrade land.
 */
export function registerSchemaGauge(registry: Registry): void {
  const { name, number } = buildSchemaVersion();
  const gauge = new Gauge({
    name: 'vpngw_schema_version', help: 'Schema version of the store (the number of its newest migration; label migration: its name).',
    labelNames: ['migration'], registers: [registry],
  });
  gauge.set({ migration: name }, number);
}
