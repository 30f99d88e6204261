import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { describeStrings, markTrimmedStrings } from './string-schemas.js';

export type JsonSchema = Record<string, unknown>;

const componentRefPrefix = '#/components/schemas/';

/**
 * Turns zod schemas into OpenAPI 3.1 Schema Objects (JSON Schema 2020-12). Schemas given an id
 * with `.meta({ id })` become named components, referenced wherever they are used; zod emits
 * them as `$defs` with `#/$defs/...` refs, which inside an OpenAPI document would resolve against
 * the document root, so they are moved to `components.schemas` and the refs rewritten.
 */
export class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};

  /** `input` for what a client sends (defaults make fields optional), `output` for what it gets back. */
  schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const converted = z.toJSONSchema(schema, {
      io,
      unrepresentable: 'any',
      // What is sent is checked after trimming; what is answered already is the trimmed value.
      ...(io === 'input' ? { override: markTrimmedStrings } : {}),
    }) as JsonSchema;
    describeStrings(converted);
    const { $schema: _dialect, $defs, ...rest } = converted;
    const renames = new Map<string, string>();
    for (const [id, definition] of Object.entries(($defs ?? {}) as Record<string, JsonSchema>)) {
      renames.set(id, this.#register(id, definition, io));
    }
    // Component bodies may refer to each other; rewrite them once every name is known.
    for (const name of new Set(renames.values())) {
      this.schemas[name] = rewriteRefs(this.schemas[name], renames) as JsonSchema;
    }
    return rewriteRefs(rest, renames) as JsonSchema;
  }

  /** The component name a definition ends up under; an input variant that differs gets its own name. */
  #register(id: string, definition: JsonSchema, io: 'input' | 'output'): string {
    const candidates = io === 'input' ? [id, `${id}Input`] : [id];
    for (const name of candidates) {
      const existing = this.schemas[name];
      if (existing === undefined) {
        this.schemas[name] = definition;
        return name;
      }
      if (isDeepStrictEqual(stripRefs(existing), stripRefs(definition))) return name;
    }
    throw new Error(`two different schemas are both named "${id}" (meta id); give them distinct ids`);
  }
}

function rewriteRefs(value: unknown, renames: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => rewriteRefs(item, renames));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => {
      if (key === '$ref' && typeof member === 'string' && member.startsWith('#/$defs/')) {
        const id = member.slice('#/$defs/'.length);
        return [key, `${componentRefPrefix}${renames.get(id) ?? id}`];
      }
      return [key, rewriteRefs(member, renames)];
    }),
  );
}

/** Compares definitions whether or not their refs were rewritten yet. */
function stripRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) =>
      key === '$ref' && typeof member === 'string'
        ? [key, member.replace(/^#\/(\$defs|components\/schemas)\//, '')]
        : [key, stripRefs(member)],
    ),
  );
}
