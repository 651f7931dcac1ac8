/* sema_network.c -- checks of network definitions: inputs, populations,
 * and every connect with its rule and options. */
#include "sema.h"

#include <math.h>
#include <string.h>

/* The parameters of DEF in the order it declares them: header, then body. */
static unsigned def_param_names(const ast_node *def, const char **out, unsigned max)
{
    unsigned n = 0;
    for (const ast_node *item = def->first; item; item = item->next) {
        if (item != def->first && item->kind != AST_PARAM)
            continue;
        for (const ast_node *b = item->first; b && n < max; b = b->next)
            out[n++] = b->name;
    }
    return n;
}

/* "tau, v_th, gamma": up to eight names, then "...". */
static const char *name_list(sema *S, const char *const *names, unsigned n)
{
    const char *text = "";
    for (unsigned i = 0; i < n && i < 8; i++)
        text = arena_printf(S->arena, "%s%s%s", text, i ? ", " : "", names[i]);
    return n > 8 ? arena_printf(S->arena, "%s, ...", text) : text;
}

/* A -D on the parameter P that the named argument A sets replaces A's
 * value: the command line is the last word (docs/language.md section 16).
 * The -D value is read where A is written. One of the wrong dimension is
 * left to sema_params, which reports it against the parameter. */
static void command_line_wins(sema *S, ast_node *a, const ast_node *def, const symbol *p, const expr_env *env)
{
    frontend_define *d = sema_override(S, def->name, a->name);
    if (!d)
        return;
    ast_node *value = ast_clone(S->arena, d->expr);
    sema_expr(S, value, env);
    if (value->type != TY_ERROR && dim_compatible(value->dim, p->dim))
        a->first = value;
}

/* Named arguments that override DEF's parameters: TanhRate[100](tau = 10 ms). */
void sema_param_overrides(sema *S, ast_node *args, ast_node *def, scope *def_scope,
                          const expr_env *env)
{
    if (!args)
        return;
    sema_check_duplicate_args(S, args);
    const char *kind = def->kind == AST_TASK ? "task" : def->kind == AST_PLASTICITY
                                                                ? "plasticity rule" : "neuron";
    const char *names[256];
    unsigned nparams = def_param_names(def, names, 256);
    for (ast_node *a = args->first; a; a = a->next) {
        if (a->kind != AST_NAMEDARG) {
            if (nparams == 0) {
                diag_error(S->diag, a->loc, "%s '%s' has no parameters to set", kind, def->name);
            } else {
                diag *g = diag_error(S->diag, a->loc, "parameters of %s '%s' are given by name",
                                     kind, def->name);
                diag_hint(S->diag, g, "write e.g. (%s = ...); the parameters are: %s", names[0],
                          name_list(S, names, nparams));
            }
            if (a->kind != AST_ARROW)
                sema_expr(S, a, env);
            continue;
        }
        sema_expr(S, a->first, env);
        symbol *p = def_scope ? scope_lookup_local(def_scope, a->name) : NULL;
        if (!p || p->kind != SYM_PARAM) {
            diag *g = diag_error(S->diag, a->loc, "%s '%s' has no parameter '%s'", kind,
                                 def->name, a->name);
            diag_suggest(S->diag, g, a->name, names, nparams);
            if (!g->hint)
                diag_hint(S->diag, g, nparams ? "its parameters are: %s" : "it has no parameters%s",
                          name_list(S, names, nparams));
            continue;
        }
        if (a->first->type != TY_ERROR && !dim_compatible(a->first->dim, p->dim))
            diag_error(S->diag, a->first->loc, "parameter '%s' of %s '%s' is %s, but this is %s",
                       a->name, kind, def->name, dim_phrase(S, p->dim), dim_phrase(S, a->first->dim));
        a->sym = p;
        command_line_wins(S, a, def, p, env);
    }
}

/* ---------------------------------------------------------------- populations */

static ast_node *find_def(sema *S, ast_node *at, const char *name, sym_kind want,
                          const char *what)
{
    symbol *s = scope_lookup_local(S->globals, name);
    if (s && s->kind == want)
        return s->decl;
    diag *g;
    if (s)
        g = diag_error(S->diag, at->loc, "'%s' is %s, not a %s", name, sym_kind_a(s->kind), what);
    else {
        g = diag_error(S->diag, at->loc, "unknown %s '%s'", what, name);
        const char *names[512];
        unsigned n = 0;
        for (uint32_t i = 0; i < S->globals->cap && n < 512; i++)
            if (S->globals->slots[i] && S->globals->slots[i]->kind == want)
                names[n++] = S->globals->slots[i]->name;
        diag_suggest(S->diag, g, name, names, n);
        if (!g->hint && want == SYM_NEURON)
            diag_hint(S->diag, g, "is an import missing? e.g. 'import neurons.rate'");
        if (!g->hint && want == SYM_PLASTICITY)
            diag_hint(S->diag, g, "define it with 'plasticity %s { dw = ... }', or import the "
                                  "file that does", name);
    }
    return NULL;
}

