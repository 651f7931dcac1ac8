/* sema_task.c -- checks of task generators.
 *
 * A task's statements run once per step of a trial, in order; draws are made
 * once per trial (or once per seed inside 'frozen'). Names are block-scoped:
 * a draw inside 'for c in 0 .. bits' exists once per channel.
 */
#include "sema.h"

#include <math.h>
#include <string.h>

typedef struct task_ctx {
    sema *S;
    ast_node *def;
    scope *top;              /* the task's own scope: params, channels, phases */
    const ast_node *duration;
    const ast_node *first_phase;
    const ast_node *open_phase;  /* a phase without a duration: it lasts to the end */
    const ast_node *accuracy;
    const ast_node *condition;
} task_ctx;

static void check_items(task_ctx *c, ast_node *list, scope *sc, int depth);

static unsigned signal_allow(void)
{
    return ALLOW_RANDOM | ALLOW_TASK | ALLOW_FILE;
}

/* A time; when it is a constant, it must be positive (or, with ZERO_OK, zero). */
static void check_time(task_ctx *c, ast_node *e, scope *sc, const char *what, bool zero_ok)
{
    expr_env env = {sc, signal_allow(), what};
    unsigned before = c->S->diag->errors;
    sema_expect_dim(c->S, e, &env, DIM_TIME_1, what);
    double v;
    if (c->S->diag->errors == before && e->type == TY_NUM && const_value(e, NULL, &v) &&
        (zero_ok ? !(v >= 0) : !(v > 0)))
        diag_error(c->S->diag, e->loc, "%s must be %s", what,   /* v is in seconds: not shown */
                   zero_ok ? "zero or more" : "positive");
}

/* x, x[2], x[1:], mask: a channel of this task. */
static symbol *check_lvalue(task_ctx *c, ast_node *lv, scope *sc)
{
    sema *S = c->S;
    symbol *s = scope_lookup(sc, lv->name);
    if (!s || s->kind != SYM_CHANNEL) {
        diag *g = diag_error(S->diag, lv->loc, "'%s' is not an input or target of task '%s'",
                             lv->name, c->def->name);
        if (!s)
            suggest_in_scope(S, g, c->top, lv->name);
        if (!g->hint)
            diag_hint(S->diag, g, "declare it: 'input %s[n]' or 'target %s[n]'", lv->name, lv->name);
        return NULL;
    }
    lv->sym = s;
    ast_node *idx = lv->first;
    if (!idx)
        return s;
    expr_env env = {sc, 0, "an index"};
    for (ast_node *k = idx->kind == AST_SLICE ? idx->first : idx; k;
         k = idx->kind == AST_SLICE ? k->next : NULL) {
        sema_expr(S, k, &env);
        double v, limit = idx->kind == AST_SLICE ? s->size + 1 : s->size;
        if (s->size > 0 && k->type == TY_NUM && const_value(k, NULL, &v) &&
            (v < 0 || v >= limit || v != floor(v)))
            diag_error(S->diag, k->loc, "index %g is out of range for %s[%g] (valid: 0 to %g)",
                       v, s->name, s->size, limit - 1);
    }
    return s;
}

static void check_pulse(task_ctx *c, ast_node *n, scope *sc)
{
    ast_node *lv = n->first, *value = lv->next, *onset = value->next, *width = onset->next;
    check_lvalue(c, lv, sc);
    expr_env env = {sc, signal_allow(), "a pulse amplitude"};
    sema_expr(c->S, value, &env);
    check_time(c, onset, sc, "a pulse onset", true);
    check_time(c, width, sc, "a pulse width", false);
}

static void check_assign(task_ctx *c, ast_node *n, scope *sc)
{
    ast_node *lv = n->first, *value = lv->next;
    symbol *s = check_lvalue(c, lv, sc);
    expr_env env = {sc, signal_allow(), "a task signal"};
    sema_expr(c->S, value, &env);
    if (s && value->type == TY_STR)
        diag_error(c->S->diag, value->loc, "a signal is a number, not a string");
}

