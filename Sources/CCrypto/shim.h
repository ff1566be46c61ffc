#ifndef CASEWORK_CCRYPTO_SHIM_H
#define CASEWORK_CCRYPTO_SHIM_H
#include <openssl/evp.h>
/* Ed25519 keys in PEM and their DER public keys, for signed audit checkpoints. */
#include <openssl/pem.h>
#include <openssl/err.h>
#endif