static void check_pop(sema *S, scope *sc, ast_node *n)
{
    ast_node *type = n->first;
    ast_node *neuron = find_def(S, type, type->name, SYM_NEURON, "neuron");
    double size = 0;
    sema_const_size(S, type->first, sc,
                    arena_printf(S->arena, "population '%s'", n->name), &size);
    expr_env env = {sc, 0, "a parameter override"};
    if (neuron)
        sema_param_overrides(S, type->first->next, neuron, sema_def_scope(neuron), &env);
    symbol *s = scope_declare(S, sc, SYM_POP, n->name, n);
    if (s) {
        s->value = neuron;
        s->size = size;
        s->role = n->op;
    }
}

/* input x[3], target y[n]: channels with constant, positive sizes (a
 * network's inputs, a task's inputs and targets); returns how many. */
unsigned sema_declare_channels(sema *S, scope *sc, ast_node *list)
{
    unsigned count = 0;
    for (ast_node *ch = list->first; ch; ch = ch->next, count++) {
        double size = 1;
        if (ch->first)
            sema_const_size(S, ch->first, sc, arena_printf(S->arena, "%s '%s'",
                            list->op == OP_INPUT ? "input" : "target", ch->name), &size);
        symbol *s = scope_declare(S, sc, SYM_CHANNEL, ch->name, ch);
        if (s) {
            s->size = size;
            s->role = list->op;
        }
    }
    return count;
}

/* ---------------------------------------------------------------- connect */

typedef struct endpoint_info {
    symbol *group;       /* a population or an input channel */
    ast_node *neuron;    /* its neuron, for a population */
    double size;
} endpoint_info;

