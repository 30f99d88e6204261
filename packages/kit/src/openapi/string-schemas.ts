import type { z } from 'zod';

type JsonSchema = Record<string, unknown>;
type Range = readonly [number, number];

// Patterns are read by three regular-expression engines: ECMAScript's (with the `u` flag, as JSON
// Schema validators compile them), Python's and Rust's (fuzzers and validators). The classes built
// here are spelled so that all three read them alike: no `\s` or `.` (their readings differ), no
// `\u{…}` (Python has no such escape) and no surrogate code points (Rust refuses them); a code
// point beyond U+FFFF is written as the character itself.

/**
 * Every code point a string in a request may hold: no NUL and no surrogate, i.e. exactly what the
 * kit's wellFormedStrings rule lets through (an unpaired surrogate is the only way a surrogate code
 * point reaches a string; a paired one is read as the code point the pair encodes).
 */
const textRanges: readonly Range[] = [
  [0x01, 0xd7ff],
  [0xe000, 0x10ffff],
];

const surrogates: Range = [0xd800, 0xdfff];

/** What String.prototype.trim removes: ECMAScript's WhiteSpace and LineTerminator code points. */
export const trimmedCodePoints: readonly number[] = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
  0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff,
];
const trimmedRanges: readonly Range[] = trimmedCodePoints.map((code) => [code, code]);

const whitespace = characterClass(trimmedRanges);

/** A string without NUL characters or unpaired surrogates: what the kit accepts anywhere in a request. */
export const wellFormedTextPattern = `^${characterClass(textRanges)}*$`;

/**
 * The raw strings whose trimmed value is `minLength` to `maxLength` characters from `characters`
 * (any text by default). Written without lookarounds, which fuzzers cannot generate from: the first
 * and the last character that is not whitespace delimit the trimmed value.
 */
export function trimmedTextPattern(
  minLength: number,
  maxLength: number | undefined,
  characters: readonly Range[] = textRanges,
): string {
  const allowed = intersection(characters, textRanges);
  const any = characterClass(allowed);
  const visible = characterClass(subtract(allowed, trimmedRanges));
  const middle = (from: number) => `${any}{${from},${maxLength === undefined ? '' : String(maxLength - 2)}}`;
  let value: string;
  if (maxLength !== undefined && maxLength < Math.max(minLength, 1)) value = '';
  else if (maxLength === 1) value = visible;
  else if (minLength <= 1) value = `${visible}(?:${middle(0)}${visible})?`;
  else value = `${visible}${middle(minLength - 2)}${visible}`;
  if (value === '') return `^${whitespace}*$`;
  return `^${whitespace}*(?:${value})${minLength <= 0 ? '?' : ''}${whitespace}*$`;
}

/**
 * The raw strings whose trimmed value matches `pattern`, which is anchored at its start (and
 * usually at its end). Exact as long as no match of `pattern` starts or ends with whitespace,
 * which a pattern for trimmed values has no reason to allow.
 */
export function trimmedPattern(pattern: string): string {
  if (!pattern.startsWith('^')) {
    throw new Error(`a pattern on a trimmed string must be anchored with ^: /${pattern}/`);
  }
  const endsAnchored = pattern.endsWith('$') && !pattern.endsWith('\\$');
  const core = pattern.slice(1, endsAnchored ? -1 : undefined);
  return `^${whitespace}*(?:${core})${endsAnchored ? `${whitespace}*$` : ''}`;
}

/**
 * Whether a pattern can only match NUL-free, surrogate-free text anyway: it is anchored and names
 * every character it admits in printable ASCII (no `.`, no negated class, no class escape but \d
 * and \w).
 */
export function admitsOnlyNamedAscii(pattern: string): boolean {
  const rest = pattern.replace(/\\[^A-Za-z0-9]|\\[dwbB]/g, '');
  const anchored = pattern.startsWith('^') && pattern.endsWith('$') && !pattern.endsWith('\\$');
  return anchored && !/[\\.]|\[\^|[^\x20-\x7e]/.test(rest);
}

/** `^[…]{m,n}$` and the like: one character class, repeated. */
export interface RepeatedClass {
  readonly characters: readonly Range[];
  readonly min: number;
  readonly max: number | undefined;
}

/** Reads a pattern that is one repeated class, or undefined for any other pattern. */
export function repeatedClassOf(pattern: string): RepeatedClass | undefined {
  const match = /^\^\[(\^?)((?:\\.|[^\]\\])*)\](\*|\+|\{(\d+)(,(\d*))?\})\$$/.exec(pattern);
  if (!match) return undefined;
  const [, negated, body = '', quantifier, from, comma, to] = match;
  const ranges = classRanges(body);
  if (ranges === undefined) return undefined;
  const min = quantifier === '*' ? 0 : quantifier === '+' ? 1 : Number(from);
  let max: number | undefined;
  if (quantifier !== '*' && quantifier !== '+')
    max = comma === undefined ? min : to === '' ? undefined : Number(to);
  return { characters: negated === '^' ? subtract([[0, 0x10ffff]], ranges) : ranges, min, max };
}

