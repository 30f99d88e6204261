import { serviceConfigSchema } from '@platform/kit';

export const userConfigSchema = serviceConfigSchema;