static bool resolve_endpoint(sema *S, scope *sc, ast_node *ep, bool is_target, bool feedback,
                             endpoint_info *out)
{
    memset(out, 0, sizeof *out);
    symbol *s = scope_lookup_local(sc, ep->name);
    if (!s || (s->kind != SYM_POP && s->kind != SYM_CHANNEL)) {
        diag *g = diag_error(S->diag, ep->loc, "%s '%s' does not exist in %s",
                             is_target ? "target" : "source", ep->name, sc->what);
        suggest_in_scope(S, g, sc, ep->name);
        if (!g->hint)
            diag_hint(S->diag, g, is_target ? "declare it with 'pop %s : Neuron[size]'"
                                             : "declare it with 'pop %s : Neuron[size]' or 'input %s[size]'",
                      ep->name, ep->name);
        return false;
    }
    out->group = s;
    out->neuron = s->kind == SYM_POP ? s->value : NULL;
    out->size = s->size;
    ep->sym = s;
    if (s->kind == SYM_CHANNEL && is_target) {
        diag_error(S->diag, ep->loc, "'%s' is a network input; it cannot receive a projection", ep->name);
        return false;
    }
    if (s->kind == SYM_CHANNEL && feedback) {
        diag_error(S->diag, ep->loc, "feedback runs between populations; '%s' is an input", ep->name);
        return false;
    }
    if (s->kind == SYM_POP && !out->neuron)
        return false;   /* its unknown neuron is reported already */
    if (s->kind == SYM_CHANNEL) {
        if (ep->first)
            diag_error(S->diag, ep->first->loc, "input '%s' has no members", ep->name);
        return !ep->first;
    }
    scope *nsc = sema_def_scope(out->neuron);
    if (!nsc)
        return false;
    if (ep->first) {
        symbol *m = scope_lookup_local(nsc, ep->first->name);
        bool ok = m && (is_target ? m->kind == SYM_PORT
                                  : (m->kind == SYM_OUTPUT || m->kind == SYM_STATE || m->kind == SYM_SPIKE));
        if (!ok) {
            diag *g;
            if (m)
                g = diag_error(S->diag, ep->first->loc, "'%s' is %s of neuron '%s'; a projection %s",
                               ep->first->name, sym_kind_a(m->kind), out->neuron->name,
                               is_target ? "arrives at an input port"
                                         : "sends an output, a state or the spike");
            else {
                g = diag_error(S->diag, ep->first->loc, "neuron '%s' has no %s '%s'",
                               out->neuron->name, is_target ? "input port" : "output",
                               ep->first->name);
                suggest_in_scope(S, g, nsc, ep->first->name);
            }
            if (!g->hint) {   /* what would do, in the order the neuron declares it */
                const char *have = "";
                for (ast_node *item = out->neuron->first; item; item = item->next) {
                    bool fits = is_target ? item->kind == AST_INPUT
                                          : item->kind == AST_OUTPUT || item->kind == AST_STATE ||
                                                item->kind == AST_SPIKE;
                    for (ast_node *b = item->kind == AST_SPIKE ? item : item->first; fits && b;
                         b = item->kind == AST_SPIKE ? NULL : b->next)
                        have = arena_printf(S->arena, "%s%s%s.%s", have, *have ? ", " : "",
                                            ep->name, b->name);
                }
                if (*have)
                    diag_hint(S->diag, g, "%s: %s", is_target ? "its input ports" : "it can send",
                              have);
            }
            return false;
        }
        return true;
    }
    if (is_target && !feedback) {
        const char *ports[16];
        unsigned nports = 0;   /* in the order the neuron declares them */
        for (ast_node *item = out->neuron->first; item; item = item->next)
            if (item->kind == AST_INPUT)
                for (ast_node *p = item->first; p; p = p->next) {
                    symbol *ps = scope_lookup_local(nsc, p->name);
                    if (ps && ps->kind == SYM_PORT && ps->decl == p && nports < 16)
                        ports[nports++] = p->name;
                }
        if (nports == 0) {
            diag *g = diag_error(S->diag, ep->loc, "neuron '%s' of '%s' has no input port",
                                 out->neuron->name, ep->name);
            diag_hint(S->diag, g, "declare one in the neuron: 'input I'");
            return false;
        }
        if (nports > 1) {
            diag *g = diag_error(S->diag, ep->loc, "neuron '%s' has %u input ports; say which "
                                 "this projection drives", out->neuron->name, nports);
            diag_hint(S->diag, g, "write '%s.%s' (ports: %s, %s%s)", ep->name, ports[0], ports[0],
                      ports[1], nports > 2 ? ", ..." : "");
            return false;
        }
    }
    if (!is_target) {
        bool sends = false;
        for (uint32_t i = 0; i < nsc->cap; i++)
            if (nsc->slots[i] && (nsc->slots[i]->kind == SYM_OUTPUT || nsc->slots[i]->kind == SYM_SPIKE ||
                                  nsc->slots[i]->role == SYM_ROLE_EXPORTED))
                sends = true;
        if (!sends) {
            diag *g = diag_error(S->diag, ep->loc, "neuron '%s' of '%s' has no output or spike to send",
                                 out->neuron->name, ep->name);
            diag_hint(S->diag, g, "declare what it sends: 'output r = ...' or 'spike z when ...'");
            return false;
        }
    }
    return true;
}

enum option_kind { OPT_RULE, OPT_INIT, OPT_BIAS, OPT_DALE, OPT_AUTAPSE, OPT_DELAY, OPT_BOUNDS,
                   OPT_TRAIN, OPT_PLASTICITY, OPT_MASK, OPT_SPECTRAL, OPT_STORAGE };

static const struct {
    const char *name;
    enum option_kind kind;
} connect_options[] = {
    {"all_to_all", OPT_RULE}, {"one_to_one", OPT_RULE}, {"fixed_probability", OPT_RULE},
    {"fixed_indegree", OPT_RULE}, {"fixed_outdegree", OPT_RULE}, {"init", OPT_INIT}, {"bias", OPT_BIAS},
    {"dale", OPT_DALE},
    {"autapses", OPT_AUTAPSE}, {"no_autapses", OPT_AUTAPSE}, {"delay", OPT_DELAY},
    {"bounds", OPT_BOUNDS}, {"trainable", OPT_TRAIN}, {"frozen", OPT_TRAIN},
    {"plasticity", OPT_PLASTICITY}, {"mask", OPT_MASK}, {"spectral_radius", OPT_SPECTRAL},
    {"storage", OPT_STORAGE}, {"load", OPT_RULE},
};
enum { OPTION_COUNT = sizeof connect_options / sizeof connect_options[0] };

typedef struct connect_ctx {
    sema *S;
    scope *sc;            /* network scope */
    scope *init_scope;    /* with fan_in, fan_out */
    endpoint_info from, to;
    bool from_ok, to_ok;
} connect_ctx;

/* The arguments of an option written as name(args) or name value. */
static ast_node *option_args(ast_node *opt)
{
    return opt->first && opt->first->kind == AST_ARGS ? opt->first : NULL;
}

static ast_node *option_value(ast_node *opt)
{
    return opt->first && opt->first->kind != AST_ARGS ? opt->first : NULL;
}

