#ifndef CASEWORK_CLIBPQ_SHIM_H
#define CASEWORK_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
