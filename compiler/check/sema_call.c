/* sema_call.c -- calls: builtin functions by where they may stand, their
 * arity, named arguments and units; user-defined functions; load(). */
#include "sema.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rt_file.h"

static unsigned allowed_classes(const expr_env *env, builtin_class want)
{
    unsigned mask = 1u << BI_MATH | 1u << want;
    if (env->allow & ALLOW_RANDOM)
        mask |= 1u << BI_RANDOM;
    if (env->allow & ALLOW_TASK)
        mask |= 1u << BI_TASK;
    if (env->allow & ALLOW_FILE)
        mask |= 1u << BI_FILE;
    if (env->allow & ALLOW_INIT)
        mask |= 1u << BI_INIT;
    if (env->allow & ALLOW_ANALYSIS)
        mask |= 1u << BI_ANALYSIS;
    return mask;
}

static const builtin *find_allowed(const char *name, unsigned mask, builtin_class want)
{
    const builtin *b = builtin_find(name, want);
    if (b)
        return b;
    for (int c = 0; c < BI_CLASS_COUNT; c++)
        if ((mask & (1u << c)) && (b = builtin_find(name, (builtin_class)c)))
            return b;
    return NULL;
}

static void unknown_function(sema *S, ast_node *call, const expr_env *env, unsigned mask)
{
    symbol *s = scope_lookup(env->scope, call->name);
    if (s) {
        diag_error(S->diag, call->loc, "'%s' is %s, not a function", call->name,
                   sym_kind_a(s->kind));
        return;
    }
    const builtin *other = builtin_find_any(call->name);
    if (other) {
        diag *g = diag_error(S->diag, call->loc, "%s() is %s and cannot be used in %s",
                             call->name, builtin_class_name(other->cls), env->where);
        if (other->cls == BI_RANDOM && (env->allow & ALLOW_TASK))
            diag_hint(S->diag, g, "in a task, a random value is made with 'draw', "
                                  "e.g. 'draw x = normal()'");
        else if (other->cls == BI_RANDOM && env->allow == 0)
            diag_hint(S->diag, g, "%s must be a constant: numbers and parameters only", env->where);
        else if (other->cls == BI_RANDOM)
            diag_hint(S->diag, g, "random draws belong in task generators and in a neuron's "
                                  "equations; random weights are written 'init normal(...)' on a connect");
        return;
    }
    diag *g = diag_error(S->diag, call->loc, "unknown function '%s'", call->name);
    const char *names[128];
    unsigned n = builtin_names(mask, names, 128);
    diag_suggest(S->diag, g, call->name, names, n);
}

bool sema_check_arity(sema *S, src_loc loc, const char *name, int min, int max, unsigned got)
{
    if ((int)got >= min && (max < 0 || (int)got <= max))
        return true;
    const char *were = got == 1 ? "was" : "were";
    if (min == max)
        diag_error(S->diag, loc, "%s() takes %d argument%s, but %u %s given", name, min,
                   min == 1 ? "" : "s", got, were);
    else if (max < 0)
        diag_error(S->diag, loc, "%s() takes at least %d arguments, but %u %s given", name, min,
                   got, were);
    else
        diag_error(S->diag, loc, "%s() takes %d to %d arguments, but %u %s given", name, min,
                   max, got, were);
    return false;
}

/* Whether B's named arguments stand for its positional places (normal's
 * mean and std, trunc_exp's mean, lo and hi), and so count in its arity and
 * dimension rule, rather than being options beside them (latch's 'after',
 * an analysis's 'n'). */
static bool keywords_are_places(const builtin *b)
{
    return b->cls == BI_RANDOM || b->cls == BI_INIT;
}

