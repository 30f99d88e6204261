/** The full template of a route: its router's mount path plus its own path ('/' adds nothing). */
export function joinRoutePath(basePath: string, routePath: string): string {
  if (routePath === '/' || routePath === '') return basePath === '' ? '/' : basePath;
  return `${basePath}${routePath}`;
}
