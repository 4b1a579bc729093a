#!/bin/sh
# The nightly logical backup of the shop database. The check runs it with PGHOST, PGPORT and
# PGUSER set for the server, and BACKUP_DIR an empty folder that is kept for the restore.
set -eu
pg_dump -Fc -f "$BACKUP_DIR/shop.dump" shop
# Roles (and tablespaces) belong to the cluster, not to a database: pg_dump names the owner and
# the grantees of shop's objects but never creates them. pg_dumpall --globals-only does.
pg_dumpall --globals-only -f "$BACKUP_DIR/globals.sql"
