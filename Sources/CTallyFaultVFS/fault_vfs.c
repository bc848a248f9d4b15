/*
 * The fault-injecting VFS (see tally_fault_vfs.h), modelled on SQLite's crash-test VFS (test6.c):
 * a file's writes live in memory until its xSync, the way they live in the page cache until
 * fsync, so a power loss can keep any subset of them, torn or whole.
 *
 * Pending operations belong to the path, not to the handle: the writer, the readers and the
 * checkpointer open the same files through separate handles and must read each other's writes,
 * as they would through one page cache.
 */
#include "tally_fault_vfs.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The granularity a torn write keeps or loses. */
#define SECTOR 512

/* One write, or a truncate (length < 0, offset = the new size), waiting for its file's sync;
 * a lost one is still read but never reaches the disk. */
typedef struct PendingOp {
    sqlite3_int64 offset;
    int length;
    unsigned char *data;
    int lost;
} PendingOp;

/* What every handle on one path shares: the model's page cache for that file. */
typedef struct SharedFile {
    struct SharedFile *next;
    char *path;
    PendingOp *ops;
    int count;
    int capacity;
} SharedFile;

/* One open handle: the wrapped unix file lives right after this struct. */
typedef struct FaultFile {
    sqlite3_file base;
    /* NULL for a nameless temporary file, which passes straight through. */
    SharedFile *shared;
    sqlite3_file *real;
} FaultFile;

/* Guards everything below; held across the real I/O a sync performs, so a read never sees a
 * half-applied list. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static SharedFile *files;
static sqlite3_vfs *realVfs;
static sqlite3_vfs faultVfs;
static struct tally_fault_plan plan;
static int armed;
static uint64_t randomState;
static int64_t reads, writes, syncs, faults;
/* The write count when the first fault fired; -1 before. */
static int64_t writesAtFirstFault = -1;

/* SplitMix64, the generator the Swift side uses too. */
static uint64_t nextRandom(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static int chance(uint32_t ppm) { return ppm > 0 && nextRandom(&randomState) % 1000000 < ppm; }

static void note(const char *what, int64_t count) {
    char line[128];
    int length = snprintf(line, sizeof line, "tally-fault: %s %lld\n", what, (long long)count);
    if (length > 0) (void)!write(2, line, (size_t)length);
}

/* ---- Pending operations ---- */

static SharedFile *sharedFor(const char *path) {
    for (SharedFile *file = files; file; file = file->next) {
        if (strcmp(file->path, path) == 0) return file;
    }
    SharedFile *file = calloc(1, sizeof *file);
    if (!file) return NULL;
    file->path = strdup(path);
    if (!file->path) {
        free(file);
        return NULL;
    }
    file->next = files;
    files = file;
    return file;
}

static SharedFile *findShared(const char *path) {
    for (SharedFile *file = files; file; file = file->next) {
        if (strcmp(file->path, path) == 0) return file;
    }
    return NULL;
}

static int appendOp(SharedFile *file, const void *data, int length, sqlite3_int64 offset) {
    if (file->count == file->capacity) {
        int capacity = file->capacity ? file->capacity * 2 : 16;
        PendingOp *ops = realloc(file->ops, (size_t)capacity * sizeof *ops);
        if (!ops) return SQLITE_NOMEM;
        file->ops = ops;
        file->capacity = capacity;
    }
    PendingOp op = {offset, length, NULL, 0};
    if (length > 0) {
        op.data = malloc((size_t)length);
        if (!op.data) return SQLITE_NOMEM;
        memcpy(op.data, data, (size_t)length);
    }
    file->ops[file->count++] = op;
    return SQLITE_OK;
}

static void forgetOps(SharedFile *file) {
    for (int index = 0; index < file->count; index++) free(file->ops[index].data);
    file->count = 0;
}

/* The file's size as SQLite must see it: the real size with the pending operations applied. */
static int overlaySize(FaultFile *file, sqlite3_int64 *size) {
    int rc = file->real->pMethods->xFileSize(file->real, size);
    if (rc != SQLITE_OK) return rc;
    for (int index = 0; index < file->shared->count; index++) {
        PendingOp *op = &file->shared->ops[index];
        if (op->length < 0) {
            *size = op->offset;
        } else if (op->offset + op->length > *size) {
            *size = op->offset + op->length;
        }
    }
    return SQLITE_OK;
}

static void overlayOp(const PendingOp *op, unsigned char *out, int amount, sqlite3_int64 offset) {
    sqlite3_int64 end = offset + amount;
    if (op->length < 0) {
        if (op->offset < end) {
            sqlite3_int64 from = op->offset > offset ? op->offset : offset;
            memset(out + (from - offset), 0, (size_t)(end - from));
        }
        return;
    }
    sqlite3_int64 from = op->offset > offset ? op->offset : offset;
    sqlite3_int64 to = op->offset + op->length < end ? op->offset + op->length : end;
    if (from < to) memcpy(out + (from - offset), op->data + (from - op->offset), (size_t)(to - from));
}

/* Reads the real file, then lays the pending operations over it in order. */
static int overlayRead(FaultFile *file, void *buffer, int amount, sqlite3_int64 offset) {
    int rc = file->real->pMethods->xRead(file->real, buffer, amount, offset);
    if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) return rc;
    for (int index = 0; index < file->shared->count; index++) {
        overlayOp(&file->shared->ops[index], buffer, amount, offset);
    }
    sqlite3_int64 size;
    rc = overlaySize(file, &size);
    if (rc != SQLITE_OK) return rc;
    if (offset + amount <= size) return SQLITE_OK;
    sqlite3_int64 from = size > offset ? size : offset;
    memset((unsigned char *)buffer + (from - offset), 0, (size_t)(offset + amount - from));
    return SQLITE_IOERR_SHORT_READ;
}