const trimMarker = 'x-kit-trimmed';

/**
 * For z.toJSONSchema's `override`: marks request strings that zod trims before checking them, so
 * that describeStrings can state their constraints on the raw value a client sends.
 */
export function markTrimmedStrings(ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: JsonSchema }): void {
  const def = ctx.zodSchema._zod.def;
  if (def.type !== 'string') return;
  const trims = (def.checks ?? []).some((check) => {
    const checkDef = check._zod.def as { check: string; tx?: (value: string) => string };
    return checkDef.check === 'overwrite' && checkDef.tx?.(' x ') === 'x';
  });
  if (trims) ctx.jsonSchema[trimMarker] = true;
}

/**
 * Rewrites every string schema in a converted schema so that it states all the kit enforces:
 * - no string (enums and constants aside) admits a NUL character or an unpaired surrogate;
 * - a trimmed string's bounds and patterns hold for its trimmed value, so they are restated as
 *   patterns over the raw value (JSON Schema has no notion of trimming).
 */
export function describeStrings(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) describeStrings(item);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as JsonSchema;
  for (const value of Object.values(node)) describeStrings(value);
  const type = node.type;
  if (type === 'string' || (Array.isArray(type) && type.includes('string'))) describeString(node);
}

interface Pattern {
  readonly pattern: string;
  /** Cannot match a NUL character or a surrogate. */
  readonly wellFormed: boolean;
}

function describeString(node: JsonSchema): void {
  const trimmed = node[trimMarker] === true;
  delete node[trimMarker];
  if ('enum' in node || 'const' in node) return;
  const own = takePatterns(node);
  const patterns = trimmed
    ? trimmedPatterns(node, own)
    : own.map((pattern) => ({ pattern, wellFormed: admitsOnlyNamedAscii(pattern) }));
  if (!patterns.some(({ wellFormed }) => wellFormed)) {
    patterns.push({ pattern: wellFormedTextPattern, wellFormed: true });
  }
  const [first, ...rest] = patterns;
  if (first !== undefined) node.pattern = first.pattern;
  if (rest.length > 0) node.allOf = [...rest.map(({ pattern }) => ({ pattern })), ...allOfOf(node)];
}

/**
 * A trimmed string's length bounds and patterns, restated over the raw value. Bounds and a pattern
 * that is one repeated class become one pattern; other patterns are wrapped by trimmedPattern. The
 * format goes too: it would apply to the raw value, and the pattern that comes with it says the
 * same of the trimmed one.
 */
function trimmedPatterns(node: JsonSchema, own: readonly string[]): Pattern[] {
  let min = typeof node.minLength === 'number' ? node.minLength : 0;
  let max = typeof node.maxLength === 'number' ? node.maxLength : undefined;
  delete node.minLength;
  delete node.maxLength;
  if (own.length > 0) delete node.format;
  let characters: readonly Range[] = textRanges;
  const patterns: Pattern[] = [];
  for (const pattern of own) {
    const repeated = repeatedClassOf(pattern);
    if (repeated !== undefined && characters === textRanges) {
      characters = intersection(repeated.characters, textRanges);
      min = Math.max(min, repeated.min);
      max = repeated.max === undefined ? max : Math.min(max ?? repeated.max, repeated.max);
    } else {
      patterns.push({ pattern: trimmedPattern(pattern), wellFormed: admitsOnlyNamedAscii(pattern) });
    }
  }
  if (min > 0 || max !== undefined || characters !== textRanges) {
    patterns.unshift({ pattern: trimmedTextPattern(min, max, characters), wellFormed: true });
  }
  node.description = [node.description, 'Leading and trailing whitespace is ignored.']
    .filter((part) => typeof part === 'string')
    .join(' ');
  return patterns;
}

/** Removes and returns the schema's patterns: `pattern`, and those zod puts in `allOf` when there are several. */
function takePatterns(node: JsonSchema): string[] {
  const patterns: string[] = [];
  if (typeof node.pattern === 'string') patterns.push(node.pattern);
  delete node.pattern;
  const others = allOfOf(node).filter((entry) => {
    const isPattern = Object.keys(entry).length === 1 && typeof entry.pattern === 'string';
    if (isPattern) patterns.push(entry.pattern as string);
    return !isPattern;
  });
  if (others.length > 0) node.allOf = others;
  else delete node.allOf;
  return patterns;
}