static bool const_number(sema *S, ast_node *e, scope *sc, const char *what, double *v)
{
    expr_env env = {sc, 0, what};
    sema_expr(S, e, &env);
    if (e->type == TY_ERROR)
        return false;
    if (e->type != TY_NUM || !const_value(e, NULL, v)) {
        diag_error(S->diag, e->loc, "%s must be a constant number", what);
        return false;
    }
    return true;
}

/* load("pre.npy", "post.npy"): the connections as two index lists, file
 * names in quotes (their contents are checked by the plan). */
static void check_list_rule(sema *S, ast_node *opt, ast_node *args)
{
    if (!args || args->count != 2 || args->first->kind != AST_STR || args->first->next->kind != AST_STR) {
        diag *g = diag_error(S->diag, opt->loc, "a list of connections is load(\"pre.npy\", \"post.npy\"): two "
                             "file names in quotes");
        diag_hint(S->diag, g, "each file a 1-d array of neuron indices, synapse k from pre[k] to post[k]");
        return;
    }
    for (ast_node *a = args->first; a; a = a->next)
        a->type = TY_STR;
}

static void check_rule(connect_ctx *c, ast_node *opt)
{
    sema *S = c->S;
    ast_node *args = option_args(opt);
    if (strcmp(opt->name, "load") == 0) {
        check_list_rule(S, opt, args);
        return;
    }
    unsigned nargs = args ? args->count : option_value(opt) ? 1 : 0;
    const builtin *b = builtin_find(opt->name, BI_RULE);
    if (!sema_check_arity(S, opt->loc, b->name, b->min_args, b->max_args, nargs))
        return;
    ast_node *arg = args ? args->first : option_value(opt);
    double v;
    if (strcmp(opt->name, "one_to_one") == 0) {
        if (c->from_ok && c->to_ok && c->from.size != c->to.size)
            diag_error(S->diag, opt->loc, "one_to_one needs equal sizes, but '%s' has %g and '%s' has %g",
                       c->from.group->name, c->from.size, c->to.group->name, c->to.size);
    } else if (strcmp(opt->name, "fixed_probability") == 0) {
        if (const_number(S, arg, c->sc, "a connection probability", &v) && !(v >= 0 && v <= 1)) {
            diag *g = diag_error(S->diag, arg->loc, "a connection probability must lie in [0, 1], not %g", v);
            if (v > 1 && v <= 100)
                diag_hint(S->diag, g, "a probability is a fraction: %g%% is %g", v, v / 100);
        }
    } else if (strcmp(opt->name, "fixed_indegree") == 0) {
        if (const_number(S, arg, c->sc, "an in-degree", &v)) {
            if (!(v >= 1) || v != floor(v))
                diag_error(S->diag, arg->loc, "an in-degree must be a positive whole number, not %g", v);
            else if (c->from_ok && c->from.size > 0 && v > c->from.size)
                diag_error(S->diag, arg->loc, "an in-degree of %g is more than the %g neurons of '%s'",
                           v, c->from.size, c->from.group->name);
        }
    } else if (strcmp(opt->name, "fixed_outdegree") == 0) {
        if (const_number(S, arg, c->sc, "an out-degree", &v)) {
            if (!(v >= 1) || v != floor(v))
                diag_error(S->diag, arg->loc, "an out-degree must be a positive whole number, not %g", v);
            else if (c->to_ok && c->to.size > 0 && v > c->to.size)
                diag_error(S->diag, arg->loc, "an out-degree of %g is more than the %g neurons of '%s'",
                           v, c->to.size, c->to.group->name);
        }
    }
}

/* normal(0, 1, mean = 2): a named argument that takes the place of one
 * given by position (an initialiser's keywords are its positions). */
static void check_named_after_positional(sema *S, const ast_node *init, const builtin *b)
{
    int positional = 0;
    for (const ast_node *a = init->first ? init->first->first : NULL; a; a = a->next)
        positional += a->kind != AST_NAMEDARG;
    for (const ast_node *a = init->first ? init->first->first : NULL; a; a = a->next) {
        int at = a->kind == AST_NAMEDARG ? builtin_keyword_index(b, a->name) : -1;
        if (at < 0 || at >= positional)
            continue;
        diag *g = diag_error(S->diag, a->loc, "'%s' is given twice: by name and as argument %d of %s()",
                             a->name, at + 1, b->name);
        diag_hint(S->diag, g, "give each once; in order, %s() takes: %s", b->name, sema_commas(S, b->keywords));
    }
}

