#ifndef CASEWORK_CYAML_SHIM_H
#define CASEWORK_CYAML_SHIM_H
#include <yaml.h>
#endif