/* Checks the arguments against B's arity and named arguments; fills DIMS. */
static bool check_args(sema *S, ast_node *call, const builtin *b, const expr_env *env,
                       dim_t *dims, unsigned *npos)
{
    sema_check_duplicate_args(S, call->first);
    ast_node *args = call->first;
    bool ok = true;
    *npos = 0;
    unsigned filled = 0, n_named = 0;   /* named arguments that stand for places (normal(std = 1)) */
    dim_t named_dims[16];
    for (ast_node *a = args ? args->first : NULL; a; a = a->next) {
        if (a->kind == AST_NAMEDARG) {
            if (!builtin_has_keyword(b, a->name)) {
                diag *g = diag_error(S->diag, a->loc, "%s() has no argument named '%s'",
                                     b->name, a->name);
                if (b->keywords)
                    diag_hint(S->diag, g, "its named arguments are: %s", sema_commas(S, b->keywords));
                ok = false;
            }
            sema_expr(S, a->first, env);
            if (keywords_are_places(b) && builtin_has_keyword(b, a->name)) {
                unsigned place = (unsigned)builtin_keyword_index(b, a->name);
                filled = place + 1 > filled ? place + 1 : filled;
                if (n_named < 16)
                    named_dims[n_named++] = a->first->dim;
            }
            continue;
        }
        if (a->kind == AST_ARROW) {
            diag_error(S->diag, a->loc, "a projection ('->') cannot be an argument of %s()", b->name);
            ok = false;
            continue;
        }
        sema_expr(S, a, env);
        if (a->type == TY_GROUP) {
            symbol *pop = a->kind == AST_NAME ? a->sym : NULL;
            diag *g = diag_error(S->diag, a->loc, "'%s' is %s and cannot be an argument of %s()",
                                 pop ? pop->name : "this", pop ? sym_kind_a(pop->kind) : "a group",
                                 b->name);
            /* Its values can stand here only where per-step values may. */
            const ast_node *neuron = pop && pop->kind == SYM_POP && (env->allow & ALLOW_STATE)
                                         ? pop->value : NULL;
            for (const ast_node *item = neuron ? neuron->first : NULL; item; item = item->next)
                if (item->kind == AST_OUTPUT && item->first) {
                    diag_hint(S->diag, g, "name one of its values, e.g. %s.%s", pop->name,
                              item->first->name);
                    break;
                }
            ok = false;
        }
        if (*npos < 16)
            dims[*npos] = a->dim;
        if (expr_is_error(a))
            ok = false;
        (*npos)++;
    }
    unsigned given = *npos > filled ? *npos : filled;   /* a place given twice: plan.c and the engine say */
    if (!sema_check_arity(S, call->loc, b->name, b->min_args, b->max_args, given)) {
        ok = false;
    } else if (b->min_args == 0 && b->max_args == 2 && *npos == 1 && !n_named) {
        /* uniform(lo, hi), normal(mean, std): one alone has no agreed meaning. */
        diag_error(S->diag, call->loc, "%s() takes no arguments or two, but 1 was given", b->name);
        ok = false;
    }
    for (unsigned i = 0; i < n_named && *npos < 16; i++)   /* the dimension rule sees them too */
        dims[(*npos)++] = named_dims[i];
    return ok;
}

/* The I-th argument check_args counted: the positional ones, then the
 * named ones that stand for places (keywords_are_places). */
static const ast_node *positional(const builtin *b, const ast_node *args, unsigned i)
{
    for (const ast_node *a = args->first; a; a = a->next)
        if (a->kind != AST_NAMEDARG && a->kind != AST_ARROW && i-- == 0)
            return a;
    for (const ast_node *a = args->first; a; a = a->next)
        if (a->kind == AST_NAMEDARG && keywords_are_places(b) && builtin_has_keyword(b, a->name) && i-- == 0)
            return a->first;
    return args;
}