static void check_init(connect_ctx *c, ast_node *opt, ast_node *init)
{
    sema *S = c->S;
    if (!init) {
        diag *g = diag_error(S->diag, opt->loc, "'init' needs an initialiser");
        diag_hint(S->diag, g, "e.g. 'init normal(0, 1/sqrt(fan_in))' or 'init orthogonal'");
        return;
    }
    expr_env env = {c->init_scope, ALLOW_INIT | ALLOW_FILE, "an initialiser"};
    if (init->kind == AST_NAME) {
        /* A bare name is a call without arguments: init orthogonal. */
        init->kind = AST_CALL;
        ast_node *args = ast_new(S->arena, AST_ARGS, init->loc);
        ast_add(init, args);
    }
    if (init->kind != AST_CALL) {
        diag *g = diag_error(S->diag, init->loc, "an initialiser is a name or a call");
        diag_hint(S->diag, g, "e.g. 'init normal(0, 0.1)', 'init zeros', 'init load(\"w.npy\")'");
        return;
    }
    if (!builtin_find_any(init->name) && !scope_lookup(c->init_scope, init->name)) {
        diag *g = diag_error(S->diag, init->loc, "unknown initialiser '%s'", init->name);
        const char *names[32];
        unsigned n = builtin_names(1u << BI_INIT | 1u << BI_FILE, names, 32);
        diag_suggest(S->diag, g, init->name, names, n);
        if (!g->hint)
            diag_hint(S->diag, g, "initialisers: normal, uniform, orthogonal, glorot_uniform, "
                                  "glorot_normal, zeros, constant, load(\"w.npy\")");
        return;
    }
    sema_call(S, init, &env, BI_INIT);
    const builtin *b = init->sym;
    if (init->type != TY_ERROR && (!b || (b->cls != BI_INIT && b->cls != BI_FILE))) {
        diag *g = diag_error(S->diag, init->loc, "%s() is not a weight initialiser", init->name);
        diag_hint(S->diag, g, "initialisers: normal, uniform, orthogonal, glorot_uniform, "
                              "glorot_normal, zeros, constant, load");
    }
    if (init->type != TY_ERROR && b && b->cls == BI_INIT)
        check_named_after_positional(S, init, b);
    if (b && strcmp(b->name, "orthogonal") == 0 && strcmp(opt->name, "init") == 0 && c->from_ok &&
        c->to_ok && c->from.size != c->to.size) {
        diag *g = diag_error(S->diag, init->loc, "orthogonal initialisation needs a square matrix, "
                             "but '%s' -> '%s' is %g x %g", c->from.group->name, c->to.group->name,
                             c->to.size, c->from.size);
        diag_hint(S->diag, g, "orthogonal suits a recurrent projection such as 'h -> h'; "
                              "here use e.g. 'init glorot_uniform'");
    }
}

/* pre.x and post.y in a plasticity rule name members of the neurons the
 * rule is attached between: checked here, where those neurons are known. */
static bool reported_before(const ast_node *rule, const ast_node *n)
{
    /* An earlier use of the same side and member in the rule: reported already. */
    const ast_node *stack[AST_MAX_DEPTH + 1];
    int top = 0;
    stack[top++] = rule;
    while (top > 0) {
        const ast_node *k = stack[--top];
        if (k == n)
            continue;
        if (k->kind == AST_MEMBER && k->name == n->name && k->first->kind == AST_NAME &&
            k->first->name == n->first->name &&
            (k->loc.line < n->loc.line || (k->loc.line == n->loc.line && k->loc.col < n->loc.col)))
            return true;
        for (const ast_node *kid = k->first; kid && top < AST_MAX_DEPTH; kid = kid->next)
            stack[top++] = kid;
    }
    return false;
}

static void check_side_members(connect_ctx *c, const ast_node *rule, const ast_node *n,
                               const ast_node *opt)
{
    for (const ast_node *k = n->first; k; k = k->next)
        check_side_members(c, rule, k, opt);
    if (n->kind != AST_MEMBER || n->first->kind != AST_NAME || !n->first->sym ||
        ((symbol *)n->first->sym)->kind != SYM_SIDE)
        return;
    bool pre = strcmp(n->first->name, "pre") == 0;
    const endpoint_info *side = pre ? &c->from : &c->to;
    scope *nsc = side->neuron ? sema_def_scope(side->neuron) : NULL;
    symbol *m = nsc ? scope_lookup_local(nsc, n->name) : NULL;
    if ((m && m->kind != SYM_PARAM) || reported_before(rule, n))   /* a port: a third factor it receives */
        return;
    diag *g;
    if (!side->neuron)
        g = diag_error(c->S->diag, opt->loc, "plasticity '%s' reads %s.%s, but '%s' is a network input "
                       "with no members", rule->name, n->first->name, n->name, side->group->name);
    else
        g = diag_error(c->S->diag, opt->loc, "plasticity '%s' reads %s.%s, but neuron '%s' of '%s' has "
                       "no state or output '%s'", rule->name, n->first->name, n->name,
                       side->neuron->name, side->group->name, n->name);
    diag_hint(c->S->diag, g, "%s.%s is read at %s:%u", n->first->name, n->name,
              c->S->diag->sources->files[n->loc.file].path, (unsigned)n->loc.line);
}

