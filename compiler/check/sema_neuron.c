/* sema_neuron.c -- checks of neuron and plasticity definitions.
 *
 * A neuron is checked in three passes: parameters (constants, in order),
 * then the names of its states, ports, spikes, outputs and named values,
 * then every equation, whose dimension must match what it updates:
 *   dv/dt = f   f has the unit of v per time;
 *   v <- f      f has the unit of v.
 */
#include "sema.h"

#include <string.h>

static scope *def_scope(sema *S, ast_node *def, const char *kind)
{
    scope *sc = scope_new(S, S->globals, arena_printf(S->arena, "%s '%s'", kind, def->name));
    sema_set_def_scope(def, sc);
    return sc;
}

static void declare_bindings(sema *S, scope *sc, ast_node *list, sym_kind kind, ast_node *owner)
{
    for (ast_node *b = list->first; b; b = b->next) {
        symbol *s = scope_declare(S, sc, kind, b->name, b);
        if (s) {
            s->owner = owner;
            s->value = b->first;
        }
    }
}

/* States: their initial values are constants and give them their unit. */
static void declare_states(sema *S, scope *sc, ast_node *list, ast_node *owner, sym_kind kind)
{
    expr_env env = {sc, 0, arena_printf(S->arena, "the initial value of a %s", sym_kind_name(kind))};
    for (ast_node *b = list->first; b; b = b->next) {
        symbol *s = scope_declare(S, sc, kind, b->name, b);
        sema_expr(S, b->first, &env);
        if (!s)
            continue;
        s->owner = owner;
        s->value = b->first;
        s->dim = b->first->dim;
        s->resolved = 1;
    }
}

/* Does DEF declare NAME as a state or trace (one that clashed with another name)? */
static bool declares_state(const ast_node *def, const char *name)
{
    for (const ast_node *item = def ? def->first : NULL; item; item = item->next)
        if (item->kind == AST_STATE || item->kind == AST_TRACE)
            for (const ast_node *b = item->first; b; b = b->next)
                if (b->name == name)
                    return true;
    return false;
}

/* The state an update names, or NULL after reporting why it is not one. */
static symbol *update_target(sema *S, scope *sc, ast_node *n, const char *form)
{
    symbol *s = scope_lookup_local(sc, n->name);
    bool is_target = s && (s->kind == SYM_STATE || s->kind == SYM_TRACE ||
                           (s->kind == SYM_BUILTIN && strcmp(s->name, "w") == 0));
    if (!is_target) {
        diag *g;
        if (s && s->kind == SYM_PARAM && declares_state(s->owner, n->name))
            return NULL;   /* 'state v' clashed with a parameter 'v': reported there */
        if (s) {
            g = diag_error(S->diag, n->loc, "'%s' is %s; only a state can have an equation (%s)",
                           n->name, sym_kind_a(s->kind), form);
            if (s->kind == SYM_PARAM)
                diag_hint(S->diag, g, "a parameter is constant; to let it change, declare it "
                                      "as a state: 'state %s = ...'", n->name);
        } else {
            g = diag_error(S->diag, n->loc, "'%s' is not a state of %s", n->name, sc->what);
            suggest_in_scope(S, g, sc, n->name);
            if (!g->hint)
                diag_hint(S->diag, g, "declare it first: 'state %s = 0'", n->name);
        }
        return NULL;
    }
    if (s->updated) {
        diag *g = diag_error(S->diag, n->loc, "'%s' already has an equation", n->name);
        diag_hint(S->diag, g, "a state has one update: either 'd%s/dt = ...' or '%s <- ...'",
                  n->name, n->name);
        return NULL;
    }
    s->updated = 1;
    return s;
}

