#!/bin/bash
# Runs once, when the data directory is first initialised: one role and one database per owner,
# the same owners as the local stack (dev/stack/postgres.ts). Passwords come from the environment
# and reach SQL as psql variables, quoted by psql.
set -euo pipefail
create() {
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v owner="$1" -v password="$2" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'password';
CREATE DATABASE :"owner" OWNER :"owner";
SQL
}
create keycloak "$KEYCLOAK_DB_PASSWORD"
create auth "$AUTH_DB_PASSWORD"
create users "$USER_DB_PASSWORD"
create billing "$BILLING_DB_PASSWORD"
