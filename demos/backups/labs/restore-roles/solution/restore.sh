#!/bin/sh
# The restore drill: last night's backup (in BACKUP_DIR) onto a new, empty server of the same
# major version, as after losing the old one. PGHOST, PGPORT and PGUSER are set for the new server.
set -eu
# The roles first, so that ownership and grants have someone to name. (One harmless error:
# the new server already has its bootstrap superuser, postgres.)
psql -X -q -f "$BACKUP_DIR/globals.sql" postgres
createdb shop
pg_restore -d shop "$BACKUP_DIR/shop.dump"