function allOfOf(node: JsonSchema): JsonSchema[] {
  return Array.isArray(node.allOf) ? (node.allOf as JsonSchema[]) : [];
}

/**
 * A class admitting `ranges`. A set that reaches beyond U+FFFF is written as the negation of what
 * it leaves out: fuzzers generate from a negated class at once, but enumerate a positive one code
 * point by code point. Surrogates are left out of both spellings, as Rust's engine refuses them
 * (ECMAScript and Python read `[^…]` as admitting an unpaired surrogate, which the document's
 * description rules out for every string; no fuzzer generates one).
 */
function characterClass(ranges: readonly Range[]): string {
  const reachesAstral = ranges.some(([, high]) => high > 0xffff);
  const listed = reachesAstral ? subtract([[0, 0x10ffff]], [...ranges, surrogates]) : ranges;
  const point = (code: number) =>
    code > 0xffff ? String.fromCodePoint(code) : `\\u${code.toString(16).padStart(4, '0')}`;
  const merged: [number, number][] = [];
  for (const [low, high] of [...listed].sort(([a], [b]) => a - b)) {
    const last = merged.at(-1);
    if (last !== undefined && low <= last[1] + 1) last[1] = Math.max(last[1], high);
    else merged.push([low, high]);
  }
  const items = merged.map(([low, high]) => (low === high ? point(low) : `${point(low)}-${point(high)}`));
  return `[${reachesAstral ? '^' : ''}${items.join('')}]`;
}

function intersection(a: readonly Range[], b: readonly Range[]): Range[] {
  return a.flatMap(([low, high]) =>
    b.flatMap(([otherLow, otherHigh]): Range[] => {
      const from = Math.max(low, otherLow);
      const to = Math.min(high, otherHigh);
      return from <= to ? [[from, to]] : [];
    }),
  );
}

function subtract(ranges: readonly Range[], removed: readonly Range[]): Range[] {
  let result: Range[] = [...ranges];
  for (const [removedLow, removedHigh] of removed) {
    result = result.flatMap(([low, high]): Range[] => {
      if (removedHigh < low || removedLow > high) return [[low, high]];
      const parts: Range[] = [];
      if (low < removedLow) parts.push([low, removedLow - 1]);
      if (high > removedHigh) parts.push([removedHigh + 1, high]);
      return parts;
    });
  }
  return result.sort(([a], [b]) => a - b);
}

const classEscapes: Readonly<Record<string, readonly Range[]>> = {
  d: [[0x30, 0x39]],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  t: [[0x09, 0x09]],
  n: [[0x0a, 0x0a]],
  v: [[0x0b, 0x0b]],
  f: [[0x0c, 0x0c]],
  r: [[0x0d, 0x0d]],
};

/** The code points of a class body, or undefined when it holds an escape this reader does not know. */
function classRanges(body: string): Range[] | undefined {
  // Each item is a code point, a class escape's ranges or an unescaped `-`, which between two code
  // points makes a range.
  const items: (number | Range[] | '-')[] = [];
  for (let index = 0; index < body.length;) {
    const rest = body.slice(index);
    const numeric = /^\\u([0-9a-fA-F]{4})|^\\x([0-9a-fA-F]{2})/.exec(rest);
    if (numeric) {
      items.push(parseInt(numeric[1] ?? numeric[2] ?? '', 16));
      index += numeric[0].length;
    } else if (rest.startsWith('\\')) {
      const escaped = rest.slice(1, 2);
      const known = classEscapes[escaped];
      if (known) items.push([...known]);
      else if (/^[A-Za-z0-9]$/.test(escaped)) return undefined;
      else items.push(escaped.charCodeAt(0));
      index += 2;
    } else {
      const code = rest.codePointAt(0) ?? 0;
      items.push(code === 0x2d ? '-' : code);
      index += String.fromCodePoint(code).length;
    }
  }
  const ranges: Range[] = [];
  for (let index = 0; index < items.length; index += 1) {
    const item = items[index];
    const end = items[index + 2];
    if (typeof item === 'number' && items[index + 1] === '-' && typeof end === 'number') {
      ranges.push([item, end]);
      index += 2;
    } else if (typeof item === 'number') {
      ranges.push([item, item]);
    } else if (item === '-') {
      ranges.push([0x2d, 0x2d]);
    } else if (item !== undefined) {
      ranges.push(...item);
    }
  }
  return ranges;
}
