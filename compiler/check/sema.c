/* sema.c -- scopes, parameters, -D overrides, and the order of the checks. */
#include "sema.h"

#include <stdio.h>
#include <string.h>


/* ---------------------------------------------------------------- scopes */

scope *scope_new(sema *S, scope *parent, const char *what)
{
    scope *sc = arena_alloc(S->arena, sizeof *sc);
    sc->parent = parent;
    sc->what = what;
    return sc;
}

/* Names are interned, so lookups compare pointers; but the slot of a name
 * comes from its text, not its address, so that walking a scope (for "did
 * you mean" and for lists in messages) gives the same order on every run. */
static uint32_t hash_name(const char *name)
{
    uint32_t h = arena_hash(name, strlen(name));
    return h ^ (h >> 15);
}

static void scope_grow(sema *S, scope *sc)
{
    uint32_t cap = sc->cap ? sc->cap * 2 : 16;
    symbol **slots = arena_alloc(S->arena, cap * sizeof *slots);
    for (uint32_t i = 0; i < sc->cap; i++) {
        symbol *s = sc->slots[i];
        if (!s)
            continue;
        uint32_t j = hash_name(s->name) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = s;
    }
    sc->slots = slots;
    sc->cap = cap;
}

symbol *scope_lookup_local(const scope *sc, const char *name)
{
    if (!sc->cap)
        return NULL;
    uint32_t j = hash_name(name) & (sc->cap - 1);
    while (sc->slots[j]) {
        if (sc->slots[j]->name == name)
            return sc->slots[j];
        j = (j + 1) & (sc->cap - 1);
    }
    return NULL;
}

symbol *scope_lookup(const scope *sc, const char *name)
{
    for (; sc; sc = sc->parent) {
        symbol *s = scope_lookup_local(sc, name);
        if (s)
            return s;
    }
    return NULL;
}

symbol *scope_declare(sema *S, scope *sc, sym_kind kind, const char *name, ast_node *decl)
{
    symbol *old = scope_lookup_local(sc, name);
    if (old) {
        diag *g = diag_error(S->diag, decl->loc, "'%s' is already defined in %s", name, sc->what);
        if (old->decl && old->decl->loc.line) {
            const source_file *f = &S->diag->sources->files[old->decl->loc.file];
            if (f->module && old->decl->loc.file != decl->loc.file)
                diag_hint(S->diag, g, "the first definition (%s) is in module '%s', line %u",
                          sym_kind_a(old->kind), f->module, (unsigned)old->decl->loc.line);
            else
                diag_hint(S->diag, g, "the first definition (%s) is at %s:%u:%u",
                          sym_kind_a(old->kind), f->path, (unsigned)old->decl->loc.line,
                          (unsigned)old->decl->loc.col);
        } else {
            diag_hint(S->diag, g, "'%s' is a built-in name; choose another", name);
        }
        return NULL;
    }
    if ((sc->count + 1) * 2 > sc->cap)
        scope_grow(S, sc);
    symbol *s = arena_alloc(S->arena, sizeof *s);
    s->kind = kind;
    s->name = name;
    s->decl = decl;
    s->dim = DIM_FREE;
    uint32_t j = hash_name(name) & (sc->cap - 1);
    while (sc->slots[j])
        j = (j + 1) & (sc->cap - 1);
    sc->slots[j] = s;
    sc->count++;
    return s;
}

unsigned scope_names(const scope *sc, const char **out, unsigned max, bool chain)
{
    unsigned n = 0;
    for (; sc; sc = chain ? sc->parent : NULL)
        for (uint32_t i = 0; i < sc->cap && n < max; i++)
            if (sc->slots[i])
                out[n++] = sc->slots[i]->name;
    return n;
}

