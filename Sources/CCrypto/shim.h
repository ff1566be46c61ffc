#ifndef CASEWORK_CCRYPTO_SHIM_H
#define CASEWORK_CCRYPTO_SHIM_H
#include <openssl/evp.h>
/* Ed25519 keys in PEM and their DER public keys, for signed audit checkpoints. */
#include <openssl/pem.h>
#include <openssl/err.h>
/* RSA and P-256 public keys built from a JWKS's numbers, and ES256's r||s signatures as DER, for bearer JWTs. */
#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/param_build.h>
#include <openssl/core_names.h>
#include <openssl/rsa.h>

/* SHA-256 through libcrypto's own functions, not EVP: the first EVP fetch of a process builds OpenSSL 3's name map of
 * every algorithm (5 million instructions, more than a warm `casework decide` spends on anything else but hashing),
 * and a command line that only hashes needs none of it. The functions are deprecated for new code in OpenSSL 3 but
 * are the same implementation EVP's default provider runs (the CPU's SHA instructions where it has them). */
#include <openssl/sha.h>
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wdeprecated-declarations"
static inline int casework_sha256(const void *bytes, size_t count, unsigned char *digest) {
    SHA256_CTX context;
    return SHA256_Init(&context) && SHA256_Update(&context, bytes, count) && SHA256_Final(digest, &context);
}
#pragma clang diagnostic pop

/* EVP_PKEY_PUBLIC_KEY is a macro of macros, which Swift does not import: the selection for EVP_PKEY_fromdata. */
static const int casework_evp_pkey_public_key = EVP_PKEY_PUBLIC_KEY;
#endif
