import { join } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { repoRoot } from './environment.js';

/** The first lines of every rendered file: it says so, and where its content comes from. */
export const renderedHeader = (source: string) =>
  `# Rendered by \`npm run render\`; edit the source, then render again.\n# Source: ${source}.\n`;

/** A rendered file formatted as prettier formats the committed one, so the freshness test compares like with like. */
export async function formatted(path: string, text: string, parser: 'json' | 'yaml'): Promise<string> {
  const options = (await resolveConfig(join(repoRoot, path))) ?? {};
  return format(text, { ...options, parser });
}
