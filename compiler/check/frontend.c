/* frontend.c -- load, parse, import, check: the front end in one call. */
#include "frontend.h"

#include <errno.h>
#include <string.h>

#include "module.h"
#include "parse_driver.h"
#include "sema.h"

void frontend_init(frontend *fe)
{
    memset(fe, 0, sizeof *fe);
    arena_init(&fe->arena);
    source_table_init(&fe->sources);
    diag_init(&fe->diag, &fe->arena, &fe->sources);
}

void frontend_free(frontend *fe)
{
    arena_free(&fe->arena);
    source_table_free(&fe->sources);
    memset(fe, 0, sizeof *fe);
}

/* A -D value is parsed as the value of a parameter, so it may be anything a
 * parameter's default may be: "20 ms", "-0.5", "1/3", "eprop". */
static void parse_defines(frontend *fe, const frontend_options *opts)
{
    for (unsigned i = 0; i < opts->define_count; i++) {
        frontend_define *d = &opts->defines[i];
        d->expr = NULL;
        d->used = 0;
        d->reported = 0;
        char *text = arena_printf(&fe->arena, "param _ = %s", d->value);
        char *label = arena_printf(&fe->arena, "-D %s", d->name);
        int idx = source_add_text(&fe->sources, label, text, strlen(text));
        if (idx < 0)
            continue;
        unsigned before = fe->diag.errors;
        ast_node *tree = parse_file(&fe->arena, &fe->diag, (uint32_t)idx);
        ast_node *param = tree->first;
        if (fe->diag.errors != before)
            continue;
        if (!param || param->kind != AST_PARAM || param->count != 1 || tree->count != 1) {
            src_loc none = {0, 0, 0, 0};
            diag_error(&fe->diag, none, "-D %s=%s: the value must be one number, name or call",
                       d->name, d->value);
            continue;
        }
        d->expr = param->first->first;
    }
}

static unsigned check(frontend *fe, int root, const frontend_options *opts)
{
    fe->root = parse_file(&fe->arena, &fe->diag, (uint32_t)root);
    ptr_vec_push(&fe->arena, &fe->files, fe->root);
    if (opts->parse_only)
        return fe->diag.errors;
    module_load_imports(fe, opts, (uint32_t)root);
    parse_defines(fe, opts);
    /* Checking a tree with syntax errors in it would mostly report their echoes. */
    if (fe->diag.errors)
        return fe->diag.errors;
    sema S = {.arena = &fe->arena, .diag = &fe->diag, .opts = opts, .files = fe->files};
    sema_check(&S);
    fe->defs = S.defs;
    return fe->diag.errors;
}

unsigned frontend_check_file(frontend *fe, const char *path, const frontend_options *opts)
{
    char why[256];
    int root = source_load(&fe->sources, path, NULL, why, sizeof why);
    if (root < 0) {
        src_loc none = {0, 0, 0, 0};
        diag_error(&fe->diag, none, "cannot read '%s': %s", path, why);
        return fe->diag.errors;
    }
    return check(fe, root, opts);
}

unsigned frontend_check_text(frontend *fe, const char *name, const char *text, size_t size,
                             const frontend_options *opts)
{
    int root = source_add_text(&fe->sources, name, text, size);
    if (root < 0)
        return 1;
    return check(fe, root, opts);
}

ast_node *frontend_find_def(const frontend *fe, const char *name)
{
    for (uint32_t i = 0; i < fe->defs.len; i++) {
        ast_node *d = fe->defs.items[i];
        if (strcmp(d->name, name) == 0)
            return d;
    }
    return NULL;
}

const char *frontend_load_path(const frontend *fe, const ast_node *path, char *buf, size_t size)
{
    const symbol *s = path->kind == AST_NAME ? path->sym : NULL;   /* load(wfile), a parameter */
    if (s && s->kind == SYM_PARAM && s->value && s->value->kind == AST_STR)
        path = s->value;
    const char *name = path->name ? path->name : "";
    const char *model = path->loc.file < fe->sources.count ? fe->sources.files[path->loc.file].path : "";
    const char *slash = strrchr(model, '/');
    if (name[0] == '/' || !slash)
        snprintf(buf, size, "%s", name);
    else
        snprintf(buf, size, "%.*s/%s", (int)(slash - model), model, name);
    return buf;
}
