import { apiOf } from '@platform/test-support/service-api';

/** Calls the user service (the stack's process unless `base` names another instance). */
export const call = apiOf('user');