static void check_option(connect_ctx *c, ast_node *opt, enum option_kind kind)
{
    sema *S = c->S;
    ast_node *args = option_args(opt), *value = option_value(opt);
    double v, lo, hi;
    switch (kind) {
    case OPT_RULE:
        check_rule(c, opt);
        break;
    case OPT_INIT:
        check_init(c, opt, value ? value : args ? args->first : NULL);
        break;
    case OPT_BIAS:
        if (value || args)
            check_init(c, opt, value ? value : args->first);
        break;
    case OPT_DALE:
        if (args && args->first) {
            ast_node *a = args->first;
            if (a->kind != AST_NAMEDARG || strcmp(a->name, "exc") != 0) {
                diag *g = diag_error(S->diag, a->loc, "dale takes the excitatory fraction by name");
                diag_hint(S->diag, g, "write dale(exc = 0.8)");
            } else if (const_number(S, a->first, c->sc, "the excitatory fraction", &v) &&
                       !(v > 0 && v < 1)) {
                diag *g = diag_error(S->diag, a->first->loc,
                                     "the excitatory fraction must lie between 0 and 1, not %g", v);
                if (v > 1 && v < 100)
                    diag_hint(S->diag, g, "a fraction, not a percentage: %g%% is %g", v, v / 100);
            }
        }
        if (c->from_ok && c->from.group->kind == SYM_CHANNEL)
            diag_error(S->diag, opt->loc, "Dale's law signs the outgoing weights of neurons; "
                       "'%s' is an input", c->from.group->name);
        break;
    case OPT_AUTAPSE: case OPT_TRAIN:
        if (args || value)
            diag_error(S->diag, opt->loc, "'%s' takes no value", opt->name);
        else if (kind == OPT_AUTAPSE && c->from_ok && c->to_ok && c->from.group != c->to.group) {
            /* self-connections are neuron i to itself: only within one population */
            diag *g = diag_error(S->diag, opt->loc, "'%s' is about a population's connections to "
                                 "itself, and this connect goes from '%s' to '%s'", opt->name,
                                 c->from.group->name, c->to.group->name);
            diag_hint(S->diag, g, "use it on a recurrent connect such as '%s -> %s'",
                      c->to.group->name, c->to.group->name);
        }
        break;
    case OPT_DELAY: {
        if (!value) {
            diag_error(S->diag, opt->loc, "'delay' needs a value, e.g. 'delay 2 steps'");
            break;
        }
        if (const_number(S, value, c->sc, "a delay", &v)) {
            if (value->dim.known && !dim_compatible(value->dim, DIM_TIME_1))
                diag_error(S->diag, value->loc, "a delay is a time or a number of steps, but this is %s",
                           dim_phrase(S, value->dim));
            else if (v < 0)
                diag_error(S->diag, value->loc, "a delay cannot be negative");
        }
        break;
    }
    case OPT_BOUNDS:
        if (!args || args->count != 2) {
            diag_error(S->diag, opt->loc, "'bounds' takes two values: bounds(lo, hi)");
            break;
        }
        if (const_number(S, args->first, c->sc, "a weight bound", &lo) &&
            const_number(S, args->first->next, c->sc, "a weight bound", &hi) && !(lo < hi))
            diag_error(S->diag, opt->loc, "the lower weight bound (%g) must be below the upper (%g)", lo, hi);
        break;
    case OPT_PLASTICITY: {
        ast_node *rule = value;
        if (!rule || (rule->kind != AST_NAME && rule->kind != AST_CALL)) {
            diag_error(S->diag, opt->loc, "'plasticity' names a rule: 'plasticity STDP'");
            break;
        }
        ast_node *def = find_def(S, rule, rule->name, SYM_PLASTICITY, "plasticity rule");
        expr_env env = {c->sc, 0, "a parameter override"};
        if (def && rule->kind == AST_CALL)
            sema_param_overrides(S, rule->first, def, sema_def_scope(def), &env);
        if (def && c->from_ok && c->to_ok)
            check_side_members(c, def, def, opt);
        break;
    }
    case OPT_MASK: {
        expr_env env = {c->sc, ALLOW_FILE, "a mask"};
        if (!value || value->kind != AST_CALL) {
            diag_error(S->diag, opt->loc, "'mask' takes a file: mask load(\"mask.npy\")");
            break;
        }
        sema_call(S, value, &env, BI_FILE);
        break;
    }
    case OPT_SPECTRAL:   /* check_spectral_radius, which needs the connect's 'init' */
        break;
    case OPT_STORAGE:
        if (!value || value->kind != AST_NAME || (strcmp(value->name, "sparse") != 0 &&
                                                  strcmp(value->name, "dense") != 0)) {
            diag *g = diag_error(S->diag, value ? value->loc : opt->loc, "'storage' is 'sparse' or 'dense'");
            diag_hint(S->diag, g, "e.g. 'storage sparse': the synapses alone, propagated event by event");
        }
        break;
    }
}

