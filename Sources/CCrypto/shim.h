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

/* EVP_PKEY_PUBLIC_KEY is a macro of macros, which Swift does not import: the selection for EVP_PKEY_fromdata. */
static const int casework_evp_pkey_public_key = EVP_PKEY_PUBLIC_KEY;
#endif
