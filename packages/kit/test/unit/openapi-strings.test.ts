import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SchemaComponents, type JsonSchema } from '../../src/openapi/schema-components.js';
import { trimmedCodePoints } from '../../src/openapi/string-schemas.js';

/** Whether a string schema of the document admits `value`, read as a JSON Schema validator reads it. */
function admits(schema: JsonSchema, value: string): boolean {
  const length = [...value].length;
  if (typeof schema.minLength === 'number' && length < schema.minLength) return false;
  if (typeof schema.maxLength === 'number' && length > schema.maxLength) return false;
  const patterns = [schema.pattern, ...((schema.allOf ?? []) as JsonSchema[]).map((entry) => entry.pattern)];
  return patterns.every((pattern) => typeof pattern !== 'string' || new RegExp(pattern, 'u').test(value));
}

function* stringsOf(alphabet: readonly string[], maxLength: number): Generator<string> {
  yield '';
  if (maxLength === 0) return;
  for (const shorter of stringsOf(alphabet, maxLength - 1)) {
    if ([...shorter].length === maxLength - 1) for (const character of alphabet) yield shorter + character;
  }
}

/** Every string over `alphabet` up to `maxLength` that the document and zod judge differently. */
function disagreements(schema: z.ZodType, alphabet: readonly string[], maxLength: number): string[] {
  const json = new SchemaComponents().schemaOf(z.object({ value: schema }), 'input');
  const described = (json.properties as Record<string, JsonSchema>).value!;
  const kitRefuses = (value: string) => value.includes('\u0000');
  return [...stringsOf(alphabet, maxLength)].filter(
    (value) => admits(described, value) !== (schema.safeParse(value).success && !kitRefuses(value)),
  );
}

const spaces = [' ', '\t', '\u00a0', '\u3000'];

describe('string schemas in the OpenAPI document', () => {
  it('when listing what trimming removes, then it is exactly what String.prototype.trim removes', () => {
    const removed: number[] = [];
    for (let code = 0; code <= 0xffff; code += 1) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      if (`${String.fromCharCode(code)}x`.trim() === 'x') removed.push(code);
    }

    expect(removed).toEqual(trimmedCodePoints);
  });

  it.each<[string, z.ZodType, readonly string[]]>([
    ['a trimmed string with length bounds', z.string().trim().min(1).max(2), ['a', 'b', '\u0000', ...spaces]],
    ['a trimmed string of at least 2', z.string().trim().min(2), ['a', '\u0000', ...spaces]],
    [
      'a trimmed string of some characters (a class with a space)',
      z
        .string()
        .trim()
        .regex(/^[a-z .]{2,3}$/),
      ['a', '.', 'A', ...spaces],
    ],
    [
      'a trimmed string without some characters (a negated class)',
      z
        .string()
        .trim()
        .min(1)
        .max(3)
        .regex(/^[^<\u2028]*$/),
      ['a', '<', '\u2028', '\u0000', ...spaces],
    ],
    [
      'a trimmed string with an anchored pattern',
      z
        .string()
        .trim()
        .regex(/^a(?:\.a)*$/),
      ['a', '.', ...spaces],
    ],
    [
      'an untrimmed string with a pattern admitting NUL',
      z.string().regex(/^"[^"]*"$/),
      ['"', 'a', '\u0000', ' '],
    ],
    ['an untrimmed string with bounds', z.string().min(1).max(3), ['a', '\u0000', ' ']],
  ])(
    'when %s is described, then the document admits exactly what the service accepts',
    (_case, schema, alphabet) => {
      expect(disagreements(schema, alphabet, 5)).toEqual([]);
    },
  );

  it('when a string is an enum, then it gets no pattern', () => {
    const json = new SchemaComponents().schemaOf(z.object({ theme: z.enum(['light', 'dark']) }), 'input');

    expect((json.properties as Record<string, JsonSchema>).theme).toEqual({
      type: 'string',
      enum: ['light', 'dark'],
    });
  });

  it('when a string only admits printable ASCII by its pattern, then no second pattern is added', () => {
    const json = new SchemaComponents().schemaOf(z.object({ id: z.uuid() }), 'output');
    const id = (json.properties as Record<string, JsonSchema>).id!;

    expect(id).not.toHaveProperty('allOf');
    expect(id.pattern).toEqual(expect.stringMatching(/^\^/));
  });

  it('when a string is trimmed, then its description says so', () => {
    const json = new SchemaComponents().schemaOf(
      z.object({ name: z.string().trim().min(1).describe('A name') }),
      'input',
    );

    expect((json.properties as Record<string, JsonSchema>).name?.description).toBe(
      'A name Leading and trailing whitespace is ignored.',
    );
  });
});