static dim_t apply_dim_rule(sema *S, ast_node *call, const builtin *b, const dim_t *dims,
                            unsigned npos)
{
    ast_node *args = call->first;
    unsigned n = npos < 16 ? npos : 16;
    switch (b->rule) {
    case DR_DIMLESS:
        for (unsigned i = 0; i < n; i++)
            if (dims[i].known && !dim_is_one(dims[i])) {
                diag *g = diag_error(S->diag, positional(b, args, i)->loc,
                                     "the argument of %s() must be dimensionless, but it is %s",
                                     b->name, dim_phrase(S, dims[i]));
                diag_hint(S->diag, g, "divide by a quantity of the same unit, e.g. exp(-dt / tau)");
            }
        return DIM_ONE;
    case DR_FIRST:
        return n ? dims[0] : DIM_FREE;
    case DR_SAME: {
        dim_t d = DIM_FREE;
        for (unsigned i = 0; i < n; i++) {
            if (!dim_compatible(d, dims[i])) {
                diag_error(S->diag, positional(b, args, i)->loc,
                           "the arguments of %s() must have one unit, but here are %s and %s",
                           b->name, dim_text(S, d), dim_text(S, dims[i]));
                return DIM_FREE;
            }
            d = dim_join(d, dims[i]);
        }
        return d;
    }
    case DR_SELECT:
        if (n == 3 && !dim_compatible(dims[1], dims[2])) {
            diag_error(S->diag, positional(b, args, 2)->loc,
                       "the two values of where() must have one unit, but here are %s and %s",
                       dim_text(S, dims[1]), dim_text(S, dims[2]));
            return DIM_FREE;
        }
        return n == 3 ? dim_join(dims[1], dims[2]) : DIM_FREE;
    case DR_RESULT_ONE:
        return DIM_ONE;
    case DR_SQRT: {
        dim_t d;
        if (n && !dim_root(dims[0], 2, &d)) {
            diag_error(S->diag, call->loc, "the square root of %s has no unit",
                       dim_text(S, dims[0]));
            return DIM_FREE;
        }
        return n ? d : DIM_FREE;
    }
    case DR_RATE: {
        dim_t hz = {{-1, 0, 0}, 1};
        if (n && !dim_compatible(dims[0], hz))
            diag_error(S->diag, positional(b, args, 0)->loc, "%s() needs a rate (Hz), but this is %s",
                       b->name, dim_phrase(S, dims[0]));
        return DIM_ONE;
    }
    case DR_FREE:
        return DIM_FREE;
    }
    return DIM_FREE;
}

/* load("x.npy") names a file beside the model: it must be there now, not
 * only when training starts minutes later. */
static void check_file_exists(sema *S, const ast_node *path)
{
    /* load(wfile) where 'param wfile = "w.npy"': the file is the parameter's value. */
    const symbol *s = path->kind == AST_NAME ? path->sym : NULL;
    if (s && s->kind == SYM_PARAM && s->value && s->value->kind == AST_STR)
        path = s->value;
    if (path->type != TY_STR || path->kind != AST_STR) {
        diag_error(S->diag, path->loc, "load() takes a file name in quotes");
        return;
    }
    const char *model = S->diag->sources->files[path->loc.file].path;
    const char *slash = strrchr(model, '/');
    const char *full = path->name[0] == '/' || !slash
                           ? path->name
                           : arena_printf(S->arena, "%.*s/%s", (int)(slash - model), model, path->name);
    /* Opened as the run will open it: a folder, a device or a FIFO is refused here. */
    char why[256];
    FILE *fp = rt_file_open(full, RT_FILE_MAX_NPY, NULL, why, sizeof why);
    if (!fp) {
        diag *g = diag_error(S->diag, path->loc, "cannot open '%s': %s", path->name, why);
        diag_hint(S->diag, g, "a relative name is read from the model file's folder");
        return;
    }
    fclose(fp);
}

