import {
  loadEnvironment,
  loadSecrets,
  oidcOf,
  secret,
  type ServiceName,
} from '@platform/platform/environment';

/** The running local stack as tests see it. */
export const environment = loadEnvironment();
export const secrets = loadSecrets();
export const oidc = oidcOf(environment);

export function serviceUrl(name: ServiceName): string {
  const { host, port } = environment.services[name];
  return `http://${host}:${port}`;
}

export function managementUrl(name: ServiceName): string {
  const { host, managementPort } = environment.services[name];
  return `http://${host}:${managementPort}`;
}

export const devUserPassword = () => secret(secrets, 'DEV_USER_PASSWORD');