/* A sync: the pending operations reach the real file in order, then the real file is synced. */
static int applyPending(FaultFile *file, int flags) {
    SharedFile *shared = file->shared;
    for (int index = 0; index < shared->count; index++) {
        PendingOp *op = &shared->ops[index];
        if (op->lost) continue;
        int rc = op->length < 0 ? file->real->pMethods->xTruncate(file->real, op->offset)
                                : file->real->pMethods->xWrite(file->real, op->data, op->length, op->offset);
        if (rc != SQLITE_OK) return rc;
    }
    forgetOps(shared);
    return file->real->pMethods->xSync(file->real, flags);
}

/* ---- Power loss ---- */

static void writeFully(int fd, const unsigned char *data, sqlite3_int64 length, sqlite3_int64 offset) {
    while (length > 0) {
        ssize_t written = pwrite(fd, data, (size_t)length, offset);
        if (written <= 0) return;
        data += written;
        length -= written;
        offset += written;
    }
}

/* A write torn at sector boundaries: each sector it touches lands or not. */
static void writeTorn(int fd, const PendingOp *op, uint64_t *random) {
    sqlite3_int64 position = op->offset;
    sqlite3_int64 end = op->offset + op->length;
    while (position < end) {
        sqlite3_int64 sectorEnd = (position / SECTOR + 1) * SECTOR;
        if (sectorEnd > end) sectorEnd = end;
        if (nextRandom(random) & 1) writeFully(fd, op->data + (position - op->offset), sectorEnd - position, position);
        position = sectorEnd;
    }
}

/* Each pending operation lands whole with probability `keep`; the rest are skipped or torn. */
static void losePower(SharedFile *file, uint64_t *random, uint32_t keep) {
    if (file->count == 0) return;
    int fd = open(file->path, O_WRONLY | O_CLOEXEC);
    for (int index = 0; fd >= 0 && index < file->count; index++) {
        PendingOp *op = &file->ops[index];
        int whole = nextRandom(random) % 1000000 < keep;
        int torn = !whole && (nextRandom(random) & 1);
        if (op->lost) continue;
        if (op->length < 0) {
            if (whole || torn) (void)!ftruncate(fd, op->offset);
        } else if (whole) {
            writeFully(fd, op->data, op->length, op->offset);
        } else if (torn) {
            writeTorn(fd, op, random);
        }
    }
    if (fd >= 0) close(fd);
    forgetOps(file);
}

static void losePowerEverywhere(uint64_t seed, uint32_t keep) {
    uint64_t random = seed;
    for (SharedFile *file = files; file; file = file->next) losePower(file, &random, keep);
}

/* Called with `lock` held, so no other thread reaches the real files again. */
_Noreturn static void crashLocked(const char *why, int64_t count) {
    note(why, count);
    losePowerEverywhere(randomState, plan.crash_keep_ppm);
    kill(getpid(), SIGKILL);
    _exit(137);
}

/* ---- Faults ---- */

