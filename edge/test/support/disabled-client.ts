import { randomBytes, randomUUID } from 'node:crypto';
import { masterAdminToken } from '@platform/dev/stack/keycloak';
import { environment, oidc, secrets } from '@platform/test-support/stack';

/**
 * A throwaway confidential client (dev realm only), created and removed through the Admin API so the
 * shared clients are never touched. Its tokens live `lifespanSeconds`.
 */
export class ThrowawayClient {
  readonly clientId = `edge-test-${randomUUID().slice(0, 8)}`;
  readonly #secret = randomBytes(24).toString('base64url');
  #uuid: string | undefined;

  constructor(readonly lifespanSeconds: number) {}

  async create(): Promise<void> {
    const response = await this.#admin('/clients', {
      method: 'POST',
      body: JSON.stringify(this.#representation(true)),
    });
    if (response.status !== 201)
      throw new Error(`creating ${this.clientId}: ${response.status} ${await response.text()}`);
    this.#uuid = new URL(response.headers.get('location')!).pathname.split('/').at(-1);
  }

  async disable(): Promise<void> {
    const response = await this.#admin(`/clients/${this.#uuid}`, {
      method: 'PUT',
      body: JSON.stringify({ ...this.#representation(false), id: this.#uuid }),
    });
    if (response.status !== 204) throw new Error(`disabling ${this.clientId}: ${response.status}`);
  }

  async remove(): Promise<void> {
    if (this.#uuid) await this.#admin(`/clients/${this.#uuid}`, { method: 'DELETE' });
  }

  /** A client-credentials token request: the response itself, so a refusal can be asserted. */
  requestToken(): Promise<Response> {
    return fetch(oidc.tokenUrl, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${this.clientId}:${this.#secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
  }

  #representation(enabled: boolean) {
    return {
      clientId: this.clientId,
      description: 'Throwaway client of edge/test (deleted by the test)',
      enabled,
      protocol: 'openid-connect',
      publicClient: false,
      clientAuthenticatorType: 'client-secret',
      secret: this.#secret,
      serviceAccountsEnabled: true,
      standardFlowEnabled: false,
      directAccessGrantsEnabled: false,
      fullScopeAllowed: true,
      attributes: {
        'access.token.lifespan': String(this.lifespanSeconds),
        'client.use.lightweight.access.token.enabled': 'false',
      },
      defaultClientScopes: ['basic', 'roles', 'api-audience'],
    };
  }

  async #admin(path: string, init: RequestInit): Promise<Response> {
    const token = await masterAdminToken(environment, secrets);
    return fetch(`${environment.keycloak.internalUrl}/admin/realms/${environment.realm}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  }
}
