import {
  databaseUnavailable,
  problem,
  unavailable,
  type ApiOperation,
  type ApiResponse,
} from '@platform/kit';
import { z } from 'zod';
import {
  ifMatchHeadersSchema,
  listUsersQuerySchema,
  profileChangesSchema,
  profileSchema,
  subjectParamsSchema,
  userIdParamsSchema,
  userPageSchema,
  usernameParamsSchema,
} from '../domain/profile-schemas.js';

const profileResponse = (description: string): ApiResponse => ({
  description,
  body: profileSchema,
  headers: { ETag: { description: 'The profile version, for If-Match', schema: z.string() } },
});

// Every route reads the caller's profile from the database; most also read Keycloak.
const dependencyUnavailable = unavailable('The database or Keycloak is unavailable or failing; retry later');

const refused = problem(
  'The token lacks the required role, or the caller is suspended or deleted (refused on every route)',
);

export const userApiOperations: readonly ApiOperation[] = [
  {
    method: 'GET',
    path: '/users/me',
    operationId: 'getMyProfile',
    summary: 'The caller’s profile',
    description:
      'Created on the first call from the token (status active, display name from the token). ' +
      'Local fields merged with e-mail, first and last name from Keycloak.',
    tags: ['profile'],
    responses: { 200: profileResponse('The profile'), 403: refused, 503: dependencyUnavailable },
  },
  {
    method: 'PATCH',
    path: '/users/me',
    operationId: 'updateMyProfile',
    summary: 'Change the caller’s profile',
    description:
      'One body may mix Keycloak-owned fields (firstName, lastName, email) and local ones. If the ' +
      'Keycloak write fails nothing local is committed. A new e-mail is unverified until confirmed; ' +
      'Keycloak mails a verification link. `If-Match` is optional; with a version other than the ' +
      'current one the change is refused with 412.',
    tags: ['profile'],
    headers: ifMatchHeadersSchema,
    body: profileChangesSchema,
    responses: {
      200: profileResponse('The changed profile'),
      403: refused,
      409: problem('Keycloak refused the change, e.g. the e-mail belongs to another account'),
      412: problem('If-Match names a version that is no longer current'),
      503: dependencyUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/users',
    operationId: 'listUsers',
    summary: 'List users, newest first',
    description: 'Local fields only; read one user for the Keycloak-owned ones.',
    tags: ['users'],
    query: listUsersQuerySchema,
    responses: {
      200: { description: 'One page of users', body: userPageSchema },
      403: refused,
      503: databaseUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/users/:id',
    operationId: 'getUser',
    summary: 'Any user’s profile',
    tags: ['users'],
    params: userIdParamsSchema,
    responses: {
      200: profileResponse('The profile'),
      403: refused,
      404: problem('No such user'),
      503: dependencyUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/internal/users/:id',
    operationId: 'getInternalUser',
    summary: 'A user by profile id (service to service)',
    tags: ['internal'],
    params: userIdParamsSchema,
    responses: {
      200: profileResponse('The profile'),
      403: refused,
      404: problem('No such user'),
      503: dependencyUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/internal/users/by-username/:username',
    operationId: 'getInternalUserByUsername',
    summary: 'A user by username (service to service)',
    description: 'A Keycloak user this service has not seen yet is provisioned on the call.',
    tags: ['internal'],
    params: usernameParamsSchema,
    responses: {
      200: profileResponse('The profile'),
      403: refused,
      404: problem('No such user, here or in Keycloak'),
      503: dependencyUnavailable,
    },
  },
  {
    method: 'GET',
    path: '/internal/users/by-subject/:sub',
    operationId: 'getInternalUserBySubject',
    summary: 'A user by Keycloak id, as events name them (service to service)',
    description: 'A Keycloak user this service has not seen yet is provisioned on the call.',
    tags: ['internal'],
    params: subjectParamsSchema,
    responses: {
      200: profileResponse('The profile'),
      403: refused,
      404: problem('No such user, here or in Keycloak'),
      503: dependencyUnavailable,
    },
  },
];