/* Whether the call numbered `number` fails: its exact number, or its probability, while faults last. */
static int shouldFail(int64_t number, int64_t exact, uint32_t ppm) {
    if (!armed) return 0;
    if (plan.faults_stop_after > 0 && reads + writes + syncs > plan.faults_stop_after) return 0;
    if (number != exact && !chance(ppm)) return 0;
    faults++;
    if (writesAtFirstFault < 0) writesAtFirstFault = writes;
    return 1;
}

static void countWrite(void) {
    if (!armed) return;
    writes++;
    if (writes == plan.crash_at_write) crashLocked("power loss at write", writes);
    if (plan.crash_writes_after_fault > 0 && writesAtFirstFault >= 0
        && writes - writesAtFirstFault >= plan.crash_writes_after_fault) {
        crashLocked("power loss after the first fault, at write", writes);
    }
}

/* A failed write: EIO, ENOSPC, or a short write (a prefix lands, reported as SQLITE_FULL as unix does). */
static int failedWrite(FaultFile *file, const void *data, int amount, sqlite3_int64 offset) {
    switch (nextRandom(&randomState) % 3) {
    case 0:
        return SQLITE_IOERR_WRITE;
    case 1:
        return SQLITE_FULL;
    default:
        if (amount > 1) {
            int part = 1 + (int)(nextRandom(&randomState) % (uint64_t)(amount - 1));
            if (appendOp(file->shared, data, part, offset) != SQLITE_OK) return SQLITE_NOMEM;
        }
        return SQLITE_FULL;
    }
}

/* ---- io methods ---- */

static int faultClose(sqlite3_file *base) {
    FaultFile *file = (FaultFile *)base;
    return file->real->pMethods->xClose(file->real);
}

static int faultRead(sqlite3_file *base, void *buffer, int amount, sqlite3_int64 offset) {
    FaultFile *file = (FaultFile *)base;
    if (!file->shared) return file->real->pMethods->xRead(file->real, buffer, amount, offset);
    pthread_mutex_lock(&lock);
    if (armed) reads++;
    int rc = shouldFail(reads, plan.fail_read_at, plan.read_fault_ppm) ? SQLITE_IOERR_READ
                                                                       : overlayRead(file, buffer, amount, offset);
    pthread_mutex_unlock(&lock);
    return rc;
}

static int faultWrite(sqlite3_file *base, const void *data, int amount, sqlite3_int64 offset) {
    FaultFile *file = (FaultFile *)base;
    if (!file->shared) return file->real->pMethods->xWrite(file->real, data, amount, offset);
    pthread_mutex_lock(&lock);
    countWrite();
    int rc = shouldFail(writes, plan.fail_write_at, plan.write_fault_ppm) ? failedWrite(file, data, amount, offset)
                                                                          : appendOp(file->shared, data, amount, offset);
    pthread_mutex_unlock(&lock);
    return rc;
}

static int faultTruncate(sqlite3_file *base, sqlite3_int64 size) {
    FaultFile *file = (FaultFile *)base;
    if (!file->shared) return file->real->pMethods->xTruncate(file->real, size);
    pthread_mutex_lock(&lock);
    int rc = appendOp(file->shared, NULL, -1, size);
    pthread_mutex_unlock(&lock);
    return rc;
}