static void check_equation(sema *S, scope *sc, ast_node *n, unsigned allow)
{
    bool ode = n->kind == AST_ODE;
    symbol *s = update_target(S, sc, n, ode ? "d/dt" : "<-");
    expr_env env = {sc, allow, "an equation"};
    if (!s) {
        sema_expr(S, n->first, &env);
        return;
    }
    dim_t want = ode ? dim_div(s->dim, DIM_TIME_1) : s->dim;
    if (!s->dim.known)
        want = DIM_FREE;
    const char *what = ode ? arena_printf(S->arena, "d%s/dt", s->name)
                           : arena_printf(S->arena, "the new value of '%s'", s->name);
    sema_expect_dim(S, n->first, &env, want, what);
}

/* Assignments in a reset or an 'on pre/post' block; TARGETS says what they may change. */
static void check_assigns(sema *S, scope *sc, ast_node *list, unsigned allow, const char *where,
                          const char *targets)
{
    expr_env env = {sc, allow, where};
    for (ast_node *a = list->first; a; a = a->next) {
        ast_node *lv = a->first, *value = lv->next;
        symbol *s = scope_lookup_local(sc, lv->name);
        bool ok = s && (s->kind == SYM_STATE || s->kind == SYM_TRACE ||
                        (s->kind == SYM_BUILTIN && strcmp(s->name, "w") == 0));
        if (!ok) {
            diag *g = diag_error(S->diag, lv->loc, "%s can only change %s, and '%s' is %s",
                                 where, targets, lv->name, s ? sym_kind_a(s->kind) : "not one");
            if (!s)
                suggest_in_scope(S, g, sc, lv->name);
            sema_expr(S, value, &env);
            continue;
        }
        if (lv->first)
            diag_error(S->diag, lv->first->loc, "a state of one neuron has no index");
        dim_t want = a->op == OP_MUL_SET ? DIM_ONE : s->dim;
        if (a->op == OP_MUL_SET && !value)
            continue;
        sema_expect_dim(S, value, &env, want,
                        arena_printf(S->arena, "the value given to '%s'", s->name));
    }
}

/* ---------------------------------------------------------------- neuron */

/* 'output v' sends an existing state or named value under its own name. */
static bool is_self_export(const ast_node *binding)
{
    return binding->first && binding->first->kind == AST_NAME && binding->first->name == binding->name;
}

static void declare_self_exports(sema *S, scope *sc, ast_node *def)
{
    for (ast_node *n = def->first; n; n = n->next) {
        if (n->kind != AST_OUTPUT)
            continue;
        for (ast_node *b = n->first; b; b = b->next) {
            if (!is_self_export(b))
                continue;
            symbol *s = scope_lookup_local(sc, b->name);
            if (s && (s->kind == SYM_STATE || s->kind == SYM_LET || s->kind == SYM_SPIKE ||
                      s->kind == SYM_PORT)) {
                s->role = SYM_ROLE_EXPORTED;
                continue;
            }
            diag *g;
            if (s)
                g = diag_error(S->diag, b->loc, "'output %s' sends a state or named value, but '%s' "
                               "is a %s of %s", b->name, b->name, sym_kind_name(s->kind), sc->what);
            else
                g = diag_error(S->diag, b->loc, "'output %s' sends a state or named value of %s, "
                               "but there is no '%s'", b->name, sc->what, b->name);
            diag_hint(S->diag, g, "to send an expression, name it: 'output r = ...'");
        }
    }
}

static void declare_neuron_names(sema *S, scope *sc, ast_node *def, symbol **spike)
{
    for (ast_node *n = def->first; n; n = n->next) {
        switch (n->kind) {
        case AST_STATE:
            declare_states(S, sc, n, def, SYM_STATE);
            break;
        case AST_INPUT:
            for (ast_node *p = n->first; p; p = p->next) {
                symbol *s = scope_declare(S, sc, SYM_PORT, p->name, p);
                if (s)
                    s->owner = def;
            }
            break;
        case AST_LET:
            declare_bindings(S, sc, n, SYM_LET, def);
            break;
        case AST_OUTPUT:
            for (ast_node *b = n->first; b; b = b->next) {
                if (is_self_export(b))
                    continue;   /* 'output v': after everything else is declared */
                symbol *s = scope_declare(S, sc, SYM_OUTPUT, b->name, b);
                if (s) {
                    s->owner = def;
                    s->value = b->first;
                }
            }
            break;
        case AST_SPIKE: {
            if (*spike) {
                diag *g = diag_error(S->diag, n->loc, "%s has a second spike condition", sc->what);
                diag_hint(S->diag, g, "a neuron emits one kind of spike; combine conditions with 'or'");
                break;
            }
            symbol *s = scope_declare(S, sc, SYM_SPIKE, n->name, n);
            if (s) {
                s->owner = def;
                s->dim = DIM_ONE;
                *spike = s;
            }
            break;
        }
        default:
            break;
        }
    }
}

