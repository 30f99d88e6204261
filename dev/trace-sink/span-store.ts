/**
 * The spans the trace sink received, grouped by trace, oldest traces evicted first. Spans arrive
 * as OTLP/JSON (what the collector's otlp_http exporter sends with `encoding: json`) and are kept
 * flattened: one record per span, its service name copied from the resource.
 */

export type SpanKind = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
const kinds: readonly SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

export type AttributeValue = string | number | boolean | null;

export interface SinkSpan {
  traceId: string;
  spanId: string;
  /** Absent on a trace's root span. */
  parentSpanId?: string;
  name: string;
  kind: SpanKind;
  /** The resource's `service.name`. */
  service: string;
  /** The instrumentation scope that made the span (e.g. @opentelemetry/instrumentation-amqplib). */
  scope: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, AttributeValue>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: OtlpAnyValue[] };
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  status?: { code?: number };
}

/** The body of an OTLP/JSON trace export (ExportTraceServiceRequest). */
export interface OtlpTraceExport {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { scope?: { name?: string }; spans?: OtlpSpan[] }[];
  }[];
}

export class SpanStore {
  private readonly traces = new Map<string, SinkSpan[]>();
  private size = 0;

  constructor(private readonly maxSpans: number) {}

  add(body: OtlpTraceExport): number {
    let added = 0;
    for (const resourceSpans of body.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes);
      const service = String(resource['service.name'] ?? 'unknown');
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.keep({
            traceId: span.traceId,
            spanId: span.spanId,
            ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
            name: span.name,
            kind: kinds[span.kind ?? 0] ?? 'unspecified',
            service,
            scope: scopeSpans.scope?.name ?? '',
            startTimeUnixNano: span.startTimeUnixNano,
            endTimeUnixNano: span.endTimeUnixNano,
            attributes: attributesOf(span.attributes),
            statusCode: span.status?.code ?? 0,
          });
          added += 1;
        }
      }
    }
    return added;
  }

  trace(traceId: string): SinkSpan[] {
    return this.traces.get(traceId.toLowerCase()) ?? [];
  }

  clear(): void {
    this.traces.clear();
    this.size = 0;
  }

  private keep(span: SinkSpan): void {
    const traceId = span.traceId.toLowerCase();
    const spans = this.traces.get(traceId);
    if (spans) spans.push(span);
    else this.traces.set(traceId, [span]);
    this.size += 1;
    // A Map iterates in insertion order: the first trace is the oldest.
    while (this.size > this.maxSpans) {
      const [oldest, evicted] = this.traces.entries().next().value as [string, SinkSpan[]];
      this.traces.delete(oldest);
      this.size -= evicted.length;
    }
  }
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, valueOf(value)]));
}

function valueOf(value: OtlpAnyValue | undefined): AttributeValue {
  if (!value) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue) return JSON.stringify((value.arrayValue.values ?? []).map(valueOf));
  return null;
}
