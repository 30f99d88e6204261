import { serviceMain } from '@platform/kit';
import { service } from './service.js';

await serviceMain(service);
