/* frontend.h -- the front end as one call: load, parse, import, check.
 *
 * The frontend object is shared by every phase of the front end; the calls
 * are in check/frontend.c, since the last of them runs the checks.
 *
 * Used by the rnnc command, the tests and the fuzzer. Everything it makes
 * lives in the frontend object and is freed by frontend_free().
 */
#ifndef RNNC_FRONTEND_H
#define RNNC_FRONTEND_H

#include "arena.h"
#include "ast.h"
#include "diag.h"
#include "source.h"

/* One -D NAME=VALUE from the command line. NAME may be qualified by a
 * definition ("LIF.tau_m"); VALUE is parsed as an expression ("20 ms"). */
typedef struct frontend_define {
    const char *name;
    const char *value;
    ast_node *expr;       /* set by the front end */
    int used;             /* matched a parameter or setting */
    int reported;         /* an error in it was reported (once, not per match) */
} frontend_define;

typedef struct frontend_options {
    const char *const *search_path;   /* RNNC_PATH entries, searched in order */
    unsigned search_count;
    const char *stdlib_dir;           /* last on the search path; may be NULL */
    frontend_define *defines;
    unsigned define_count;
    int parse_only;                   /* stop after parsing the root file */
} frontend_options;

typedef struct frontend {
    arena arena;
    source_table sources;
    diag_ctx diag;
    ast_node *root;                   /* the root file's AST_FILE */
    ptr_vec files;                    /* every parsed file, root first */
    ptr_vec defs;                     /* every global definition */
} frontend;

void frontend_init(frontend *fe);
void frontend_free(frontend *fe);

/* Each returns the number of errors (0: the model is good). */
unsigned frontend_check_file(frontend *fe, const char *path, const frontend_options *opts);
unsigned frontend_check_text(frontend *fe, const char *name, const char *text, size_t size,
                             const frontend_options *opts);

/* Finds a global definition by name (after a check). */
ast_node *frontend_find_def(const frontend *fe, const char *name);

/* The file that load(PATH) reads, written into BUF: PATH is a string, or a
 * parameter whose value is one; an absolute name as it is, a relative one
 * in the folder of the model file it is written in. Returns BUF. */
const char *frontend_load_path(const frontend *fe, const ast_node *path, char *buf, size_t size);

#endif