/* f(x, y) where 'function f(a, b) = ...': positional arguments, one per name. */
static void check_user_call(sema *S, ast_node *call, symbol *fn, const expr_env *env)
{
    ast_node *def = fn->decl;
    unsigned got = 0;
    bool bad_argument = false;
    for (ast_node *a = call->first ? call->first->first : NULL; a; a = a->next) {
        if (a->kind == AST_NAMEDARG || a->kind == AST_ARROW) {
            diag_error(S->diag, a->loc, "arguments of function '%s' are given by position", fn->name);
            expr_set(call, TY_ERROR, DIM_FREE);
            return;
        }
        sema_expr(S, a, env);
        if (a->type != TY_NUM && a->type != TY_BOOL && a->type != TY_ERROR) {
            diag_error(S->diag, a->loc, "arguments of function '%s' are numbers", fn->name);
            bad_argument = true;
        }
        got++;
    }
    if (bad_argument) {
        expr_set(call, TY_ERROR, DIM_FREE);
        return;
    }
    if (!def->checked) {
        def->checked = 1;
        sema_function(S, def);
    }
    if (fn->visiting) {
        diag_error(S->diag, call->loc, "function '%s' calls itself (directly or through other functions); functions cannot be recursive", fn->name);
        expr_set(call, TY_ERROR, DIM_FREE);
        return;
    }
    unsigned want = def->first->count;
    if (!sema_check_arity(S, call->loc, fn->name, (int)want, (int)want, got)) {
        expr_set(call, TY_ERROR, DIM_FREE);
        return;
    }
    /* call->sym stays NULL: it holds builtins only; a user call is found by name. */
    ast_node *body = def->first->next;
    /* The body's unit is known only if it does not depend on the arguments. */
    expr_set(call, TY_NUM, body->type == TY_NUM && body->dim.known ? body->dim : DIM_FREE);
}

void sema_function(sema *S, ast_node *def)
{
    symbol *fn = scope_lookup_local(S->globals, def->name);
    scope *sc = scope_new(S, S->globals, arena_printf(S->arena, "function '%s'", def->name));
    sema_set_def_scope(def, sc);
    for (ast_node *a = def->first->first; a; a = a->next) {
        symbol *s = scope_declare(S, sc, SYM_ARG, a->name, a);
        if (s)
            s->dim = DIM_FREE;
    }
    if (fn)
        fn->visiting = 1;
    expr_env env = {sc, 0, "a function"};
    sema_expr(S, def->first->next, &env);
    if (fn)
        fn->visiting = 0;
}

/* ------------------------------------------------------------ smoothing */

/* A window's size and standard deviation count steps ('10') or are times
 * ('10 ms'); a size written as a number must be a positive whole one. */
static bool check_window_args(sema *S, const ast_node *win, const builtin *wb)
{
    bool ok = true;
    unsigned i = 0;
    for (const ast_node *a = win->first ? win->first->first : NULL; a; a = a->next, i++) {
        const ast_node *v = a->kind == AST_NAMEDARG ? a->first : a;
        if (v->dim.known && !dim_is_one(v->dim) && !dim_compatible(v->dim, DIM_TIME_1)) {
            diag *g = diag_error(S->diag, v->loc, "the arguments of %s() are steps or times, but this is %s",
                                 wb->name, dim_phrase(S, v->dim));
            diag_hint(S->diag, g, "write a number of steps ('10') or a time ('10 ms')");
            ok = false;
        } else if (i == 0 && v->kind == AST_NUM && !v->name && (v->num < 1 || v->num != (double)(long)v->num)) {
            diag *g = diag_error(S->diag, v->loc, "%s()'s number of points must be a positive whole number, "
                                 "but it is %g", wb->name, v->num);
            diag_hint(S->diag, g, "SciPy's windows take a whole number of points, e.g. %s(10)", wb->name);
            ok = false;
        }
    }
    if (strcmp(wb->name, "gaussian") == 0 && i < 2) {
        diag *g = diag_error(S->diag, win->loc, "gaussian() needs a standard deviation");
        diag_hint(S->diag, g, "write gaussian(n, std), e.g. gaussian(20, std = 12)");
        ok = false;
    }
    return ok;
}

/* convolve(x, window): x any task signal, the window one of the
 * smoothing windows, which stand nowhere else. */
