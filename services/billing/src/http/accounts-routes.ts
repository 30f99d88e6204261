import { parseBody, parseParams, principalOf, RouteTable, type Auth } from '@platform/kit';
import { accountParamsSchema, billingDetailsSchema } from '../domain/account-schemas.js';
import { billingAdminRole, userRole } from '../domain/billing-roles.js';
import { type AccountReaders, getAccount } from '../domain/get-account.js';
import { updateBillingDetails } from '../domain/update-billing-details.js';

export function accountsRoutes(auth: Auth, readers: AccountReaders): RouteTable {
  return new RouteTable({ auth, basePath: '/billing/accounts' })
    .get('/me', { roles: [userRole] }, async (req, res) => {
      res.json(await getAccount(readers, principalOf(req).subject));
    })
    .put('/me/details', { roles: [userRole] }, async (req, res) => {
      const details = parseBody(billingDetailsSchema, req);
      res.json(await updateBillingDetails(readers, principalOf(req).subject, details));
    })
    .get('/:userId', { roles: [billingAdminRole] }, async (req, res) => {
      res.json(await getAccount(readers, parseParams(accountParamsSchema, req).userId));
    });
}