void suggest_in_scope(sema *S, diag *g, const scope *sc, const char *name)
{
    /* Every one-letter name is one edit from every other: 'a' for 'v' is a
     * guess. Only the same letter in the other case is suggested ('N', 'n'). */
    if (name[0] && !name[1]) {
        bool letter = (name[0] | 0x20) >= 'a' && (name[0] | 0x20) <= 'z';
        char other[2] = {(char)(name[0] ^ 0x20), 0};
        for (const scope *s = sc; letter && s; s = s->parent)
            for (uint32_t i = 0; i < s->cap; i++)
                if (s->slots[i] && strcmp(s->slots[i]->name, other) == 0) {
                    diag_hint(S->diag, g, "did you mean '%s'?", other);
                    return;
                }
        return;
    }
    enum { MAX = 512 };
    const char *names[MAX];
    unsigned n = scope_names(sc, names, MAX, true);
    diag_suggest(S->diag, g, name, names, n);
}

const char *sym_kind_name(sym_kind kind)
{
    static const char *const names[SYM_KIND_COUNT] = {
        [SYM_NEURON] = "neuron", [SYM_NETWORK] = "network", [SYM_TASK] = "task",
        [SYM_PLASTICITY] = "plasticity rule", [SYM_PARAM] = "parameter",
        [SYM_STATE] = "state", [SYM_PORT] = "input port", [SYM_LET] = "named value",
        [SYM_OUTPUT] = "output", [SYM_SPIKE] = "spike variable", [SYM_CHANNEL] = "channel",
        [SYM_POP] = "population", [SYM_DRAW] = "random draw", [SYM_LOOPVAR] = "loop variable",
        [SYM_PHASE] = "phase", [SYM_TRACE] = "trace", [SYM_SIDE] = "synapse side",
        [SYM_BUILTIN] = "built-in value", [SYM_FUNCTION] = "function",
        [SYM_ARG] = "function argument",
    };
    return kind < SYM_KIND_COUNT ? names[kind] : "name";
}

/* "bptt eprop none" as "bptt, eprop, none", for messages. */
const char *sema_commas(sema *S, const char *words)
{
    size_t spaces = 0;
    for (const char *p = words; *p; p++)
        spaces += *p == ' ';
    char *out = arena_alloc(S->arena, strlen(words) + spaces + 1), *o = out;
    for (const char *p = words; *p; p++) {
        if (*p == ' ')
            *o++ = ',';
        *o++ = *p;
    }
    *o = 0;
    return out;
}

const char *sym_kind_a(sym_kind kind)
{
    /* "a parameter", "an input port": the article follows the name's first
     * letter. Made once per thread: models are checked in several at once. */
    static _Thread_local char with_article[SYM_KIND_COUNT][40];
    if (kind >= SYM_KIND_COUNT)
        return "a name";
    if (!with_article[kind][0]) {
        const char *name = sym_kind_name(kind);
        snprintf(with_article[kind], sizeof with_article[kind], "%s %s",
                 strchr("aeiou", name[0]) ? "an" : "a", name);
    }
    return with_article[kind];
}

scope *sema_def_scope(const ast_node *def)
{
    return (scope *)def->sym;
}

void sema_set_def_scope(ast_node *def, scope *sc)
{
    def->sym = sc;
}

/* ---------------------------------------------------------------- -D overrides */

frontend_define *sema_override(sema *S, const char *owner, const char *name)
{
    for (unsigned i = 0; i < S->opts->define_count; i++) {
        frontend_define *d = &S->opts->defines[i];
        const char *dot = strrchr(d->name, '.');
        bool match;
        if (dot)
            match = owner && strlen(owner) == (size_t)(dot - d->name) &&
                    strncmp(d->name, owner, (size_t)(dot - d->name)) == 0 &&
                    strcmp(dot + 1, name) == 0;
        else
            match = strcmp(d->name, name) == 0;
        if (match && d->expr) {
            d->used = 1;
            return d;
        }
    }
    return NULL;
}

/* ---------------------------------------------------------------- parameters */

/* Declares the parameters of a PARAM or PARAMLIST node in SC: the value is
 * the default, or the -D override for it, and must be a constant. */
