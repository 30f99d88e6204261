import { z } from 'zod';

/**
 * The part of Tyk's `x-tyk-api-gateway` extension the renderer writes, as a strict schema: unknown
 * keys fail, as in Tyk's own apidef/oas/schema/x-tyk-api-gateway.strict.json (additionalProperties
 * false, the same required fields), with the JWT fields added since then (5.9: jwksURIs; 5.10:
 * allowedIssuers, allowedAudiences, subjectClaims) named as in the 5.14 vendor-extension reference.
 * A misspelt field would be ignored by the gateway without a word; here it fails the test.
 */
const allowance = z.object({ enabled: z.boolean(), ignoreCase: z.boolean().optional() }).strict();
const authSource = z.object({ enabled: z.boolean(), name: z.string().optional() }).strict();
/** Tyk's ReadableDuration, e.g. "60s", "1m30s". */
const readableDuration = z.string().regex(/^(\d+h)?(\d+m)?(\d+s)?$/);

const jwt = z
  .object({
    enabled: z.boolean(),
    header: authSource.optional(),
    source: z.string().optional(),
    jwksURIs: z
      .array(z.object({ url: z.url(), cacheTimeout: readableDuration.optional() }).strict())
      .optional(),
    signingMethod: z.enum(['rsa', 'hmac', 'ecdsa']),
    identityBaseField: z.string().optional(),
    subjectClaims: z.array(z.string()).optional(),
    skipKid: z.boolean().optional(),
    policyFieldName: z.string().optional(),
    scopes: z
      .object({
        claimName: z.string().optional(),
        claims: z.array(z.string()).optional(),
        scopeToPolicyMapping: z.array(z.object({ scope: z.string(), policyId: z.string() }).strict()),
      })
      .strict()
      .optional(),
    defaultPolicies: z.array(z.string()).optional(),
    issuedAtValidationSkew: z.number().int().nonnegative().optional(),
    notBeforeValidationSkew: z.number().int().nonnegative().optional(),
    expiresAtValidationSkew: z.number().int().nonnegative().optional(),
    allowedIssuers: z.array(z.string()).optional(),
    allowedAudiences: z.array(z.string()).optional(),
    idpClientIdMappingDisabled: z.boolean().optional(),
  })
  .strict();

const operation = z
  .object({
    allow: allowance.optional(),
    block: allowance.optional(),
    ignoreAuthentication: allowance.optional(),
    enforceTimeout: z
      .object({ enabled: z.boolean(), value: z.number().int().nonnegative() })
      .strict()
      .optional(),
    requestSizeLimit: z
      .object({ enabled: z.boolean(), value: z.number().int().nonnegative() })
      .strict()
      .optional(),
    rateLimit: z
      .object({ enabled: z.boolean(), rate: z.number(), per: readableDuration })
      .strict()
      .optional(),
  })
  .strict();

export const xTykApiGatewaySchema = z
  .object({
    info: z
      .object({
        id: z.string(),
        orgId: z.string(),
        name: z.string().regex(/\S+/),
        state: z.object({ active: z.boolean(), internal: z.boolean().optional() }).strict(),
      })
      .strict(),
    upstream: z.object({ url: z.string() }).strict(),
    server: z
      .object({
        listenPath: z.object({ value: z.string().regex(/\S+/), strip: z.boolean().optional() }).strict(),
        authentication: z
          .object({
            enabled: z.boolean(),
            stripAuthorizationData: z.boolean().optional(),
            securitySchemes: z.record(z.string().regex(/^[a-zA-Z0-9.\-_]+$/), jwt),
          })
          .strict(),
      })
      .strict(),
    middleware: z
      .object({
        global: z
          .object({
            cors: z
              .object({
                enabled: z.boolean(),
                maxAge: z.number().int().optional(),
                allowCredentials: z.boolean().optional(),
                exposedHeaders: z.array(z.string()).optional(),
                allowedHeaders: z.array(z.string()).optional(),
                optionsPassthrough: z.boolean().optional(),
                debug: z.boolean().optional(),
                allowedOrigins: z.array(z.string()).optional(),
                allowedMethods: z.array(z.string()).optional(),
              })
              .strict(),
            requestSizeLimit: z
              .object({ enabled: z.boolean(), value: z.number().int().nonnegative() })
              .strict(),
          })
          .strict(),
        operations: z.record(z.string().regex(/\S+/), operation),
      })
      .strict(),
  })
  .strict();

/** The OpenAPI 3.0 skeleton Tyk validates on load (kin-openapi): operations need responses, path parameters need declaring. */
export const oasDocumentSchema = z.object({
  openapi: z.string().regex(/^3\.0\.\d+$/),
  info: z.object({ title: z.string(), version: z.string() }),
  paths: z.record(
    z.string().regex(/^\//),
    z.partialRecord(
      z.enum(['get', 'post', 'put', 'patch', 'delete']),
      z.object({
        operationId: z.string(),
        parameters: z
          .array(
            z.object({
              name: z.string(),
              in: z.literal('path'),
              required: z.literal(true),
              schema: z.object({}).loose(),
            }),
          )
          .optional(),
        security: z.array(z.unknown()).optional(),
        responses: z.record(z.string(), z.object({ description: z.string() })),
      }),
    ),
  ),
  'x-tyk-api-gateway': xTykApiGatewaySchema,
});
