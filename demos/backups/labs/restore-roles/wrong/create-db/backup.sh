#!/bin/sh
# The nightly logical backup of the shop database. The check runs it with PGHOST, PGPORT and
# PGUSER set for the server, and BACKUP_DIR an empty folder that is kept for the restore.
set -eu
# -C: the dump recreates the database itself, with its owner.
pg_dump -Fc -C -f "$BACKUP_DIR/shop.dump" shop
