/*  broker_db_upgrade.h - the schema of the broker's database, and the
    upgrade of data folders that older brokers wrote. Internal to
    broker_db.c, which calls it inside the transaction that opens a file.

    Versions: 1 kept every series as a file; 2 added a table for small
    series; 3 wrote metrics as plain JSON; 4 keeps every series as its raw
    array in the sweep's series file (broker_store.h), named by its row;
    5 records each sweep's owner (its client's CurveZMQ key).
*/
#ifndef BROKER_DB_UPGRADE_H_INCLUDED
#define BROKER_DB_UPGRADE_H_INCLUDED

#include "broker_store.h"
#include "bsw_error.h"

#include <sqlite3.h>

#define BROKER_DB_SCHEMA_VERSION 6

/*  Brings the database from `version` (0: a new file) to
    BROKER_DB_SCHEMA_VERSION, inside the caller's transaction: the tables of
    a new file, or each upgrade in turn. The upgrade to 4 reads every
    stored TimeSeriesRegion file (in the database or beside it) and
    appends its data array to the sweep's series file through store.
    Returns 0, or BSW_EDB / BSW_EIO / BSW_ENOSPACE with err; the caller
    rolls back. db_path and dir name the files in sentences. */
int broker_db_upgrade (sqlite3 *db, long version, const char *db_path, const char *dir,
                       broker_store_t *store, bsw_error_t *err);

/*  After the upgrade to 4 has committed: removes the old per-point files
    (DIR/sweeps/<id>/ts/) that nothing reads any more. Best effort. */
void broker_db_upgrade_cleanup (const char *dir);

#endif
