import { z } from 'zod';

// Fields a service passes on to Keycloak's user profile, checked here by the rules Keycloak applies
// (the realm's default user profile), so that a request Keycloak would refuse is refused with the
// field named and the rule stated in the API document, never accepted by the schema and then
// refused by Keycloak with an untranslated message key.

/**
 * What Keycloak's person-name validator refuses: markup and shell metacharacters, control
 * characters, and the line and paragraph separators.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it refuses
const personNamePattern = /^[^<>&"$%!#?§;*~/\\|^=[\]{}()\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;

/** A first or last name as Keycloak stores it. */
export function personName(maxLength: number) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(maxLength)
    .regex(personNamePattern, 'must not contain characters such as < > & " $ % ! # ? ; * / \\');
}

// Keycloak's e-mail validator: labels of at most 63 characters that neither start nor end with a
// hyphen, a local part of at most 64 characters. Used as a username, the address may not hold an
// apostrophe either (Keycloak's username validator).
const domain = String.raw`(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}`;
const localPart = (characters: string) => String.raw`(?:[${characters}]+\.)*[${characters}]*[A-Za-z0-9_+-]`;
const emailPattern = new RegExp(`^${localPart(String.raw`A-Za-z0-9_'+\-`)}@${domain}$`);
const usernameEmailPattern = new RegExp(`^${localPart(String.raw`A-Za-z0-9_+\-`)}@${domain}$`);
const localPartLength = /^[A-Za-z0-9_'+.-]{1,64}@/;

/**
 * An e-mail address Keycloak accepts, trimmed and in lower case (Keycloak stores it so).
 * `asUsername` for an address that is also the account's username.
 */
export function emailAddress({ asUsername = false }: { readonly asUsername?: boolean } = {}) {
  return (
    z
      .string()
      .trim()
      .toLowerCase()
      .max(254)
      // One error for an address that is none, not a second one about its parts.
      .regex(asUsername ? usernameEmailPattern : emailPattern, {
        error: 'must be an e-mail address',
        abort: true,
      })
      .regex(localPartLength, 'the part before @ must be at most 64 characters')
  );
}
