import type { ValueTransformer } from 'typeorm';

/**
 * Money columns are `bigint`, which pg returns as strings. Amounts are capped well below
 * Number.MAX_SAFE_INTEGER by the request schemas, so a JavaScript number holds them exactly.
 */
export const minorUnitsTransformer: ValueTransformer = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? value : Number(value)),
};
