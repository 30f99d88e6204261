import { serviceConfigSchema } from '@platform/kit';

export const authConfigSchema = serviceConfigSchema;
