import type { Principal } from '@platform/kit';

export const userRole = 'user';
export const billingAdminRole = 'billing-admin';

export const isBillingAdmin = (principal: Principal) => principal.roles.includes(billingAdminRole);

/** Whether the caller may see (and so pay) an invoice or account of `ownerId`. */
export const mayAccess = (principal: Principal, ownerId: string) =>
  principal.subject === ownerId || isBillingAdmin(principal);
