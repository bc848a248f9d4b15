#ifndef CTALLY_CURL_SHIM_H
#define CTALLY_CURL_SHIM_H
#include <curl/curl.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* Typed wrappers for libcurl's variadic setters and getters, which Swift cannot call. */

static inline CURLcode ctally_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_write_callback(CURL *handle,
        size_t (*callback)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode ctally_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode ctally_curl_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode ctally_curl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode ctally_curl_easy_setopt_header_callback(CURL *handle,
        size_t (*callback)(char *, size_t, size_t, void *)) {
    return curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

static inline CURLcode ctally_curl_easy_setopt_opensocket_callback(CURL *handle,
        curl_socket_t (*callback)(void *, curlsocktype, struct curl_sockaddr *)) {
    return curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, callback);
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