void sema_params(sema *S, ast_node *list, scope *sc, ast_node *owner)
{
    if (!list)
        return;
    expr_env env = {sc, 0, "a parameter value"};
    for (ast_node *b = list->first; b; b = b->next) {
        symbol *s;
        if (b->checked) {   /* declared already by sema_declare_params */
            s = scope_lookup_local(sc, b->name);
            if (!s || s->decl != b)
                continue;   /* a duplicate, reported there */
        } else if (!(s = scope_declare(S, sc, SYM_PARAM, b->name, b))) {
            continue;
        }
        s->owner = owner;
        ast_node *value = b->first;
        s->visiting = 1;   /* a use of it in its own value is a cycle */
        sema_expr(S, value, &env);
        s->visiting = 0;
        s->dim = value->dim;
        s->value = value;
        s->resolved = 1;
        frontend_define *d = sema_override(S, owner ? owner->name : NULL, b->name);
        if (d) {
            /* Each parameter the -D matches gets its own copy: names in the value
             * resolve in that parameter's scope ('-D n=m' in two networks). */
            ast_node *override = ast_clone(S->arena, d->expr);
            sema_expr(S, override, &env);
            if (!dim_compatible(override->dim, value->dim)) {
                if (!d->reported) {
                    diag *g = diag_error(S->diag, override->loc,
                                         "-D %s: parameter '%s' is %s, but the value is %s",
                                         d->name, b->name, dim_phrase(S, value->dim),
                                         dim_phrase(S, override->dim));
                    diag_hint(S->diag, g, "the default is at %s:%u",
                              S->diag->sources->files[value->loc.file].path,
                              (unsigned)value->loc.line);
                }
                d->reported = 1;
            } else {
                s->value = override;
                s->dim = dim_join(override->dim, value->dim);
            }
        }
    }
}

/* Declares the parameters of LIST without their values, so that one used
 * above its definition is reported as that, not as an unknown name. */
void sema_declare_params(sema *S, ast_node *list, scope *sc, ast_node *owner)
{
    for (ast_node *b = list ? list->first : NULL; b; b = b->next) {
        symbol *s = scope_declare(S, sc, SYM_PARAM, b->name, b);
        b->checked = 1;
        if (s)
            s->owner = owner;
    }
}

/* The parameters of a definition: its header's, then its 'param' lines. */
void sema_def_params(sema *S, ast_node *def, scope *sc)
{
    sema_declare_params(S, def->first, sc, def);
    for (ast_node *n = def->first->next; n; n = n->next)
        if (n->kind == AST_PARAM)
            sema_declare_params(S, n, sc, def);
    sema_params(S, def->first, sc, def);
    for (ast_node *n = def->first->next; n; n = n->next)
        if (n->kind == AST_PARAM)
            sema_params(S, n, sc, def);
}

/* ---------------------------------------------------------------- driver */

static sym_kind def_kind(ast_kind kind)
{
    switch (kind) {
    case AST_NEURON: return SYM_NEURON;
    case AST_NETWORK: return SYM_NETWORK;
    case AST_TASK: return SYM_TASK;
    default: return SYM_PLASTICITY;
    }
}

static void declare_builtins(sema *S)
{
    static const char *const names[] = {"t", "dt", "trial"};
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        src_loc none = {0, 0, 0, 0};
        ast_node *decl = ast_new(S->arena, AST_NAME, none);
        symbol *s = scope_declare(S, S->globals, SYM_BUILTIN, intern_cstr(S->arena, names[i]), decl);
        s->dim = i < 2 ? DIM_TIME_1 : DIM_ONE;   /* 'trial' counts trials */
        s->decl = NULL;
    }
}

/* Declares every definition and global parameter of every file. The root
 * file (files[0]) comes last, so a name it takes from an imported module is
 * reported in the root file, where it can be renamed, not in the module. */
