import { expect } from 'vitest';
import type { EdgeResponse } from '@platform/test-support/edge';

/**
 * An answer Tyk gives itself: the body is the RFC 9457 problem from the rendered error templates,
 * but Tyk labels every template `application/json` (it has no setting for the media type).
 */
export function expectTykProblem(response: EdgeResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  expect(response.json()).toMatchObject({ type: 'about:blank', status });
}
