import { parseBody, requestIdOf, RouteTable, type Auth } from '@platform/kit';
import { requestPasswordReset, type PasswordResetDependencies } from '../domain/request-password-reset.js';
import { signUp, type SignUpDependencies } from '../domain/sign-up.js';
import { passwordResetBodySchema, signUpBodySchema } from '../domain/user-schemas.js';

/** Public routes (no token): the edge rate-limits them. */
export function accountRoutes(
  auth: Auth,
  dependencies: SignUpDependencies & PasswordResetDependencies,
): RouteTable {
  return new RouteTable({ auth, basePath: '/auth' })
    .post('/signup', { public: true }, async (req, res) => {
      res.status(201).json(await signUp(dependencies, parseBody(signUpBodySchema, req), requestIdOf(req)));
    })
    .post('/password-reset', { public: true }, (req, res) => {
      const { email } = parseBody(passwordResetBodySchema, req);
      res.status(202).json(requestPasswordReset(dependencies, email, requestIdOf(req)));
    });
}
