#ifndef CTALLY_CURL_SHIM_H
#define CTALLY_CURL_SHIM_H
#include <curl/curl.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* libcurl is not a NEEDED library of `tally`: the process would map it and the ~29 libraries it
   needs at start, 5 MB of memory a server that never delivers a webhook should not pay.
   ctally_curl_load (CTallyCurlLoader) opens libcurl.so.4 on the first delivery and fills this
   table; the wrappers below call through it. curl.h still supplies the types and constants, and
   its function declarations are only used for their types. The `-lcurl` from pkg-config stays on
   the link line and `tally` links with `--as-needed` (Package.swift), so it leaves no NEEDED entry
   only while nothing calls a curl_ function directly; LazyCurlTests checks that. */
struct ctally_curl_functions {
    __typeof__(curl_global_init) *global_init;
    __typeof__(curl_easy_init) *easy_init;
    __typeof__(curl_easy_cleanup) *easy_cleanup;
    __typeof__(curl_easy_setopt) *easy_setopt;
    __typeof__(curl_easy_getinfo) *easy_getinfo;
    __typeof__(curl_easy_strerror) *easy_strerror;
    __typeof__(curl_slist_append) *slist_append;
    __typeof__(curl_slist_free_all) *slist_free_all;
    __typeof__(curl_multi_init) *multi_init;
    __typeof__(curl_multi_setopt) *multi_setopt;
    __typeof__(curl_multi_add_handle) *multi_add_handle;
    __typeof__(curl_multi_remove_handle) *multi_remove_handle;
    __typeof__(curl_multi_perform) *multi_perform;
    __typeof__(curl_multi_poll) *multi_poll;
    __typeof__(curl_multi_wakeup) *multi_wakeup;
    __typeof__(curl_multi_info_read) *multi_info_read;
    __typeof__(curl_multi_cleanup) *multi_cleanup;
};

/* Complete once ctally_curl_load has returned NULL, empty before. */
extern struct ctally_curl_functions ctally_curl_table;

/* Loads libcurl and runs curl_global_init, once per process and from any thread; returns NULL
   when libcurl is ready, else why it is not (the same answer on every later call). */
const char *ctally_curl_load(void);

/* Calls through the table; valid only after ctally_curl_load returned NULL. */

static inline CURL *ctally_curl_easy_init(void) { return ctally_curl_table.easy_init(); }
static inline void ctally_curl_easy_cleanup(CURL *handle) { ctally_curl_table.easy_cleanup(handle); }
static inline const char *ctally_curl_easy_strerror(CURLcode code) { return ctally_curl_table.easy_strerror(code); }

static inline struct curl_slist *ctally_curl_slist_append(struct curl_slist *list, const char *line) {
    return ctally_curl_table.slist_append(list, line);
}

static inline void ctally_curl_slist_free_all(struct curl_slist *list) { ctally_curl_table.slist_free_all(list); }

static inline CURLM *ctally_curl_multi_init(void) { return ctally_curl_table.multi_init(); }
static inline CURLMcode ctally_curl_multi_cleanup(CURLM *multi) { return ctally_curl_table.multi_cleanup(multi); }
static inline CURLMcode ctally_curl_multi_wakeup(CURLM *multi) { return ctally_curl_table.multi_wakeup(multi); }

static inline CURLMcode ctally_curl_multi_add_handle(CURLM *multi, CURL *handle) {
    return ctally_curl_table.multi_add_handle(multi, handle);
}

static inline CURLMcode ctally_curl_multi_remove_handle(CURLM *multi, CURL *handle) {
    return ctally_curl_table.multi_remove_handle(multi, handle);
}

static inline CURLMcode ctally_curl_multi_perform(CURLM *multi, int *running) {
    return ctally_curl_table.multi_perform(multi, running);
}

static inline CURLMcode ctally_curl_multi_poll(CURLM *multi, int timeout_ms) {
    return ctally_curl_table.multi_poll(multi, NULL, 0, timeout_ms, NULL);
}

static inline CURLMsg *ctally_curl_multi_info_read(CURLM *multi, int *left) {
    return ctally_curl_table.multi_info_read(multi, left);
}

/* Typed wrappers for libcurl's variadic setters and getters, which Swift cannot call: each
   passes one argument of a known type through the variadic pointer. */

static inline CURLcode ctally_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return ctally_curl_table.easy_setopt(handle, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return ctally_curl_table.easy_setopt(handle, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return ctally_curl_table.easy_setopt(handle, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_write_callback(CURL *handle,
        size_t (*callback)(char *, size_t, size_t, void *)) {
    return ctally_curl_table.easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode ctally_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return ctally_curl_table.easy_getinfo(handle, info, value);
}

static inline CURLcode ctally_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return ctally_curl_table.easy_getinfo(handle, info, value);
}

static inline CURLMcode ctally_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return ctally_curl_table.multi_setopt(multi, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return ctally_curl_table.easy_setopt(handle, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_header_callback(CURL *handle,
        size_t (*callback)(char *, size_t, size_t, void *)) {
    return ctally_curl_table.easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

static inline CURLcode ctally_curl_easy_setopt_opensocket_callback(CURL *handle,
        curl_socket_t (*callback)(void *, curlsocktype, struct curl_sockaddr *)) {
    return ctally_curl_table.easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, callback);
}

/* Copies the IP address curl is about to connect to into `out` (16 bytes of room) and returns
   its length, 4 or 16, or 0 for another family. In C because an IPv6 address lies past the end
   of the 16-byte `struct sockaddr` that Swift sees in `curl_sockaddr`. */
static inline int ctally_curl_sockaddr_ip(const struct curl_sockaddr *address, unsigned char *out) {
    if (address->family == AF_INET && address->addrlen >= sizeof(struct sockaddr_in)) {
        memcpy(out, &((const struct sockaddr_in *)&address->addr)->sin_addr, 4);
        return 4;
    }
    if (address->family == AF_INET6 && address->addrlen >= sizeof(struct sockaddr_in6)) {
        memcpy(out, &((const struct sockaddr_in6 *)&address->addr)->sin6_addr, 16);
        return 16;
    }
    return 0;
}

/* The easy handle and result of a finished transfer, read from the message union. */
static inline CURL *ctally_curl_msg_easy(const CURLMsg *message) { return message->easy_handle; }
static inline int ctally_curl_msg_is_done(const CURLMsg *message) { return message->msg == CURLMSG_DONE; }
static inline CURLcode ctally_curl_msg_result(const CURLMsg *message) { return message->data.result; }

#endif
