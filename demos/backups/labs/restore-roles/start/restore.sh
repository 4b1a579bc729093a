#!/bin/sh
# The restore drill: last night's backup (in BACKUP_DIR) onto a new, empty server of the same
# major version, as after losing the old one. PGHOST, PGPORT and PGUSER are set for the new server.
set -eu
# TODO: on a new server pg_restore ends with errors.
createdb shop
pg_restore -d shop "$BACKUP_DIR/shop.dump"