/* 'da/dt = ...' for an 'a' never declared: reported once here, then 'a' is
 * taken as a state so that its uses are not each reported as unknown. */
static void declare_missing_states(sema *S, scope *sc, ast_node *def)
{
    for (ast_node *n = def->first; n; n = n->next) {
        if ((n->kind != AST_ODE && n->kind != AST_UPDATE) || scope_lookup_local(sc, n->name))
            continue;
        diag *g = diag_error(S->diag, n->loc, "'%s' is not a state of %s", n->name, sc->what);
        suggest_in_scope(S, g, sc, n->name);
        if (!g->hint)
            diag_hint(S->diag, g, "declare it first: 'state %s = 0'", n->name);
        symbol *s = scope_declare(S, sc, SYM_STATE, n->name, n);
        if (s) {
            s->owner = def;
            s->resolved = 1;
        }
    }
}

/* A state with no equation and no reset keeps its initial value: most
 * likely a forgotten equation, or a parameter declared as a state. */
static void warn_constant_states(sema *S, scope *sc, ast_node *def)
{
    /* The equations are checked: mark what the resets change too, in one
     * pass (searching the resets once per state was quadratic). */
    for (ast_node *n = def->first; n; n = n->next)
        for (ast_node *a = n->kind == AST_RESET ? n->first : NULL; a; a = a->next) {
            symbol *s = scope_lookup_local(sc, a->first->name);
            if (s && s->kind == SYM_STATE)
                s->updated = 1;
        }
    for (ast_node *n = def->first; n; n = n->next) {
        if (n->kind != AST_STATE)
            continue;
        for (ast_node *b = n->first; b; b = b->next) {
            symbol *s = scope_lookup_local(sc, b->name);
            if (!s || s->kind != SYM_STATE || s->decl != b || s->updated)
                continue;
            diag *g = diag_warning(S->diag, b->loc, "state '%s' never changes", b->name);
            diag_hint(S->diag, g, "give it an equation ('d%s/dt = ...' or '%s <- ...'), or make it "
                                  "a 'param'", b->name, b->name);
        }
    }
}

/* Whether E calls a random draw (a neuron's noise, a generator's spikes). */
bool sema_draws(const ast_node *e)
{
    if (!e)
        return false;
    if (e->kind == AST_CALL && e->sym && ((const builtin *)e->sym)->cls == BI_RANDOM)
        return true;
    for (const ast_node *c = e->first; c; c = c->next)
        if (sema_draws(c))
            return true;
    return false;
}

/* Equations, spike conditions, resets, lets and outputs may draw random
 * numbers, fresh each step for each neuron; a surrogate may not. */