static int faultSync(sqlite3_file *base, int flags) {
    FaultFile *file = (FaultFile *)base;
    if (!file->shared) return file->real->pMethods->xSync(file->real, flags);
    pthread_mutex_lock(&lock);
    if (armed) {
        syncs++;
        if (syncs == plan.crash_at_sync) crashLocked("power loss at sync", syncs);
    }
    // A failed sync leaves the writes pending: like dirty pages after a failed fsync, they may
    // still reach the disk later, at the next sync or at a power loss; or, as Linux may do, it
    // loses them while they stay readable.
    int rc;
    if (shouldFail(syncs, plan.fail_sync_at, plan.sync_fault_ppm)) {
        for (int index = 0; plan.failed_sync_loses_writes && index < file->shared->count; index++) {
            file->shared->ops[index].lost = 1;
        }
        rc = SQLITE_IOERR_FSYNC;
    } else {
        rc = applyPending(file, flags);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int faultFileSize(sqlite3_file *base, sqlite3_int64 *size) {
    FaultFile *file = (FaultFile *)base;
    if (!file->shared) return file->real->pMethods->xFileSize(file->real, size);
    pthread_mutex_lock(&lock);
    int rc = overlaySize(file, size);
    pthread_mutex_unlock(&lock);
    return rc;
}

static int faultLock(sqlite3_file *base, int level) {
    FaultFile *file = (FaultFile *)base;
    return file->real->pMethods->xLock(file->real, level);
}

static int faultUnlock(sqlite3_file *base, int level) {
    FaultFile *file = (FaultFile *)base;
    return file->real->pMethods->xUnlock(file->real, level);
}

static int faultCheckReservedLock(sqlite3_file *base, int *result) {
    FaultFile *file = (FaultFile *)base;
    return file->real->pMethods->xCheckReservedLock(file->real, result);
}

static int faultFileControl(sqlite3_file *base, int op, void *argument) {
    FaultFile *file = (FaultFile *)base;
    // A size hint would grow the real file behind the model's back, and memory-mapped reads
    // would bypass the pending writes.
    if (op == SQLITE_FCNTL_SIZE_HINT) return SQLITE_OK;
    if (op == SQLITE_FCNTL_MMAP_SIZE) return SQLITE_NOTFOUND;
    return file->real->pMethods->xFileControl(file->real, op, argument);
}

static int faultSectorSize(sqlite3_file *base) {
    FaultFile *file = (FaultFile *)base;
    return file->real->pMethods->xSectorSize(file->real);
}

static int faultDeviceCharacteristics(sqlite3_file *base) {
    FaultFile *file = (FaultFile *)base;
    return file->real->pMethods->xDeviceCharacteristics(file->real);
}

static int faultShmMap(sqlite3_file *base, int region, int size, int extend, void volatile **memory) {
    FaultFile *file = (FaultFile *)base;
    return file->real->pMethods->xShmMap(file->real, region, size, extend, memory);
}

static int faultShmLock(sqlite3_file *base, int offset, int count, int flags) {
    FaultFile *file = (FaultFile *)base;
    return file->real->pMethods->xShmLock(file->real, offset, count, flags);
}

static void faultShmBarrier(sqlite3_file *base) {
    FaultFile *file = (FaultFile *)base;
    file->real->pMethods->xShmBarrier(file->real);
}

static int faultShmUnmap(sqlite3_file *base, int deleteFlag) {
    FaultFile *file = (FaultFile *)base;
    return file->real->pMethods->xShmUnmap(file->real, deleteFlag);
}

/* Version 2: shared memory (WAL) but no xFetch, so every page read goes through xRead. */
static const sqlite3_io_methods faultMethods = {
    2, faultClose, faultRead, faultWrite, faultTruncate, faultSync, faultFileSize, faultLock, faultUnlock,
    faultCheckReservedLock, faultFileControl, faultSectorSize, faultDeviceCharacteristics, faultShmMap, faultShmLock,
    faultShmBarrier, faultShmUnmap, NULL, NULL,
};

/* ---- vfs methods ---- */

static int faultOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *base, int flags, int *outFlags) {
    (void)vfs;
    FaultFile *file = (FaultFile *)base;
    file->real = (sqlite3_file *)&file[1];
    file->base.pMethods = NULL;
    int rc = realVfs->xOpen(realVfs, name, file->real, flags, outFlags);
    if (rc != SQLITE_OK) {
        if (file->real->pMethods) file->real->pMethods->xClose(file->real);
        return rc;
    }
    pthread_mutex_lock(&lock);
    file->shared = name ? sharedFor(name) : NULL;
    pthread_mutex_unlock(&lock);
    if (name && !file->shared) {
        file->real->pMethods->xClose(file->real);
        return SQLITE_NOMEM;
    }
    file->base.pMethods = &faultMethods;
    return SQLITE_OK;
}

static int faultDelete(sqlite3_vfs *vfs, const char *path, int syncDirectory) {
    (void)vfs;
    pthread_mutex_lock(&lock);
    SharedFile *file = findShared(path);
    if (file) forgetOps(file);
    pthread_mutex_unlock(&lock);
    return realVfs->xDelete(realVfs, path, syncDirectory);
}

/* unix reports an empty file as absent; a file whose writes are all pending is not empty. */
static int faultAccess(sqlite3_vfs *vfs, const char *path, int flags, int *result) {
    (void)vfs;
    int rc = realVfs->xAccess(realVfs, path, flags, result);
    if (rc != SQLITE_OK || flags != SQLITE_ACCESS_EXISTS || *result) return rc;
    struct stat status;
    if (stat(path, &status) != 0) return rc;
    pthread_mutex_lock(&lock);
    SharedFile *file = findShared(path);
    for (int index = 0; file && index < file->count && !*result; index++) {
        if (file->ops[index].length > 0) *result = 1;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

static int faultFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs;
    return realVfs->xFullPathname(realVfs, name, size, out);
}

static void *faultDlOpen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    return realVfs->xDlOpen(realVfs, name);
}

static void faultDlError(sqlite3_vfs *vfs, int size, char *message) {
    (void)vfs;
    realVfs->xDlError(realVfs, size, message);
}

static void (*faultDlSym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
    (void)vfs;
    return realVfs->xDlSym(realVfs, handle, symbol);
}

static void faultDlClose(sqlite3_vfs *vfs, void *handle) {
    (void)vfs;
    realVfs->xDlClose(realVfs, handle);
}

static int faultRandomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVfs->xRandomness(realVfs, size, out);
}

