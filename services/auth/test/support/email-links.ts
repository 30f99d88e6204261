/** Reads the link out of a Keycloak e-mail and follows it as a browser would. */
import type { SinkMessage } from '@platform/dev/smtp-sink/mailbox';

/** The action link in a Keycloak mail (verification, password update). */
export function actionLinkOf(message: SinkMessage): string {
  const link = /https?:\/\/\S+\/login-actions\/action-token\?\S+/.exec(message.text)?.[0];
  if (!link) throw new Error(`no action link in "${message.subject}"`);
  return link;
}

/**
 * Opens a link with a cookie jar, following redirects and Keycloak's "Click here to proceed"
 * confirmation page, until a page with nothing more to follow. Returns that page's text.
 */
export async function followActionLink(link: string, maxSteps = 6): Promise<string> {
  const cookies = new Map<string, string>();
  let next: string | undefined = link;
  let page = '';
  for (let step = 0; next !== undefined && step < maxSteps; step += 1) {
    const response: Response = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const separator = pair.indexOf('=');
      cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
    }
    page = await response.text();
    const location = response.headers.get('location');
    const proceed = /href="([^"]*\/login-actions\/[^"]*)"/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    next = location !== null ? new URL(location, next).toString() : proceed;
  }
  return page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}