static void check_for(task_ctx *c, ast_node *n, scope *sc, int depth)
{
    sema *S = c->S;
    ast_node *from = n->first, *to = from->next, *body = to->next;
    expr_env env = {sc, 0, "a loop bound"};
    for (ast_node *b = from; b != body; b = b->next) {
        double v;
        sema_expr(S, b, &env);
        if (b->type == TY_ERROR)
            continue;
        if (b->type != TY_NUM || !const_value(b, NULL, &v))
            diag_error(S->diag, b->loc, "a loop bound must be a constant whole number");
        else if (v != floor(v))
            diag_error(S->diag, b->loc, "a loop bound must be a whole number, not %g", v);
    }
    scope *inner = scope_new(S, sc, sc->what);
    symbol *var = scope_declare(S, inner, SYM_LOOPVAR, n->name, n);
    if (var)
        var->dim = DIM_ONE;
    check_items(c, body, inner, depth + 1);
}

static void check_phase(task_ctx *c, ast_node *n, scope *sc, int depth)
{
    sema *S = c->S;
    if (depth > 0) {
        diag_error(S->diag, n->loc, "phases follow one another at the top of a task, not inside a block");
        return;
    }
    symbol *s = scope_declare(S, c->top, SYM_PHASE, n->name, n);
    (void)s;
    if (!c->first_phase)
        c->first_phase = n;
    if (c->open_phase)
        diag_error(S->diag, n->loc, "phase '%s' follows phase '%s', which has no duration and so lasts "
                   "to the end of the trial", n->name, c->open_phase->name);
    if (!n->op)
        c->open_phase = n;
    ast_node *body = n->last;
    if (n->op)
        check_time(c, n->first, sc, "a phase duration", true);
    check_items(c, body, scope_new(S, sc, sc->what), depth + 1);
}

/* accuracy sign(y), argmax(y) in decision, mean_sign(y) in response,
 * threshold(y, 0.5) in response: the measure, its target, its window. */
static void check_accuracy(task_ctx *c, ast_node *n, scope *sc)
{
    sema *S = c->S;
    ast_node *e = n->first, *phase = e->next;
    static const char *const methods[] = {"sign", "argmax", "mean_sign", "threshold"};
    const char *method = e->kind == AST_CALL || e->kind == AST_NAME ? e->name : NULL;
    bool known = false;
    for (unsigned i = 0; method && i < 4; i++)
        known |= strcmp(method, methods[i]) == 0;
    bool is_threshold = known && strcmp(method, "threshold") == 0;
    if (!known) {
        diag *g = diag_error(S->diag, e->loc, "accuracy is measured by sign(target), argmax(target), "
                             "mean_sign(target) or threshold(target, level)");
        if (method)
            diag_suggest(S->diag, g, method, methods, 4);
    } else if (e->kind == AST_NAME) {
        diag *g = diag_error(S->diag, e->loc, "accuracy %s needs the target it measures", method);
        diag_hint(S->diag, g, is_threshold ? "write e.g. 'accuracy threshold(y, 0.5)'"
                                           : "write e.g. 'accuracy %s(y)'", method);
    } else if (e->kind == AST_CALL) {
        ast_node *args = e->first;
        ast_node *arg = args ? args->first : NULL;
        symbol *t = arg && arg->kind == AST_NAME ? scope_lookup(sc, arg->name) : NULL;
        unsigned want = is_threshold ? 2 : 1;
        if (!args || args->count != want || !t || t->kind != SYM_CHANNEL || t->role != OP_TARGET) {
            const char *example = "y";   /* the task's first target, if it has one */
            for (ast_node *item = c->def->first->next; item; item = item->next)
                if (item->kind == AST_CHANNELS && item->op == OP_TARGET && item->first) {
                    example = item->first->name;
                    break;
                }
            diag *g = is_threshold
                ? diag_error(S->diag, e->loc, "threshold() takes one target of the task and a level, "
                             "e.g. threshold(%s, 0.5)", example)
                : diag_error(S->diag, e->loc, "%s() takes one target of the task, e.g. %s(%s)",
                             method, method, example);
            if (t && t->kind == SYM_CHANNEL && t->role == OP_INPUT)
                diag_hint(S->diag, g, "'%s' is an input; accuracy compares the output with a target",
                          t->name);
        } else if (is_threshold) {
            ast_node *level = arg->next;
            expr_env env = {sc, 0, "an accuracy level"};
            sema_expr(S, level, &env);
            double v;
            if (level->type != TY_ERROR && (level->type != TY_NUM || !const_value(level, NULL, &v) ||
                                            !isfinite(v)))
                diag_error(S->diag, level->loc, "the level of threshold() must be a constant number");
        }
    }
    if (phase) {
        symbol *p = scope_lookup_local(c->top, phase->name);
        if (!p || p->kind != SYM_PHASE) {
            diag *g = diag_error(S->diag, phase->loc, "task '%s' has no phase '%s'", c->def->name, phase->name);
            suggest_in_scope(S, g, c->top, phase->name);
        }
    }
}

