import { databaseUnavailable, problem, unavailable, type ApiOperation } from '@platform/kit';
import { auditPageSchema, listAuditQuerySchema } from '../domain/audit-schemas.js';
import {
  accountPageSchema,
  listUsersQuerySchema,
  passwordResetAcceptedSchema,
  passwordResetBodySchema,
  signedUpSchema,
  signUpBodySchema,
  userDetailSchema,
  userParamsSchema,
  userRoleParamsSchema,
} from '../domain/user-schemas.js';

const keycloakUnavailable = unavailable('Keycloak is unreachable or failing; retry later');
const dependencyUnavailable = unavailable('Keycloak or the database is unavailable or failing; retry later');
const noSuchAccount = problem('No such account');
const account = (description: string) => ({ description, body: userDetailSchema });

export const authApiOperations: readonly ApiOperation[] = [
  {
    method: 'POST',
    path: '/auth/signup',
    operationId: 'signUp',
    summary: 'Create an account',
    description:
      'The e-mail address becomes the username. Keycloak mails a verification link; the account holds ' +
      'the default role `user`. The realm’s password policy applies (stated in the schema; Keycloak also ' +
      'refuses a password equal to the e-mail address, with 400).',
    tags: ['account'],
    body: signUpBodySchema,
    responses: {
      201: { description: 'The account', body: signedUpSchema },
      409: problem('An account with this e-mail address already exists'),
      503: dependencyUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/auth/password-reset',
    operationId: 'requestPasswordReset',
    summary: 'Mail a password-reset link',
    description:
      'Answered at once and the same way whether or not the address has an account; the link is mailed ' +
      'afterwards, to an enabled account only.',
    tags: ['account'],
    body: passwordResetBodySchema,
    responses: { 202: { description: 'The request is accepted', body: passwordResetAcceptedSchema } },
  },
  {
    method: 'GET',
    path: '/auth/admin/users',
    operationId: 'listAccounts',
    summary: 'List accounts, in Keycloak’s order (by username)',
    description: 'Service accounts are not listed.',
    tags: ['administration'],
    query: listUsersQuerySchema,
    responses: {
      200: { description: 'One page of accounts', body: accountPageSchema },
      503: keycloakUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/auth/admin/users/:id',
    operationId: 'getAccount',
    summary: 'One account with its effective realm roles',
    tags: ['administration'],
    params: userParamsSchema,
    responses: { 200: account('The account'), 404: noSuchAccount, 503: keycloakUnavailable },
  },
  {
    method: 'POST',
    path: '/auth/admin/users/:id/disable',
    operationId: 'disableAccount',
    summary: 'Disable an account and end its sessions',
    description:
      'Disabling a disabled account changes nothing. An administrator cannot disable their own account (403).',
    tags: ['administration'],
    params: userParamsSchema,
    responses: {
      200: account('The account, disabled'),
      403: problem('The token lacks the required role, or the account is the caller’s own'),
      404: noSuchAccount,
      503: dependencyUnavailable,
    },
  },
  {
    method: 'POST',
    path: '/auth/admin/users/:id/enable',
    operationId: 'enableAccount',
    summary: 'Enable an account',
    description: 'Enabling an enabled account changes nothing.',
    tags: ['administration'],
    params: userParamsSchema,
    responses: { 200: account('The account, enabled'), 404: noSuchAccount, 503: dependencyUnavailable },
  },
  {
    method: 'PUT',
    path: '/auth/admin/users/:id/roles/:role',
    operationId: 'grantRole',
    summary: 'Grant a realm role',
    description: 'Granting a role the account already holds changes nothing.',
    tags: ['administration'],
    params: userRoleParamsSchema,
    responses: { 200: account('The account with its roles'), 404: noSuchAccount, 503: dependencyUnavailable },
  },
  {
    method: 'DELETE',
    path: '/auth/admin/users/:id/roles/:role',
    operationId: 'revokeRole',
    summary: 'Remove a realm role',
    description:
      'Removing a role the account does not hold changes nothing. Nobody may remove their own `admin` role (403).',
    tags: ['administration'],
    params: userRoleParamsSchema,
    responses: {
      200: account('The account with its roles'),
      403: problem('The token lacks the required role, or the caller would remove their own admin role'),
      404: noSuchAccount,
      409: problem('The account holds the role through a composite role (such as the default roles) only'),
      503: dependencyUnavailable,
    },
  },
  {
    method: 'DELETE',
    path: '/auth/admin/users/:id',
    operationId: 'deleteAccount',
    summary: 'Delete an account',
    description: 'Cannot be undone. An administrator cannot delete their own account (403).',
    tags: ['administration'],
    params: userParamsSchema,
    responses: {
      204: { description: 'The account is deleted' },
      403: problem('The token lacks the required role, or the account is the caller’s own'),
      404: noSuchAccount,
      503: dependencyUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/auth/audit',
    operationId: 'listAuditEntries',
    summary: 'The audit log, newest first',
    tags: ['administration'],
    query: listAuditQuerySchema,
    responses: {
      200: { description: 'One page of audit entries', body: auditPageSchema },
      503: databaseUnavailable,
    },
  },
];