static void check_neuron_body(sema *S, scope *sc, ast_node *def, symbol *spike)
{
    enum { NEURON_ALLOW = ALLOW_STATE | ALLOW_RANDOM };
    expr_env env = {sc, NEURON_ALLOW, "an equation"}, surrogate_env = {sc, ALLOW_STATE, "a surrogate"};
    bool has_state = false, has_surrogate = false, has_method = false, spike_draws = false;
    for (ast_node *n = def->first; n; n = n->next) {
        switch (n->kind) {
        case AST_STATE:
            has_state = true;
            break;
        case AST_ODE: case AST_UPDATE:
            check_equation(S, sc, n, NEURON_ALLOW);
            break;
        case AST_SPIKE:   /* a comparison, or a draw of 0 or 1: 'spike z when poisson(rate)' */
            if (n->first && n->first->kind == AST_CALL &&
                (strcmp(n->first->name, "poisson") == 0 || strcmp(n->first->name, "bernoulli") == 0))
                sema_expr(S, n->first, &env);
            else
                sema_expect_bool(S, n->first, &env, "a spike condition");
            spike_draws = sema_draws(n->first);
            break;
        case AST_RESET:
            if (!spike)
                diag_error(S->diag, n->loc, "'reset' needs a spike condition ('spike z when ...')");
            check_assigns(S, sc, n, NEURON_ALLOW, "a reset", "a state");
            break;
        case AST_REFRACTORY: {
            if (!spike)
                diag_error(S->diag, n->loc, "'refractory' needs a spike condition ('spike z when ...')");
            expr_env cenv = {sc, 0, "a refractory period"};
            unsigned before = S->diag->errors;
            sema_expect_dim(S, n->first, &cenv, DIM_TIME_1, "a refractory period");
            double v;
            if (S->diag->errors == before && const_value(n->first, NULL, &v) && !(v >= 0))
                diag_error(S->diag, n->first->loc, "a refractory period cannot be negative");
            break;
        }
        case AST_SURROGATE: {
            symbol *s = scope_lookup_local(sc, n->name);
            if (!s || s->kind != SYM_SPIKE) {
                diag *g = diag_error(S->diag, n->loc, "'%s' is not the spike variable of %s",
                                     n->name, sc->what);
                if (spike)
                    diag_hint(S->diag, g, "the spike variable is '%s'", spike->name);
                else
                    diag_hint(S->diag, g, "declare the spike first: 'spike %s when v > v_th'", n->name);
            } else if (has_surrogate) {
                diag_error(S->diag, n->loc, "the spike '%s' already has a surrogate derivative", n->name);
            }
            has_surrogate = true;
            sema_expr(S, n->first, &surrogate_env);
            break;
        }
        case AST_METHOD: {
            static const char *const methods[] = {"euler", "exact"};
            if (strcmp(n->name, "euler") != 0 && strcmp(n->name, "exact") != 0) {
                diag *g = diag_error(S->diag, n->loc, "unknown integration method '%s'", n->name);
                diag_suggest(S->diag, g, n->name, methods, 2);
                if (!g->hint)
                    diag_hint(S->diag, g, "write 'method euler' (the default) or 'method exact' (linear "
                                          "equations integrated exactly over each step)");
            } else if (has_method) {
                diag_error(S->diag, n->loc, "%s names its integration method twice", sc->what);
            }
            has_method = true;
            break;
        }
        case AST_LET: case AST_OUTPUT:
            for (ast_node *b = n->first; b; b = b->next) {
                if (n->kind == AST_OUTPUT && is_self_export(b)) {
                    symbol *v = scope_lookup_local(sc, b->name);
                    if (v && v->role == SYM_ROLE_EXPORTED)
                        sema_expr(S, b->first, &env);   /* 'output v': the name resolved, for lowering */
                    continue;
                }
                symbol *s = scope_lookup_local(sc, b->name);
                if (s && s->value == b->first && !s->resolved) {
                    ast_node probe = {.kind = AST_NAME, .name = b->name, .loc = b->loc};
                    sema_expr(S, &probe, &env);
                }
            }
            break;
        default:
            break;
        }
    }
    if (spike && !has_state && !spike_draws) {   /* a generator's spikes are drawn: no state needed */
        diag *g = diag_error(S->diag, spike->decl->loc,
                             "%s has a spike condition but no state to reset", sc->what);
        diag_hint(S->diag, g, "declare the membrane variable, e.g. 'state v = 0'");
    }
    warn_constant_states(S, sc, def);
}

