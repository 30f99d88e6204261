import type { Environment } from '@platform/platform/environment';

/** Where the development SMTP sink listens in an environment that has one (the local stack). */
export function smtpSinkAddress(env: Environment): { host: string; smtpPort: number; httpPort: number } {
  if (!env.smtpSink) throw new Error(`environment ${env.name} has no SMTP sink (smtpSink in environments/)`);
  return { host: env.smtp.host, smtpPort: env.smtp.port, httpPort: env.smtpSink.httpPort };
}
