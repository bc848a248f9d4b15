#include "shim.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

struct ctally_curl_functions ctally_curl_table;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *failure;
static char failure_text[512];

/* Records why libcurl is unusable; the table stays empty. */
static void fail(const char *format, const char *detail) {
    snprintf(failure_text, sizeof failure_text, format, detail);
    failure = failure_text;
}

/* Fills a local table and publishes it whole, so the global is either empty or complete. */
static void load(void) {
    /* RTLD_LOCAL keeps libcurl's symbols (and OpenSSL's, through it) out of the global scope. */
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fail("libcurl could not be loaded: %s", dlerror());
        return;
    }
    struct ctally_curl_functions table;
#define RESOLVE(field, symbol)                                                               \
    if ((*(void **)&table.field = dlsym(library, symbol)) == NULL) {                         \
        fail("libcurl.so.4 has no %s (libcurl 7.85 or later is needed)", symbol);             \
        return;                                                                              \
    }
    RESOLVE(global_init, "curl_global_init")
    RESOLVE(easy_init, "curl_easy_init")
    RESOLVE(easy_cleanup, "curl_easy_cleanup")
    RESOLVE(easy_setopt, "curl_easy_setopt")
    RESOLVE(easy_getinfo, "curl_easy_getinfo")
    RESOLVE(easy_strerror, "curl_easy_strerror")
    RESOLVE(slist_append, "curl_slist_append")
    RESOLVE(slist_free_all, "curl_slist_free_all")
    RESOLVE(multi_init, "curl_multi_init")
    RESOLVE(multi_setopt, "curl_multi_setopt")
    RESOLVE(multi_add_handle, "curl_multi_add_handle")
    RESOLVE(multi_remove_handle, "curl_multi_remove_handle")
    RESOLVE(multi_perform, "curl_multi_perform")
    RESOLVE(multi_poll, "curl_multi_poll")
    RESOLVE(multi_wakeup, "curl_multi_wakeup")
    RESOLVE(multi_info_read, "curl_multi_info_read")
    RESOLVE(multi_cleanup, "curl_multi_cleanup")
#undef RESOLVE
    /* curl_global_init is not thread-safe in every libcurl; pthread_once runs it exactly once. */
    CURLcode code = table.global_init(CURL_GLOBAL_ALL);
    if (code != CURLE_OK) {
        fail("curl_global_init failed: %s", table.easy_strerror(code));
        return;
    }
    ctally_curl_table = table;
}

const char *ctally_curl_load(void) {
    pthread_once(&once, load);
    return failure;
}
