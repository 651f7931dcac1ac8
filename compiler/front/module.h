/* module.h -- resolving 'import a.b' to a file and loading it, once. */
#ifndef RNNC_MODULE_H
#define RNNC_MODULE_H

#include "frontend.h"

/* Parses the file at index ROOT and, depth first, every file it imports;
 * each file is parsed once, and a cycle is an error naming the chain. */
void module_load_imports(frontend *fe, const frontend_options *opts, uint32_t root);

#endif
