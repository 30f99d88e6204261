import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * The security headers of an API's responses (OWASP REST Security Cheat Sheet): nothing in a
 * response may load, run or be framed (`default-src 'none'; frame-ancestors 'none'`,
 * `X-Frame-Options: DENY`), its type is not sniffed, it is reached over HTTPS only (HSTS), and it
 * is not read by other origins' pages without CORS (`Cross-Origin-Resource-Policy`).
 *
 * helmet's defaults are written for HTML documents; the headers that only a document uses (opener
 * and origin-agent isolation, DNS prefetching, IE8's downloads, Flash's cross-domain policies, the
 * removed XSS auditor) are left out: they made every JSON response 400 bytes longer. A route that
 * serves a page sets the policy that page needs (the API documentation does).
 */
export function apiSecurityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
}
