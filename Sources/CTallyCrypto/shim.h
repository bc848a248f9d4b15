#ifndef CTALLY_CRYPTO_SHIM_H
#define CTALLY_CRYPTO_SHIM_H
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

/* libcrypto's digest, HMAC, random and constant-time compare entry points are not variadic,
   so Swift calls them directly; this header only gathers them into one module. */

#endif