void sema_neuron(sema *S, ast_node *def)
{
    scope *sc = def_scope(S, def, "neuron");
    sema_def_params(S, def, sc);
    symbol *spike = NULL;
    declare_neuron_names(S, sc, def, &spike);
    declare_self_exports(S, sc, def);
    declare_missing_states(S, sc, def);
    check_neuron_body(S, sc, def, spike);
}

/* ---------------------------------------------------------------- plasticity */

static void declare_plasticity_builtins(sema *S, scope *sc, ast_node *def)
{
    static const char *const sides[] = {"pre", "post"};
    for (int i = 0; i < 2; i++) {
        symbol *s = scope_declare(S, sc, SYM_SIDE, intern_cstr(S->arena, sides[i]), def);
        if (s)
            s->decl = NULL;
    }
    symbol *w = scope_declare(S, sc, SYM_BUILTIN, intern_cstr(S->arena, "w"), def);
    if (w)
        w->decl = NULL;
}

void sema_plasticity(sema *S, ast_node *def)
{
    scope *sc = def_scope(S, def, "plasticity rule");
    declare_plasticity_builtins(S, sc, def);
    sema_def_params(S, def, sc);
    bool changes_weight = false;
    const ast_node *dw_rule = NULL, *db_rule = NULL;
    for (ast_node *n = def->first->next; n; n = n->next) {
        if (n->kind == AST_TRACE)
            declare_states(S, sc, n, def, SYM_TRACE);
        else if (n->kind == AST_LET)
            declare_bindings(S, sc, n, SYM_LET, def);
    }
    expr_env env = {sc, ALLOW_STATE, "a plasticity rule"};
    for (ast_node *n = def->first->next; n; n = n->next) {
        switch (n->kind) {
        case AST_ODE: case AST_UPDATE:
            if (strcmp(n->name, "w") == 0)
                changes_weight = true;
            check_equation(S, sc, n, ALLOW_STATE);
            break;
        case AST_ASSIGN: {
            ast_node *lv = n->first;
            if (strcmp(lv->name, "db") == 0) {   /* the post neuron's bias: checked where attached */
                if (db_rule)
                    diag_error(S->diag, lv->loc, "'db' is set twice (first at line %u); a rule has one "
                               "bias change", (unsigned)db_rule->loc.line);
                db_rule = lv;
                sema_expr(S, lv->next, &env);
                break;
            }
            if (strcmp(lv->name, "dw") != 0) {
                diag *g = diag_error(S->diag, lv->loc, "a plasticity rule sets 'dw', not '%s'", lv->name);
                if (strcmp(lv->name, "w") == 0)
                    diag_hint(S->diag, g, "write the weight change per step as 'dw = ...', "
                                          "or a jump at a spike as 'on pre { w += ... }'");
                else
                    diag_hint(S->diag, g, "write the weight change per step as 'dw = ...', "
                                          "a trace's update as '%s <- ...'", lv->name);
            } else if (dw_rule) {
                diag_error(S->diag, lv->loc, "'dw' is set twice (first at line %u); a rule has one "
                           "weight change", (unsigned)dw_rule->loc.line);
            } else {
                dw_rule = lv;
            }
            changes_weight = true;
            sema_expr(S, lv->next, &env);
            break;
        }
        case AST_ON:
            check_assigns(S, sc, n, ALLOW_STATE, n->op == OP_PRE ? "'on pre'" : "'on post'",
                          "a trace or the weight 'w'");
            for (ast_node *a = n->first; a; a = a->next)
                if (strcmp(a->first->name, "w") == 0)
                    changes_weight = true;
            break;
        case AST_LET:
            for (ast_node *b = n->first; b; b = b->next) {
                ast_node probe = {.kind = AST_NAME, .name = b->name, .loc = b->loc};
                sema_expr(S, &probe, &env);
            }
            break;
        default:
            break;
        }
    }
    if (!changes_weight) {
        diag *g = diag_error(S->diag, def->loc, "plasticity rule '%s' never changes the weight", def->name);
        diag_hint(S->diag, g, "add 'dw = ...', 'dw/dt = ...', or 'w += ...' inside 'on pre { }'");
    }
}