/* The channel a condition reads element by element (an unindexed name,
 * directly or through a 'let'), kept in *WIDE; reports one of another size. */
static void condition_width(task_ctx *c, const ast_node *e, symbol **wide, int depth)
{
    if (!e || depth > 64)
        return;
    const symbol *s = e->kind == AST_NAME ? e->sym : NULL;
    if (s && s->kind == SYM_LET) {
        condition_width(c, s->value, wide, depth + 1);
        return;
    }
    if (s && s->kind == SYM_CHANNEL && s->decl && s->size > 0) {   /* mask (no decl) is one per step */
        if (!*wide)
            *wide = (symbol *)s;
        else if ((*wide)->size != s->size) {
            diag *g = diag_error(c->S->diag, e->loc, "the condition reads %s[%g] and %s[%g] element "
                                 "by element, but their sizes differ", (*wide)->name, (*wide)->size,
                                 s->name, s->size);
            diag_hint(c->S->diag, g, "read channels of one size, or one element of this one: '%s[0]'",
                      s->name);
        }
        return;
    }
    if (e->kind == AST_INDEX)
        return;   /* one element: the same at every element of the condition */
    for (const ast_node *k = e->first; k; k = k->next)
        condition_width(c, k, wide, depth + 1);
}

/* condition sign(y): the trial's condition at each step, a number per
 * element; 0 means none, so a comparison (0 or 1) would hide half of them. */
static void check_condition(task_ctx *c, ast_node *n, scope *sc, int depth)
{
    sema *S = c->S;
    if (depth > 0) {
        diag_error(S->diag, n->loc, "a task's condition is given at the top of the task, not inside a block");
        return;
    }
    if (c->condition)
        diag_error(S->diag, n->loc, "task '%s' has a second 'condition' (the first is at line %u)",
                   c->def->name, (unsigned)c->condition->loc.line);
    else
        c->condition = n;
    ast_node *e = n->first;
    expr_env env = {sc, signal_allow() & ~ALLOW_RANDOM, "a task's condition"};
    sema_expr(S, e, &env);
    if (e->type == TY_BOOL) {
        diag *g = diag_error(S->diag, e->loc, "a comparison is 0 where it is false, and a condition "
                             "of 0 means none");
        char text[120];
        ast_format(e, text, sizeof text);
        diag_hint(S->diag, g, "number every condition from 1, e.g. 'condition 1 + (%s)'", text);
    } else if (e->type != TY_NUM && e->type != TY_ERROR) {
        diag_error(S->diag, e->loc, "a task's condition is a number at each step, e.g. 'condition sign(y)'");
    }
    symbol *wide = NULL;
    condition_width(c, e, &wide, 0);
}

