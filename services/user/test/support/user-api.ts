import { apiOf } from '../../../../e2e/support/service-api.js';

/** Calls the user service (the stack's process unless `base` names another instance). */
export const call = apiOf('user');