/* spectral_radius(r) (PsychRNN's GaussianSpectralRadius): the initial
 * weights, masked and signed, are rescaled so that their largest
 * |eigenvalue| is r. Eigenvalues are those of a map of a population onto
 * itself, so the connect must be one; and 'init zeros' has none to rescale. */
static void check_spectral_radius(connect_ctx *c, ast_node *opt, const ast_node *init)
{
    sema *S = c->S;
    ast_node *args = option_args(opt), *value = option_value(opt);
    ast_node *radius = value ? value : args && args->count == 1 ? args->first : NULL;
    double v;
    if (!radius || radius->kind == AST_NAMEDARG) {
        diag *g = diag_error(S->diag, opt->loc, "'spectral_radius' takes one value, the radius");
        diag_hint(S->diag, g, "e.g. spectral_radius(1.1), PsychRNN's default");
    } else if (const_number(S, radius, c->sc, "a spectral radius", &v)) {
        if (radius->dim.known && !dim_is_one(radius->dim))
            diag_error(S->diag, radius->loc, "a spectral radius is a plain number, but this is %s",
                       dim_phrase(S, radius->dim));
        else if (!(v > 0) || !isfinite(v))
            diag_error(S->diag, radius->loc, "a spectral radius must be above 0, not %g", v);
    }
    if (c->from_ok && c->to_ok && c->from.group != c->to.group) {
        diag *g = diag_error(S->diag, opt->loc, "'spectral_radius' rescales the eigenvalues of a "
                             "population's connections to itself, and this connect goes from '%s' to '%s'",
                             c->from.group->name, c->to.group->name);
        diag_hint(S->diag, g, "use it on a recurrent connect such as '%s -> %s'", c->to.group->name,
                  c->to.group->name);
    }
    if (init && (init->kind == AST_CALL || init->kind == AST_NAME) && strcmp(init->name, "zeros") == 0) {
        diag *g = diag_error(S->diag, opt->loc, "'spectral_radius' cannot rescale 'init zeros': "
                             "every eigenvalue is 0");
        diag_hint(S->diag, g, "PsychRNN rescales Gaussian weights: 'init normal(0, 1), spectral_radius(1.1)'");
    }
}

/* The initialiser of a connect's 'init' option, or NULL. */
static const ast_node *connect_init(const ast_node *first_option)
{
    for (const ast_node *opt = first_option; opt; opt = opt->next)
        if (strcmp(opt->name, "init") == 0)
            return option_value((ast_node *)opt) ? opt->first
                   : option_args((ast_node *)opt) ? opt->first->first : NULL;
    return NULL;
}

/* dale with bounds(lo, hi) that exclude 0: one of the two signs would
 * have no weight it may take. */
static void check_dale_bounds(sema *S, ast_node *first_option)
{
    const ast_node *dale = NULL, *bounds = NULL;
    for (const ast_node *opt = first_option; opt; opt = opt->next) {
        dale = strcmp(opt->name, "dale") == 0 ? opt : dale;
        bounds = strcmp(opt->name, "bounds") == 0 ? opt : bounds;
    }
    const ast_node *args = bounds ? option_args((ast_node *)bounds) : NULL;
    double lo, hi;
    if (!dale || !args || args->count != 2 || !const_value(args->first, NULL, &lo) ||
        !const_value(args->first->next, NULL, &hi) || (lo <= 0 && hi >= 0))
        return;
    diag *g = diag_error(S->diag, bounds->loc, "bounds(%g, %g) exclude 0, so with Dale's law the %s "
                         "neurons could have no weight", lo, hi, lo > 0 ? "inhibitory" : "excitatory");
    diag_hint(S->diag, g, "bound the magnitudes from 0, e.g. bounds(%g, %g)", lo > 0 ? -hi : lo,
              lo > 0 ? hi : -lo);
}