static void declare_globals(sema *S)
{
    for (uint32_t i = 0; i < S->files.len; i++) {
        ast_node *file = S->files.items[(i + 1) % S->files.len];
        for (ast_node *n = file->first; n; n = n->next) {
            switch (n->kind) {
            case AST_FUNCTION:
                if (builtin_find_any(n->name)) {
                    diag *g = diag_error(S->diag, n->loc, "'%s' is a built-in function and cannot be redefined", n->name);
                    diag_hint(S->diag, g, "choose another name, e.g. '%s_custom'", n->name);
                    break;
                }
                if (scope_declare(S, S->globals, SYM_FUNCTION, n->name, n))
                    ptr_vec_push(S->arena, &S->defs, n);
                break;
            case AST_NEURON: case AST_NETWORK: case AST_TASK: case AST_PLASTICITY: {
                symbol *s = scope_declare(S, S->globals, def_kind((ast_kind)n->kind), n->name, n);
                if (s)
                    ptr_vec_push(S->arena, &S->defs, n);
                break;
            }
            default:
                break;
            }
        }
    }
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < S->files.len; i++) {
            ast_node *file = S->files.items[(i + 1) % S->files.len];
            for (ast_node *n = file->first; n; n = n->next)
                if (n->kind == AST_PARAM)
                    (pass ? sema_params : sema_declare_params)(S, n, S->globals, NULL);
        }
}

static void check_defs_of(sema *S, ast_kind kind, void (*check)(sema *, ast_node *))
{
    for (uint32_t i = 0; i < S->defs.len; i++) {
        ast_node *def = S->defs.items[i];
        if (def->kind == kind && !def->checked) {
            def->checked = 1;
            check(S, def);
        }
    }
}

static void report_unused_defines(sema *S)
{
    for (unsigned i = 0; i < S->opts->define_count; i++) {
        const frontend_define *d = &S->opts->defines[i];
        if (d->used || !d->expr)
            continue;
        src_loc none = {0, 0, 0, 0};
        const char *settings[64];
        unsigned nsettings = sema_setting_names(settings, 64);
        bool is_setting = false;
        for (unsigned k = 0; k < nsettings; k++)
            is_setting |= strcmp(settings[k], d->name) == 0;
        if (is_setting) {
            diag *g = diag_error(S->diag, none, "-D %s: '%s' is a setting of 'train' or 'evaluate', "
                                 "and this model has neither", d->name, d->name);
            diag_hint(S->diag, g, "add 'train Network on Task { ... }' to the model");
            continue;
        }
        diag *g = diag_error(S->diag, none, "-D %s: no parameter or setting is named '%s'",
                             d->name, d->name);
        const char *base = strrchr(d->name, '.');
        base = base ? base + 1 : d->name;
        enum { MAX = 512 };
        const char *names[MAX];
        unsigned n = scope_names(S->globals, names, MAX, false);
        for (uint32_t k = 0; k < S->defs.len && n < MAX; k++) {
            scope *sc = sema_def_scope(S->defs.items[k]);
            if (sc)
                n += scope_names(sc, names + n, MAX - n, false);
        }
        n += sema_setting_names(names + n, MAX - n);
        diag_suggest(S->diag, g, base, names, n);
    }
}

void sema_check(sema *S)
{
    S->globals = scope_new(S, NULL, "the model");
    declare_builtins(S);
    declare_globals(S);
    /* Functions, then neurons and plasticity rules: networks look inside them. */
    check_defs_of(S, AST_FUNCTION, sema_function);
    check_defs_of(S, AST_NEURON, sema_neuron);
    check_defs_of(S, AST_PLASTICITY, sema_plasticity);
    check_defs_of(S, AST_TASK, sema_task);
    check_defs_of(S, AST_NETWORK, sema_network);
    for (uint32_t f = 0; f < S->files.len; f++)
        sema_runs(S, S->files.items[f]);
    report_unused_defines(S);
}
