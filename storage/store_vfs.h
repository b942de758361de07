/*
 * The store's VFS: SQLite's default one, with each transaction's WAL
 * writes gathered into one write (store_vfs.c says why and how).
 */
#ifndef STORAGE_STORE_VFS_H
#define STORAGE_STORE_VFS_H

#include <sqlite3.h>

#define STORE_VFS_NAME "ses-emulator"

/* Register the VFS (once per process); its name, or NULL when SQLite has no default VFS to wrap. */
const char *store_vfs_register(void);

#endif
