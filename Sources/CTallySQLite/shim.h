#ifndef CTALLY_SQLITE_SHIM_H
#define CTALLY_SQLITE_SHIM_H
#include <sqlite3.h>

/* Typed wrappers for SQLite's variadic entry points, which Swift cannot call. */

/** Sets a single integer-valued global option through sqlite3_config. */
static inline int ctally_sqlite_config_int(int option, int value) {
    return sqlite3_config(option, value);
}

/** Sets an integer-valued per-connection option through sqlite3_db_config. */
static inline int ctally_sqlite_db_config_int(sqlite3 *db, int option, int value, int *result) {
    return sqlite3_db_config(db, option, value, result);
}

#endif
