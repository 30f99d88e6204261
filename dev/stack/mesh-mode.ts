/**
 * Whether the stack runs the local mesh, as `stack up` last left it (`--no-mesh` turns it off),
 * and where the mesh keeps its state. Read by whatever starts an Envoy beside the stack's (a
 * second edge, the benchmark), so it reaches the services the way the stack's own edge does.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stackDir, stateDir } from './paths.js';

export const meshStateDir = join(stackDir, 'mesh');
/** The root of every identity's certificate folder (`<root>/<service account>/`). */
export const certsRoot = join(meshStateDir, 'certs');

const modeFile = join(stateDir, 'mesh-on');

export function recordMeshMode(on: boolean): void {
  if (!on) return rmSync(modeFile, { force: true });
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(modeFile, 'the local mesh is on\n');
}

export function meshRecorded(): boolean {
  return existsSync(modeFile);
}

/** The certificates' root when the mesh is on, for an edge that must reach the sidecars. */
export function meshCertsRootIfRunning(): string | undefined {
  return meshRecorded() ? certsRoot : undefined;
}
