#!/bin/sh
# The restore drill: last night's backup (in BACKUP_DIR) onto a new, empty server of the same
# major version, as after losing the old one. PGHOST, PGPORT and PGUSER are set for the new server.
set -eu
# -C creates shop as the dump says (connect to postgres to run CREATE DATABASE).
pg_restore -C -d postgres "$BACKUP_DIR/shop.dump"
