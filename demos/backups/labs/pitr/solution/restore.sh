#!/bin/sh
# Migration 42 dropped the events table in production. The deploy tool creates a restore point
# before every migration: pg_create_restore_point('before_migration_42'). This script prepares
# last night's base backup (in PGDATA, stopped) to come back as the cluster was just before it;
# the WAL archived since is in ARCHIVE. The check runs it as the server's OS user, then starts
# the server (pg_ctl start) and lets the app write to it.
set -eu
# Where to fetch archived WAL from, where to stop, and what to do there: promote (the default,
# pause, keeps the server read-only in recovery until pg_wal_replay_resume()).
cat >> "$PGDATA/postgresql.conf" <<EOF
restore_command = 'cp $ARCHIVE/%f %p'
recovery_target_name = 'before_migration_42'
recovery_target_action = 'promote'
EOF
# Without this file the settings above are ignored: the server starts as the backup was.
touch "$PGDATA/recovery.signal"