static void check_connect(sema *S, scope *sc, scope *init_scope, ast_node *n)
{
    connect_ctx c = {S, sc, init_scope, {0}, {0}, false, false};
    bool feedback = n->op == 1;
    ast_node *from = n->first, *to = from->next;
    c.from_ok = resolve_endpoint(S, sc, from, false, feedback, &c.from);
    c.to_ok = resolve_endpoint(S, sc, to, true, feedback, &c.to);
    const ast_node *seen[OPTION_COUNT] = {0};
    const ast_node *rule = NULL, *train = NULL, *autapse = NULL;
    for (ast_node *opt = to->next; opt; opt = opt->next) {
        unsigned i = 0;
        while (i < OPTION_COUNT && strcmp(connect_options[i].name, opt->name) != 0)
            i++;
        if (i == OPTION_COUNT) {
            diag *g = diag_error(S->diag, opt->loc, "unknown connection option '%s'", opt->name);
            const char *names[OPTION_COUNT];
            for (unsigned k = 0; k < OPTION_COUNT; k++)
                names[k] = connect_options[k].name;
            diag_suggest(S->diag, g, opt->name, names, OPTION_COUNT);
            continue;
        }
        enum option_kind kind = connect_options[i].kind;
        const ast_node **slot = kind == OPT_RULE ? &rule : kind == OPT_TRAIN ? &train
                                : kind == OPT_AUTAPSE ? &autapse : &seen[i];
        if (*slot && (*slot)->name == opt->name) {
            diag_error(S->diag, opt->loc, "'%s' is given twice", opt->name);
            continue;
        }
        if (*slot) {
            diag *g = diag_error(S->diag, opt->loc, "'%s' conflicts with '%s' given before",
                                 opt->name, (*slot)->name);
            diag_hint(S->diag, g, "a connect has one %s",
                      kind == OPT_RULE ? "rule" : kind == OPT_TRAIN ? "of 'trainable'/'frozen'"
                      : kind == OPT_AUTAPSE ? "of 'autapses'/'no_autapses'" : "of each option");
            continue;
        }
        *slot = opt;
        if (kind == OPT_SPECTRAL)
            check_spectral_radius(&c, opt, connect_init(to->next));
        else
            check_option(&c, opt, kind);
    }
    check_dale_bounds(S, to->next);
}

/* ---------------------------------------------------------------- network */

static bool same_endpoint(const ast_node *a, const ast_node *b)
{
    return a->name == b->name && (a->first ? b->first && a->first->name == b->first->name : !b->first);
}

/* Two connects between the same endpoints would be one projection written
 * twice, and 'record h -> h' could not say which. */
static void check_duplicate_connect(sema *S, ast_node *def, ast_node *n)
{
    for (ast_node *m = def->first->next; m && m != n; m = m->next) {
        if (m->kind != AST_CONNECT || m->op != n->op || !same_endpoint(m->first, n->first) ||
            !same_endpoint(m->first->next, n->first->next))
            continue;
        diag *g = diag_error(S->diag, n->loc, "a second %s %s -> %s (the first is at line %u)",
                             n->op ? "feedback" : "connect", n->first->name, n->first->next->name,
                             (unsigned)m->loc.line);
        diag_hint(S->diag, g, "one connect per pair of populations; several ports are named "
                              "as 'h.port'");
        return;
    }
}

void sema_network(sema *S, ast_node *def)
{
    scope *sc = scope_new(S, S->globals, arena_printf(S->arena, "network '%s'", def->name));
    sema_set_def_scope(def, sc);
    sema_def_params(S, def, sc);
    for (ast_node *n = def->first->next; n; n = n->next) {
        if (n->kind == AST_CHANNELS)
            sema_declare_channels(S, sc, n);
        else if (n->kind == AST_POP)
            check_pop(S, sc, n);
    }
    scope *init_scope = scope_new(S, sc, sc->what);
    static const char *const init_names[] = {"fan_in", "fan_out"};
    for (unsigned i = 0; i < 2; i++) {
        symbol *s = scope_declare(S, init_scope, SYM_BUILTIN, intern_cstr(S->arena, init_names[i]), def);
        if (s) {
            s->dim = DIM_ONE;
            s->decl = NULL;
        }
    }
    bool has_pop = false;
    for (ast_node *n = def->first->next; n; n = n->next) {
        if (n->kind == AST_CONNECT) {
            check_connect(S, sc, init_scope, n);
            check_duplicate_connect(S, def, n);
        }
        has_pop |= n->kind == AST_POP;
    }
    if (!has_pop) {
        diag *g = diag_error(S->diag, def->loc, "network '%s' has no population", def->name);
        diag_hint(S->diag, g, "add one: 'pop h : TanhRate[100]'");
    }
}
