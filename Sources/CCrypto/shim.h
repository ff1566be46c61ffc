#ifndef CASEWORK_CCRYPTO_SHIM_H
#define CASEWORK_CCRYPTO_SHIM_H
#include <openssl/evp.h>
#endif
