#ifndef TALLY_FAULT_VFS_H
#define TALLY_FAULT_VFS_H
#include <stdint.h>

/*
 * A fault-injecting SQLite VFS for tests: it wraps the default (unix) VFS, keeps every write and
 * truncate of a file pending until that file's xSync (reads and sizes see them overlaid), can
 * lose power (apply a random subset of the pending operations, some torn at 512-byte sectors)
 * and fails reads, writes and syncs on a seeded schedule. Shared memory passes straight through.
 *
 * Every function is safe to call from any thread; the VFS serializes its own state.
 */

/** The name the VFS is registered under. */
#define TALLY_FAULT_VFS_NAME "tally-fault"

/** A fault schedule. Counts are 1-based over the calls made since tally_fault_vfs_arm; 0 turns a field off. */
struct tally_fault_plan {
    /** Seeds every random choice: which faults fire, their kind, and what a power loss keeps. */
    uint64_t seed;
    /** Loses power instead of performing the Nth write. */
    int64_t crash_at_write;
    /** Loses power instead of performing the Nth sync. */
    int64_t crash_at_sync;
    /** Loses power instead of performing the Nth write after the first injected fault. */
    int64_t crash_writes_after_fault;
    /** Fails exactly the Nth read, write or sync. */
    int64_t fail_read_at;
    int64_t fail_write_at;
    int64_t fail_sync_at;
    /** Fails each read, write or sync with this probability, in parts per million. */
    uint32_t read_fault_ppm;
    uint32_t write_fault_ppm;
    uint32_t sync_fault_ppm;
    /** No fault fires after this many reads, writes and syncs in all (0: faults never stop). */
    int64_t faults_stop_after;
    /** At a power loss, the chance (ppm) a pending operation lands whole; the rest are skipped or torn half and half. */
    uint32_t crash_keep_ppm;
    /**
     * Nonzero: a failed sync loses the file's pending writes for good, as Linux may after a failed
     * fsync (the pages are marked clean); they stay readable until the next sync of the file.
     * Zero: they stay pending and may land later.
     */
    int32_t failed_sync_loses_writes;
};

/** What the VFS has seen since it was armed. */
struct tally_fault_stats {
    int64_t reads;
    int64_t writes;
    int64_t syncs;
    int64_t faults;
};

/**
 * Registers the VFS (once per process; later calls only change `make_default`) under
 * TALLY_FAULT_VFS_NAME, optionally as the default. Returns an SQLite result code.
 */
int tally_fault_vfs_register(int make_default);

/** Starts counting calls from zero under `plan`; pending operations are kept. */
void tally_fault_vfs_arm(const struct tally_fault_plan *plan);

/** Stops injecting faults and crashes; the pending-write model stays on. */
void tally_fault_vfs_disarm(void);

/** Stops injecting faults from now on; the plan's crash points stay armed. */
void tally_fault_vfs_stop_faults(void);

/** Copies the counters. */
void tally_fault_vfs_stats(struct tally_fault_stats *out);

/**
 * Loses power without ending the process: every file's pending operations are applied or not
 * as a power loss would (seeded by `seed`, each kept whole with probability `keep_ppm`), then
 * forgotten. Only for files no connection has open.
 */
void tally_fault_vfs_power_cut(uint64_t seed, uint32_t keep_ppm);

/** Loses power as the armed plan says and kills the process at once with SIGKILL. */
_Noreturn void tally_fault_vfs_crash(void);

#endif
