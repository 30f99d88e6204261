import type { Environment } from '../environment.js';

type Step = (name: string, action: () => Promise<string>) => Promise<void>;

export async function startServices(_env: Environment, _secrets: Record<string, string>, _step: Step): Promise<void> {}
export async function stopServices(_step: Step): Promise<void> {}
export function servicePids(): Record<string, number | undefined> {
  return {};
}
