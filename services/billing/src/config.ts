import { serviceConfigSchema } from '@platform/kit';

export const billingConfigSchema = serviceConfigSchema;