static int faultSleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs;
    return realVfs->xSleep(realVfs, microseconds);
}

static int faultCurrentTime(sqlite3_vfs *vfs, double *now) {
    (void)vfs;
    return realVfs->xCurrentTime(realVfs, now);
}

static int faultGetLastError(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs;
    return realVfs->xGetLastError(realVfs, size, out);
}

static int faultCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs;
    return realVfs->xCurrentTimeInt64(realVfs, now);
}

/* ---- public API ---- */

int tally_fault_vfs_register(int make_default) {
    pthread_mutex_lock(&lock);
    if (!realVfs) {
        sqlite3_vfs *found = sqlite3_vfs_find(NULL);
        if (!found || found->iVersion < 2) {
            pthread_mutex_unlock(&lock);
            return SQLITE_ERROR;
        }
        realVfs = found;
        faultVfs = (sqlite3_vfs){
            .iVersion = 2,
            .szOsFile = (int)sizeof(FaultFile) + realVfs->szOsFile,
            .mxPathname = realVfs->mxPathname,
            .zName = TALLY_FAULT_VFS_NAME,
            .xOpen = faultOpen,
            .xDelete = faultDelete,
            .xAccess = faultAccess,
            .xFullPathname = faultFullPathname,
            .xDlOpen = faultDlOpen,
            .xDlError = faultDlError,
            .xDlSym = faultDlSym,
            .xDlClose = faultDlClose,
            .xRandomness = faultRandomness,
            .xSleep = faultSleep,
            .xCurrentTime = faultCurrentTime,
            .xGetLastError = faultGetLastError,
            .xCurrentTimeInt64 = faultCurrentTimeInt64,
        };
    }
    pthread_mutex_unlock(&lock);
    return sqlite3_vfs_register(&faultVfs, make_default);
}

void tally_fault_vfs_arm(const struct tally_fault_plan *newPlan) {
    pthread_mutex_lock(&lock);
    plan = *newPlan;
    randomState = plan.seed;
    reads = writes = syncs = faults = 0;
    writesAtFirstFault = -1;
    armed = 1;
    pthread_mutex_unlock(&lock);
}

void tally_fault_vfs_disarm(void) {
    pthread_mutex_lock(&lock);
    armed = 0;
    pthread_mutex_unlock(&lock);
}

void tally_fault_vfs_stop_faults(void) {
    pthread_mutex_lock(&lock);
    plan.fail_read_at = plan.fail_write_at = plan.fail_sync_at = 0;
    plan.read_fault_ppm = plan.write_fault_ppm = plan.sync_fault_ppm = 0;
    pthread_mutex_unlock(&lock);
}

void tally_fault_vfs_stats(struct tally_fault_stats *out) {
    pthread_mutex_lock(&lock);
    out->reads = reads;
    out->writes = writes;
    out->syncs = syncs;
    out->faults = faults;
    pthread_mutex_unlock(&lock);
}

void tally_fault_vfs_power_cut(uint64_t seed, uint32_t keep_ppm) {
    pthread_mutex_lock(&lock);
    losePowerEverywhere(seed, keep_ppm);
    pthread_mutex_unlock(&lock);
}

_Noreturn void tally_fault_vfs_crash(void) {
    pthread_mutex_lock(&lock);
    crashLocked("power loss by request after syncs", syncs);
}