static void check_convolve(sema *S, ast_node *call, const builtin *b, const expr_env *env)
{
    dim_t dims[16];
    unsigned npos;
    ast_node *x = call->first ? call->first->first : NULL;
    ast_node *win = x ? x->next : NULL;
    const builtin *wb = win && win->kind == AST_CALL ? builtin_find(win->name, BI_TASK) : NULL;
    if (!win || !builtin_is_window(wb) || x->kind == AST_NAMEDARG || win->next) {
        /* Not the convolve(x, window) shape: the usual arity and argument errors, or this one. */
        if (check_args(S, call, b, env, dims, &npos) || (win && !builtin_is_window(wb) && !expr_is_error(win))) {
            diag *g = diag_error(S->diag, win ? win->loc : call->loc, "convolve()'s second argument must be a "
                                 "smoothing window");
            diag_hint(S->diag, g, "hann(n), gaussian(n, std) or boxcar(n), n points: convolve(x, hann(10))");
        }
        expr_set(call, TY_ERROR, DIM_FREE);
        return;
    }
    sema_expr(S, x, env);
    win->sym = (void *)wb;
    bool ok = check_args(S, win, wb, env, dims, &npos) && check_window_args(S, win, wb);
    expr_set(win, ok ? TY_NUM : TY_ERROR, DIM_FREE);
    call->sym = (void *)b;
    expr_set(call, ok && !expr_is_error(x) ? TY_NUM : TY_ERROR, x->dim);
}

void sema_call(sema *S, ast_node *call, const expr_env *env, builtin_class cls)
{
    symbol *user = scope_lookup(S->globals, call->name);
    if (user && user->kind == SYM_FUNCTION) {
        check_user_call(S, call, user, env);
        return;
    }
    unsigned mask = allowed_classes(env, cls);
    const builtin *b = find_allowed(call->name, mask, cls);
    if (!b) {
        unknown_function(S, call, env, mask);
        /* Still check the arguments, so their own errors are reported too. */
        for (ast_node *a = call->first ? call->first->first : NULL; a; a = a->next)
            if (a->kind != AST_ARROW)
                sema_expr(S, a->kind == AST_NAMEDARG ? a->first : a, env);
        expr_set(call, TY_ERROR, DIM_FREE);
        return;
    }
    if (builtin_is_window(b)) {
        diag *g = diag_error(S->diag, call->loc, "%s() is a smoothing window; it stands only as convolve()'s "
                             "second argument", call->name);
        diag_hint(S->diag, g, "smooth a signal with convolve(x, %s(...))", call->name);
        expr_set(call, TY_ERROR, DIM_FREE);
        return;
    }
    if (b->cls == BI_TASK && strcmp(b->name, "convolve") == 0) {
        check_convolve(S, call, b, env);
        return;
    }
    if (b->cls == BI_TASK && strcmp(b->name, "spike_times") == 0) {   /* spike_times(load("f.npy")) */
        const ast_node *a = call->first ? call->first->first : NULL;
        if (a && (a->kind != AST_CALL || strcmp(a->name, "load") != 0 || a->next)) {
            diag *g = diag_error(S->diag, a->loc, "spike_times() reads a file of spikes: its argument is load(...)");
            diag_hint(S->diag, g, "spike_times(load(\"spikes.npy\")), rows (element, time in seconds) or (trial, "
                                  "element, time in seconds)");
            expr_set(call, TY_ERROR, DIM_FREE);
            return;
        }
    }
    call->sym = (void *)b;
    dim_t dims[16];
    unsigned npos;
    if (!check_args(S, call, b, env, dims, &npos)) {
        expr_set(call, TY_ERROR, DIM_FREE);
        return;
    }
    if (b->cls == BI_FILE)
        check_file_exists(S, call->first->first);
    expr_set(call, TY_NUM, apply_dim_rule(S, call, b, dims, npos));
}

/* f(a = 1, a = 2): which value was meant cannot be known. */
void sema_check_duplicate_args(sema *S, const ast_node *args)
{
    unsigned seen = 0;
    for (const ast_node *a = args ? args->first : NULL; a && seen < 256; a = a->next, seen++) {
        if (a->kind != AST_NAMEDARG)
            continue;
        for (const ast_node *b = args->first; b != a; b = b->next)
            if (b->kind == AST_NAMEDARG && b->name == a->name) {
                diag_error(S->diag, a->loc, "'%s' is given twice (first at column %u)", a->name,
                           (unsigned)b->loc.col);
                break;
            }
    }
}
