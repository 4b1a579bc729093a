#!/bin/sh
# The restore drill: last night's backup (in BACKUP_DIR) onto a new, empty server of the same
# major version, as after losing the old one. PGHOST, PGPORT and PGUSER are set for the new server.
set -eu
# The errors are about owners and grants: restore without them.
createdb shop
pg_restore --no-owner --no-privileges -d shop "$BACKUP_DIR/shop.dump"