static void check_item(task_ctx *c, ast_node *n, scope *sc, int depth)
{
    sema *S = c->S;
    switch (n->kind) {
    case AST_CHANNELS:
        if (depth > 0)
            diag_error(S->diag, n->loc, "inputs and targets are declared at the top of a task");
        break;
    case AST_PARAM:
        if (depth > 0)
            diag_error(S->diag, n->loc, "parameters are declared at the top of a task");
        break;
    case AST_DURATION:
        if (c->duration)
            diag_error(S->diag, n->loc, "task '%s' has a second 'duration'", c->def->name);
        c->duration = n;
        check_time(c, n->first, sc, "a trial duration", false);
        break;
    case AST_DRAW: case AST_LET: {
        unsigned allow = n->kind == AST_DRAW ? signal_allow() : signal_allow() & ~ALLOW_RANDOM;
        expr_env env = {sc, allow, n->kind == AST_DRAW ? "a draw" : "a named value"};
        for (ast_node *b = n->first; b; b = b->next) {
            sema_expr(S, b->first, &env);
            if (b->first->type == TY_STR || b->first->type == TY_GROUP)
                diag_error(S->diag, b->first->loc, "'%s' must be a number", b->name);
            symbol *s = scope_declare(S, sc, n->kind == AST_DRAW ? SYM_DRAW : SYM_LET, b->name, b);
            if (s) {
                s->value = b->first;
                s->dim = b->first->dim;
                s->resolved = 1;
                s->owner = c->def;
            }
        }
        break;
    }
    case AST_FROZEN:
        check_items(c, n, scope_new(S, sc, sc->what), depth + 1);
        break;
    case AST_PHASE:
        check_phase(c, n, sc, depth);
        break;
    case AST_PULSE:
        check_pulse(c, n, sc);
        break;
    case AST_ASSIGN:
        check_assign(c, n, sc);
        break;
    case AST_FOR:
        check_for(c, n, sc, depth);
        break;
    case AST_IF: {
        expr_env env = {sc, signal_allow(), "a condition"};
        sema_expect_bool(S, n->first, &env, "the condition of 'if'");
        for (ast_node *b = n->first->next; b; b = b->next)
            check_items(c, b, scope_new(S, sc, sc->what), depth + 1);
        break;
    }
    case AST_ACCURACY:
        if (depth > 0) {
            diag *g = diag_error(S->diag, n->loc, "a task's accuracy is given at the top of the task, not "
                                 "inside a block");
            diag_hint(S->diag, g, "it is measured over every trial; to measure one phase, write "
                                  "'accuracy ... in PHASE' at the top");
            break;
        }
        if (c->accuracy)
            diag_error(S->diag, n->loc, "task '%s' has a second 'accuracy' (the first is at line %u)",
                       c->def->name, (unsigned)c->accuracy->loc.line);
        c->accuracy = n;
        check_accuracy(c, n, sc);
        break;
    case AST_CONDITION:
        check_condition(c, n, sc, depth);
        break;
    default:
        diag_error(S->diag, n->loc, "this statement does not belong in a task");
        break;
    }
}

static void check_items(task_ctx *c, ast_node *list, scope *sc, int depth)
{
    for (ast_node *n = list->first; n; n = n->next)
        check_item(c, n, sc, depth);
}

void sema_task(sema *S, ast_node *def)
{
    scope *sc = scope_new(S, S->globals, arena_printf(S->arena, "task '%s'", def->name));
    sema_set_def_scope(def, sc);
    task_ctx c = {.S = S, .def = def, .top = sc};
    sema_def_params(S, def, sc);
    symbol *mask = scope_declare(S, sc, SYM_CHANNEL, intern_cstr(S->arena, "mask"), def);
    if (mask) {
        mask->size = 1;
        mask->decl = NULL;
    }
    for (ast_node *n = def->first->next; n; n = n->next) {
        if (n->kind != AST_CHANNELS)
            continue;
        sema_declare_channels(S, sc, n);
    }
    ast_node body = *def;
    body.first = def->first->next;   /* the items after the header's parameters */
    check_items(&c, &body, sc, 0);
    if (c.open_phase && !c.duration) {
        diag *g = diag_error(S->diag, c.open_phase->loc, "phase '%s' has no duration, and task '%s' has "
                             "no 'duration' for it to last to", c.open_phase->name, def->name);
        diag_hint(S->diag, g, "give the phase a duration ('phase %s 500 ms { ... }') or the task a "
                  "'duration'", c.open_phase->name);
    } else if (!c.duration && !c.first_phase) {
        diag *g = diag_error(S->diag, def->loc, "task '%s' never says how long a trial is", def->name);
        diag_hint(S->diag, g, "add 'duration 340 steps' or phases: 'phase stimulus 500 ms { ... }'");
    }
    /* inputs and targets are optional: an evaluation may run a network on
     * its own (its generators drive it); training needs a target, which
     * sema_run checks */
}
