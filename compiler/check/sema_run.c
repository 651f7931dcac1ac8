/* sema_run.c -- checks of train, evaluate, record and analyze.
 *
 * A run pairs a network with a task: every network input must be a task
 * input of the same size, and every readout a task target of the same size,
 * with the task's parameters as the run gives them. Settings are checked
 * against one table, which -D overrides also go through.
 */
#include "sema.h"

#include <math.h>
#include <string.h>

typedef enum value_kind { V_COUNT, V_SEED, V_POSITIVE, V_NUMBER, V_TIME, V_CHOICE, V_CALLS } value_kind;

typedef struct setting_def {
    const char *name;
    value_kind kind;
    const char *choices;    /* V_CHOICE / V_CALLS: allowed names, space separated */
    const char *summary;
} setting_def;

static const setting_def settings[] = {
    {"learn", V_CALLS, "bptt eprop local none", "the learning rule"},
    {"loss", V_CALLS, "mse sum_squared cross_entropy", "the loss function"},
    {"optimizer", V_CALLS, "adam sgd", "the optimiser"},
    {"regularize", V_CALLS, "rate l2 l2_rate", "regularisers"},
    {"epochs", V_COUNT, NULL, "passes over the training samples"},
    {"samples", V_COUNT, NULL, "training trials per epoch"},
    {"iterations", V_COUNT, NULL, "optimiser updates (instead of epochs)"},
    {"batch", V_COUNT, NULL, "trials per update"},
    {"trials", V_COUNT, NULL, "evaluation trials"},
    {"seed", V_SEED, NULL, "the random seed"},
    {"clip", V_POSITIVE, NULL, "gradient-norm clipping"},
    {"early_stop", V_POSITIVE, NULL, "stop when the training loss falls below this"},
    {"dt", V_TIME, NULL, "the simulation step"},
    {"update_every", V_TIME, NULL, "the weight-update interval"},
    {"precision", V_CHOICE, "float32 float64", "floating-point precision"},
    {"threads", V_COUNT, NULL, "worker threads"},
    {"sequence", V_CHOICE, "separate continuous", "whether each trial starts afresh or where the last ended"},
    {"loss_every", V_TIME, NULL, "loss.csv's rows: one per block of this many steps"},
    {"save_synapses", V_CHOICE, "auto all", "whether large unchanged sparse projections' synapses are written"},
};
enum { SETTING_COUNT = sizeof settings / sizeof settings[0] };

/* Names other tools use for a setting, or for an argument of one: the
 * hint says where it goes here ('lr 1e-3' is 'optimizer adam(lr = 1e-3)'),
 * the value as written in place of the @. */
static const struct { const char *name, *hint; } setting_aliases[] = {
    {"lr",              "the learning rate is an argument of the optimiser: optimizer adam(lr = @)"},
    {"learning_rate",   "the learning rate is an argument of the optimiser: optimizer adam(lr = @)"},
    {"beta1",           "Adam's betas are arguments of the optimiser: optimizer adam(lr = 1e-3, beta1 = @)"},
    {"beta2",           "Adam's betas are arguments of the optimiser: optimizer adam(lr = 1e-3, beta2 = @)"},
    {"optim",           "the optimiser is 'optimizer': optimizer @"},
    {"optimiser",       "the optimiser is 'optimizer': optimizer @"},
    {"weight_decay",    "an L2 penalty on the weights is a regulariser: regularize l2(c = @)"},
    {"batch_size",      "the batch size is 'batch': batch @"},
    {"n_epochs",        "the number of epochs is 'epochs': epochs @"},
    {"num_epochs",      "the number of epochs is 'epochs': epochs @"},
    {"n_iterations",    "the number of updates is 'iterations': iterations @"},
    {"steps",           "a trial's length belongs to the task ('duration' or its phases); "
                        "the number of updates is 'iterations'"},
    {"grad_clip",       "gradient clipping is 'clip': clip @"},
    {"clip_grad_norm",  "gradient clipping is 'clip': clip @"},
    {"method",          "the learning rule is 'learn': learn @"},
    {"rule",            "the learning rule is 'learn': learn @"},
    {"loss_fn",         "the loss is 'loss': loss @"},
};

unsigned sema_setting_names(const char **out, unsigned max)
{
    unsigned n = 0;
    for (unsigned i = 0; i < SETTING_COUNT && n < max; i++)
        out[n++] = settings[i].name;
    return n;
}

/* What one choice of D is called: "loss function", "regulariser", "precision". */
static const char *choice_noun(const setting_def *d)
{
    if (strncmp(d->summary, "the ", 4) == 0)
        return d->summary + 4;
    return strcmp(d->name, "regularize") == 0 ? "regulariser" : d->name;
}

/* The range of a named argument of learn(), optimizer() or regularize(). */
static void check_setting_argument(sema *S, const ast_node *a, double x)
{
    static const struct {
        const char *name;
        enum { POSITIVE, FRACTION, WHOLE, NOT_NEGATIVE } range;
    } ranges[] = {
        {"lr", POSITIVE}, {"eps", POSITIVE}, {"beta1", FRACTION}, {"beta2", FRACTION},
        {"momentum", FRACTION}, {"truncate", WHOLE}, {"c", NOT_NEGATIVE},
        {"decay", NOT_NEGATIVE},
    };
    for (unsigned i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        if (strcmp(a->name, ranges[i].name) != 0)
            continue;
        const ast_node *v = a->first;
        switch (ranges[i].range) {
        case POSITIVE:
            if (!(x > 0) || isinf(x))
                diag_error(S->diag, v->loc, "'%s' must be positive, not %g", a->name, x);
            break;
        case FRACTION:
            if (!(x >= 0 && x < 1))
                diag_error(S->diag, v->loc, "'%s' must lie in [0, 1), not %g", a->name, x);
            break;
        case WHOLE:
            if (!(x >= 1) || x != floor(x) || isinf(x))
                diag_error(S->diag, v->loc, "'%s' must be a positive whole number of steps, not %g",
                           a->name, x);
            break;
        case NOT_NEGATIVE:
            if (!(x >= 0) || isinf(x))
                diag_error(S->diag, v->loc, "'%s' must be zero or more, not %g", a->name, x);
            break;
        }
    }
}

/* The named arguments each method takes: adam(lr = ...), rate(c = ..., f_target = ...). */
static const char *choice_keywords(const char *choice)
{
    static const struct { const char *choice, *keywords; } table[] = {
        {"bptt", "truncate"}, {"eprop", "feedback"}, {"none", ""},
        {"adam", "lr beta1 beta2 eps decay"}, {"sgd", "lr momentum decay"},
        {"rate", "c f_target"}, {"l2", "c"}, {"l2_rate", "c"},
        {"mse", ""}, {"sum_squared", ""}, {"cross_entropy", "weights"},
    };
    for (unsigned i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].choice, choice) == 0)
            return table[i].keywords;
    return "";
}

/* cross_entropy(weights = [w0, w1, ...]): a class weight per readout
 * element, each a constant, finite and not negative (its count is checked
 * against the readout when the run is planned). */
static void check_class_weights(sema *S, const ast_node *a)
{
    const ast_node *list = a->first;
    if (list->kind != AST_LIST) {
        diag *g = diag_error(S->diag, list->loc, "'weights' is a list of class weights, one per readout element");
        diag_hint(S->diag, g, "e.g. cross_entropy(weights = [1, 2, 2])");
        return;
    }
    expr_env env = {S->globals, 0, "a class weight"};
    for (const ast_node *w = list->first; w; w = w->next) {
        double x;
        sema_expr(S, (ast_node *)w, &env);
        if (w->type == TY_ERROR)
            continue;
        if (!const_value(w, NULL, &x))
            diag_error(S->diag, w->loc, "a class weight must be a constant");
        else if (!isfinite(x) || x < 0) {
            diag *g = diag_error(S->diag, w->loc, "a class weight must be a finite number, zero or more, not %g", x);
            diag_hint(S->diag, g, "a class's steps count in proportion to its weight; 0 leaves them out");
        }
    }
}

static void check_choice(sema *S, const setting_def *d, ast_node *v)
{
    if (v->kind != AST_NAME && v->kind != AST_CALL) {
        diag_error(S->diag, v->loc, "'%s' takes one of: %s", d->name, sema_commas(S, d->choices));
        return;
    }
    if (!words_contain(d->choices, v->name)) {
        /* The choices are few: all of them help more than a guess ('mae' is not 'mse'). */
        diag *g = diag_error(S->diag, v->loc, "unknown %s '%s'", choice_noun(d), v->name);
        diag_hint(S->diag, g, "choose one of: %s", sema_commas(S, d->choices));
        return;
    }
    if (v->kind == AST_CALL && d->kind == V_CHOICE) {
        diag_error(S->diag, v->loc, "'%s' takes a name, not a call", d->name);
        return;
    }
    if (v->kind == AST_CALL) {
        expr_env env = {S->globals, 0, "a setting"};
        const char *keywords = choice_keywords(v->name);
        sema_check_duplicate_args(S, v->first);
        for (ast_node *a = v->first->first; a; a = a->next) {
            if (!*keywords) {
                diag_error(S->diag, a->loc, "%s takes no arguments", v->name);
                break;
            }
            if (a->kind != AST_NAMEDARG) {
                diag *g = diag_error(S->diag, a->loc, "arguments of %s() are given by name", v->name);
                diag_hint(S->diag, g, "e.g. %s(%.*s = ...)", v->name,
                          (int)strcspn(keywords, " "), keywords);
                continue;
            }
            if (!words_contain(keywords, a->name)) {
                diag *g = diag_error(S->diag, a->loc, "%s() has no argument '%s'", v->name, a->name);
                diag_hint(S->diag, g, "its arguments are: %s", sema_commas(S, keywords));
            }
            if (strcmp(a->name, "weights") == 0) {
                check_class_weights(S, a);
                continue;
            }
            if (strcmp(a->name, "feedback") == 0) {
                /* e-prop's learning-signal weights B (Bellec et al. 2020, eq. 5). */
                const ast_node *f = a->first;
                if (f->kind != AST_NAME || (strcmp(f->name, "random") != 0 && strcmp(f->name, "symmetric") != 0)) {
                    diag *g = diag_error(S->diag, f->loc, "feedback is 'random' or 'symmetric'");
                    diag_hint(S->diag, g, "random: fixed random weights (or the network's 'feedback' "
                                          "projection); symmetric: the readout weights, transposed");
                }
                continue;
            }
            double x;
            sema_expr(S, a->first, &env);
            if (a->first->type != TY_ERROR && !const_value(a->first, NULL, &x))
                diag_error(S->diag, a->first->loc, "'%s' must be a constant", a->name);
            else if (a->first->type != TY_ERROR)
                check_setting_argument(S, a, x);
        }
    }
}

static void check_setting_value(sema *S, const setting_def *d, ast_node *v)
{
    if (d->kind == V_CHOICE || d->kind == V_CALLS) {
        check_choice(S, d, v);
        return;
    }
    expr_env env = {S->globals, 0, "a setting"};
    sema_expr(S, v, &env);
    if (v->type == TY_ERROR)
        return;
    double x;
    if (v->type != TY_NUM || !const_value(v, NULL, &x)) {
        diag_error(S->diag, v->loc, "'%s' must be a constant number", d->name);
        return;
    }
    switch (d->kind) {
    case V_COUNT:
        if (!(x >= 1) || x != floor(x) || x > 1e12)
            diag_error(S->diag, v->loc, "'%s' must be a positive whole number, not %g", d->name, x);
        break;
    case V_SEED:
        if (!(x >= 0) || x != floor(x) || x > 1.8e19)
            diag_error(S->diag, v->loc, "a seed is a whole number from 0, not %g", x);
        break;
    case V_POSITIVE:
        if (!(x > 0) || isinf(x))
            diag_error(S->diag, v->loc, "'%s' must be positive, not %g", d->name, x);
        break;
    case V_TIME:
        if (v->dim.known && !dim_compatible(v->dim, DIM_TIME_1))
            diag_error(S->diag, v->loc, "'%s' is a time, but this is %s", d->name,
                       dim_phrase(S, v->dim));
        else if (!(x > 0))
            diag_error(S->diag, v->loc, "'%s' must be positive, not %g", d->name, x);
        break;
    default:
        break;
    }
}

/* HINT on G with VALUE's text (or "..." when there is none) for its @. */
static void alias_hint(sema *S, diag *g, const char *hint, const ast_node *value)
{
    char text[128] = "...";
    if (value && ast_format(value, text, sizeof text) >= sizeof text)
        snprintf(text, sizeof text, "...");
    const char *at = strchr(hint, '@');
    if (!at)
        diag_hint(S->diag, g, "%s", hint);
    else
        diag_hint(S->diag, g, "%.*s%s%s", (int)(at - hint), hint, text, at + 1);
}

static void check_setting(sema *S, ast_node *n, const ast_node **seen)
{
    unsigned i = 0;
    while (i < SETTING_COUNT && strcmp(settings[i].name, n->name) != 0)
        i++;
    if (i == SETTING_COUNT) {
        diag *g = diag_error(S->diag, n->loc, "unknown setting '%s'", n->name);
        for (size_t k = 0; k < sizeof setting_aliases / sizeof *setting_aliases; k++)
            if (strcmp(setting_aliases[k].name, n->name) == 0) {
                alias_hint(S, g, setting_aliases[k].hint, n->first);
                return;
            }
        const char *names[SETTING_COUNT];
        diag_suggest(S->diag, g, n->name, names, sema_setting_names(names, SETTING_COUNT));
        return;
    }
    if (seen[i]) {
        diag_error(S->diag, n->loc, "'%s' is set twice (first at line %u)", n->name,
                   (unsigned)seen[i]->loc.line);
        return;
    }
    seen[i] = n;
    const setting_def *d = &settings[i];
    if (!n->first) {
        diag_error(S->diag, n->loc, "'%s' needs a value", n->name);
        return;
    }
    if (n->count > 1 && strcmp(d->name, "regularize") != 0) {
        diag_error(S->diag, n->first->next->loc, "'%s' takes one value", n->name);
        return;
    }
    for (ast_node *v = n->first; v; v = v->next)
        check_setting_value(S, d, v);
}

/* ---------------------------------------------------------------- sizes */

/* The size of a task channel with the run's task arguments in force. */
static bool channel_size(symbol *ch, ast_node *task_args, double *out)
{
    ast_node *size = ch->decl ? ch->decl->first : NULL;
    *out = 1;
    if (!size)
        return true;
    /* Put the call's values in place of the defaults while evaluating. */
    enum { MAX = 64 };
    symbol *swapped[MAX];
    ast_node *saved[MAX];
    unsigned n = 0;
    for (ast_node *a = task_args ? task_args->first : NULL; a && n < MAX; a = a->next)
        if (a->kind == AST_NAMEDARG && a->sym && a->first->type != TY_ERROR) {
            swapped[n] = a->sym;
            saved[n] = swapped[n]->value;
            swapped[n]->value = a->first;
            n++;
        }
    bool known = const_value(size, NULL, out);
    while (n--)
        swapped[n]->value = saved[n];
    return known;
}

/* Network input or readout S against the task's channel of the same name. */
static void match_channel(sema *S, ast_node *run, ast_node *net, ast_node *task,
                          ast_node *task_args, symbol *s, bool *bad_size_reported)
{
    bool is_input = s->kind == SYM_CHANNEL;
    if (!is_input && !(s->kind == SYM_POP && s->role == 1))
        return;
    symbol *t = scope_lookup_local(sema_def_scope(task), s->name);
    int want = is_input ? OP_INPUT : OP_TARGET;
    if (!t || t->kind != SYM_CHANNEL || t->role != want) {
        diag *g = diag_error(S->diag, run->loc, "network '%s' has %s '%s', but task '%s' has no %s of that name",
                             net->name, is_input ? "input" : "readout", s->name, task->name,
                             is_input ? "input" : "target");
        diag_hint(S->diag, g, "inputs pair with task inputs and readouts with task targets, by name");
        return;
    }
    double task_size;
    if (!channel_size(t, task_args, &task_size))
        return;   /* not a constant: the task's own check says so */
    if (!(task_size >= 1) || task_size != floor(task_size)) {
        /* The task's own size check saw its defaults; the run's arguments replace them. */
        if (!*bad_size_reported) {
            diag *g = diag_error(S->diag, run->first->loc, "with these arguments, %s '%s' of task "
                                 "'%s' would have %g channels, not a positive whole number",
                                 is_input ? "input" : "target", t->name, task->name, task_size);
            diag_hint(S->diag, g, "a size is a plain count; check the values and units of the arguments");
        }
        *bad_size_reported = true;
        return;
    }
    if (task_size > 0 && s->size > 0 && task_size != s->size) {
        diag *g = diag_error(S->diag, run->loc, "size mismatch: network '%s' has %s %s[%g], but task '%s' gives %s[%g]",
                             net->name, is_input ? "input" : "readout", s->name, s->size,
                             task->name, s->name, task_size);
        diag_hint(S->diag, g, "make them equal, e.g. with the task's parameters: %s(...)", task->name);
    }
}

/* Walks the declarations, not the scopes, so the messages come in source order. */
static void match_channels(sema *S, ast_node *run, ast_node *net, ast_node *task, ast_node *task_args)
{
    scope *nsc = sema_def_scope(net), *tsc = sema_def_scope(task);
    if (!nsc || !tsc)
        return;
    bool bad_size_reported = false;
    for (ast_node *item = net->first->next; item; item = item->next) {
        ast_node *decl = item->kind == AST_CHANNELS ? item->first : item->kind == AST_POP ? item : NULL;
        for (; decl; decl = item->kind == AST_CHANNELS ? decl->next : NULL) {
            symbol *s = scope_lookup_local(nsc, decl->name);
            if (s && s->decl == decl)   /* not a duplicate, reported already */
                match_channel(S, run, net, task, task_args, s, &bad_size_reported);
        }
    }
    for (ast_node *item = task->first->next; item; item = item->next) {
        if (item->kind != AST_CHANNELS || item->op != OP_TARGET)
            continue;
        for (ast_node *decl = item->first; decl; decl = decl->next) {
            symbol *t = scope_lookup_local(tsc, decl->name);
            if (!t || t->decl != decl)
                continue;
            symbol *s = scope_lookup_local(nsc, t->name);
            if (!s || s->kind != SYM_POP || s->role != 1) {
                diag *g = diag_error(S->diag, run->loc, "task '%s' has target '%s', but network '%s' has no readout of that name",
                                     task->name, t->name, net->name);
                diag_hint(S->diag, g, "add 'readout %s : Linear[n]' to the network", t->name);
            }
        }
    }
}

/* Spiking populations trained by gradient need a surrogate derivative,
 * except those without an input port (a generator): no weight's gradient
 * passes through them. */
static void check_surrogates(sema *S, ast_node *run, ast_node *net, const char *rule)
{
    scope *nsc = sema_def_scope(net);
    for (ast_node *item = net->first->next; nsc && item; item = item->next) {
        symbol *s = item->kind == AST_POP ? scope_lookup_local(nsc, item->name) : NULL;
        if (!s || s->decl != item || s->kind != SYM_POP || !s->value)
            continue;
        const ast_node *spike = NULL, *surrogate = NULL, *port = NULL;
        for (ast_node *n = s->value->first; n; n = n->next) {
            if (n->kind == AST_SPIKE)
                spike = n;
            if (n->kind == AST_SURROGATE)
                surrogate = n;
            if (n->kind == AST_INPUT)
                port = n;
        }
        if (spike && !surrogate && port) {
            diag *g = diag_error(S->diag, run->loc, "learn %s needs a surrogate derivative for the spike '%s' of neuron '%s' (population '%s')",
                                 rule, spike->name, s->value->name, s->name);
            diag_hint(S->diag, g, "add to the neuron: 'surrogate %s = ...'", spike->name);
        }
    }
}

static bool has_target(const ast_node *task)
{
    for (const ast_node *item = task->first->next; item; item = item->next)
        if (item->kind == AST_CHANNELS && item->op == OP_TARGET)
            return true;
    return false;
}

static void check_run(sema *S, ast_node *run, ast_node **net_out)
{
    ast_node *net = NULL, *task = NULL, *tref = run->first;
    symbol *ns = scope_lookup_local(S->globals, run->name);
    if (ns && ns->kind == SYM_NETWORK)
        net = ns->decl;
    else {
        diag *g = diag_error(S->diag, run->loc, ns ? "'%s' is %s, not a network" : "unknown network '%s'",
                             run->name, ns ? sym_kind_a(ns->kind) : "");
        if (!ns)
            suggest_in_scope(S, g, S->globals, run->name);
    }
    symbol *ts = scope_lookup_local(S->globals, tref->name);
    if (ts && ts->kind == SYM_TASK)
        task = ts->decl;
    else {
        diag *g = diag_error(S->diag, tref->loc, ts ? "'%s' is %s, not a task" : "unknown task '%s'",
                             tref->name, ts ? sym_kind_a(ts->kind) : "");
        if (!ts)
            suggest_in_scope(S, g, S->globals, tref->name);
        if (!ts && !g->hint)
            diag_hint(S->diag, g, "is an import missing? e.g. 'import tasks.flipflop'");
    }
    ast_node *task_args = tref->kind == AST_CALL ? tref->first : NULL;
    expr_env env = {S->globals, 0, "a task argument"};
    if (task && task_args)
        sema_param_overrides(S, task_args, task, sema_def_scope(task), &env);
    const ast_node *seen[SETTING_COUNT] = {0};
    for (ast_node *s = tref->next; s; s = s->next)
        check_setting(S, s, seen);
    for (unsigned i = 0; i < SETTING_COUNT && !S->setting_overrides_checked; i++) {
        const frontend_define *d = sema_override(S, NULL, settings[i].name);
        if (d)
            check_setting_value(S, &settings[i], d->expr);
    }
    S->setting_overrides_checked = true;
    if (task && run->kind == AST_TRAIN && !has_target(task)) {
        diag *g = diag_error(S->diag, tref->loc, "task '%s' declares no target ('target y[n]'), and training "
                             "compares the network's readouts with one", task->name);
        diag_hint(S->diag, g, "'evaluate' runs a network on a task without targets");
    }
    if (net && task)
        match_channels(S, run, net, task, task_args);
    const ast_node *learn = seen[0];
    const char *rule = learn && learn->first && learn->first->name ? learn->first->name : "bptt";
    if (net && run->kind == AST_TRAIN && strcmp(rule, "none") != 0 && strcmp(rule, "local") != 0)
        check_surrogates(S, run, net, rule);
    if (net && !*net_out)
        *net_out = net;
}

/* ---------------------------------------------------------------- record, analyze */

/* The input port a connect drives: the one it names, else its target
 * neuron's only port; NULL for feedback or when that is not known. */
static const char *connect_port(const ast_node *connect)
{
    const ast_node *to = connect->first->next;
    if (to->first)
        return to->first->name;
    const symbol *s = to->sym;   /* resolved by sema_network */
    if (connect->op || !s || s->kind != SYM_POP || !s->value)
        return NULL;
    const char *only = NULL;
    for (const ast_node *item = s->value->first; item; item = item->next)
        for (const ast_node *port = item->kind == AST_INPUT ? item->first : NULL; port; port = port->next) {
            if (only)
                return NULL;   /* several: the connect would have had to name one */
            only = port->name;
        }
    return only;
}

static bool connects(const ast_node *c, const char *pre, const char *post)
{
    return c->kind == AST_CONNECT && strcmp(c->first->name, pre) == 0 &&
           strcmp(c->first->next->name, post) == 0;
}

/* How many projections run from PRE to POST (to different ports). */
static unsigned pair_count(const ast_node *net, const char *pre, const char *post)
{
    unsigned n = 0;
    for (const ast_node *c = net->first; c; c = c->next)
        n += connects(c, pre, post);
    return n;
}

/* How an analysis names connect C: 'h -> h', or 'h -> h.I_z' when other
 * projections run from h to h as well. */
static const char *projection_form(sema *S, const ast_node *net, const ast_node *c)
{
    const char *pre = c->first->name, *post = c->first->next->name, *port = connect_port(c);
    if (pair_count(net, pre, post) == 1 || !port)
        return arena_printf(S->arena, "%s -> %s", pre, post);
    return arena_printf(S->arena, "%s -> %s.%s", pre, post, port);
}

/* The forms of the network's projections (from PRE to POST only, when PRE
 * is given), up to MAX of them, into OUT; returns how many there are. */
static unsigned projection_forms(sema *S, const ast_node *net, const char *pre, const char *post,
                                 const char **out, unsigned max)
{
    unsigned n = 0;
    for (const ast_node *c = net->first; c; c = c->next)
        if (c->kind == AST_CONNECT && (!pre || connects(c, pre, post)) && n++ < max)
            out[n - 1] = projection_form(S, net, c);
    return n;
}

/* "a, b, c" (and ", ..." after MAX of N). */
static const char *form_list(sema *S, const char *const *forms, unsigned n, unsigned max)
{
    const char *list = "";
    for (unsigned i = 0; i < n && i < max; i++)
        list = arena_printf(S->arena, "%s%s%s", list, i ? ", " : "", forms[i]);
    return n > max ? arena_printf(S->arena, "%s, ...", list) : list;
}

/* pre -> post.PORT: one of the projections from PRE to POST by its port. */
static void check_projection_port(sema *S, ast_node *net, ast_node *arrow, const char *pre,
                                  const char *post, const char *port)
{
    for (const ast_node *c = net->first; c; c = c->next)
        if (connects(c, pre, post) && connect_port(c) && strcmp(connect_port(c), port) == 0)
            return;
    enum { MAX = 8 };
    const char *forms[MAX];
    unsigned n = projection_forms(S, net, pre, post, forms, MAX);
    const char *written = arena_printf(S->arena, "%s -> %s.%s", pre, post, port);
    diag *g = diag_error(S->diag, arrow->loc, "network '%s' has no projection %s; from %s to %s it has %s",
                         net->name, written, pre, post, form_list(S, forms, n, MAX));
    diag_suggest(S->diag, g, written, forms, n < MAX ? n : MAX);
}

/* A projection as analyses and records name it: 'h -> h', or with the
 * target's port, 'x -> h.I_r', where several run from x to h. */
static void check_projection_ref(sema *S, ast_node *net, ast_node *arrow)
{
    ast_node *from = arrow->first, *to = from->next;
    bool member = to->kind == AST_MEMBER && to->first->kind == AST_NAME;
    if (from->kind != AST_NAME || (to->kind != AST_NAME && !member)) {
        diag_error(S->diag, arrow->loc, "a projection is named by its populations and, where it "
                   "needs one, the target's port: 'h -> h', 'x -> h.I_r'");
        return;
    }
    const char *pre = from->name, *post = member ? to->first->name : to->name;
    unsigned pairs = pair_count(net, pre, post);
    enum { MAX = 8 };
    const char *forms[MAX];
    if (pairs == 0) {
        diag *g = diag_error(S->diag, arrow->loc, "network '%s' has no projection %s -> %s%s%s",
                             net->name, pre, post, member ? "." : "", member ? to->name : "");
        unsigned n = projection_forms(S, net, NULL, NULL, forms, MAX);
        if (n)
            diag_hint(S->diag, g, "its projections: %s", form_list(S, forms, n, MAX));
    } else if (member) {
        check_projection_port(S, net, arrow, pre, post, to->name);
    } else if (pairs > 1) {
        unsigned n = projection_forms(S, net, pre, post, forms, MAX);
        diag *g = diag_error(S->diag, arrow->loc, "'%s -> %s' is ambiguous: network '%s' has %u "
                             "projections from %s to %s", pre, post, net->name, pairs, pre, post);
        diag_hint(S->diag, g, "name one by the port it drives: %s", form_list(S, forms, n, MAX));
    }
}

/* h, h.v, h.v[0:10], y: something of the network that can be recorded. */
static void check_signal_ref(sema *S, scope *nsc, ast_node *e)
{
    expr_env env = {nsc, ALLOW_STATE, "a recording"};
    sema_expr(S, e, &env);
    if (e->type == TY_ERROR)
        return;
    ast_node *base = e->kind == AST_INDEX ? e->first : e;
    bool ok = (base->kind == AST_NAME && base->sym &&
               (((symbol *)base->sym)->kind == SYM_POP || ((symbol *)base->sym)->kind == SYM_CHANNEL)) ||
              base->kind == AST_MEMBER;
    if (!ok)
        diag_error(S->diag, e->loc, "only populations, their states and inputs can be recorded");
}

static void check_record(sema *S, ast_node *n, ast_node *net)
{
    scope *nsc = sema_def_scope(net);
    for (ast_node *e = n->first; e; e = e->next) {
        if (e->kind == AST_EVERY) {
            expr_env env = {S->globals, 0, "a recording interval"};
            unsigned before = S->diag->errors;
            sema_expect_dim(S, e->first, &env, DIM_TIME_1, "a recording interval");
            double v;
            if (S->diag->errors == before && const_value(e->first, NULL, &v) && !(v > 0))
                diag_error(S->diag, e->first->loc, "a recording interval must be positive");
        } else if (e->kind == AST_IN_TRAINING) {
            if (strcmp(e->name, "training") != 0)
                diag_error(S->diag, e->loc, "'record ... in %s': the only place to record besides the evaluation "
                           "is 'in training'", e->name);
        } else if (e->kind == AST_ARROW) {
            check_projection_ref(S, net, e);
        } else {
            check_signal_ref(S, nsc, e);
        }
    }
}

/* n and tol of fixed_points, noise levels of robustness, fractions of degradation. */
static void check_analysis_setting(sema *S, const ast_node *a)
{
    const ast_node *v = a->first;
    if (v->type == TY_ERROR)
        return;
    bool is_list = strcmp(a->name, "noise") == 0 || strcmp(a->name, "fractions") == 0;
    if (is_list != (v->type == TY_LIST)) {
        diag_error(S->diag, v->loc, is_list ? "'%s' is a list of numbers, e.g. [0, 0.1, 0.2]"
                                            : "'%s' is one number", a->name);
        return;
    }
    const ast_node *one = is_list ? v->first : v;
    for (; one; one = is_list ? one->next : NULL) {
        double x;
        if (!const_value(one, NULL, &x)) {
            diag_error(S->diag, one->loc, "'%s' must be a constant", a->name);
            return;
        }
        bool ok = strcmp(a->name, "n") == 0           ? x >= 1 && x == floor(x) && x <= 1e6
                  : strcmp(a->name, "fractions") == 0 ? x >= 0 && x <= 1
                  : strcmp(a->name, "noise") == 0     ? x >= 0 && !isinf(x)
                                                      : x > 0 && !isinf(x);
        if (!ok) {
            const char *want = strcmp(a->name, "n") == 0 ? "a positive whole number"
                               : strcmp(a->name, "fractions") == 0 ? "between 0 and 1"
                               : strcmp(a->name, "noise") == 0 ? "zero or more" : "positive";
            diag_error(S->diag, one->loc, "'%s' must be %s, not %g", a->name, want, x);
            return;
        }
    }
}

/* fixed_points(h, inputs = PHASE): a name, which the plan looks for among
 * the task's phases (the task is prepared there, with its arguments). */
static void check_inputs_phase(sema *S, const builtin *b, const ast_node *a)
{
    const ast_node *v = a->first;
    if (v->kind == AST_NAME)
        return;
    diag *g = diag_error(S->diag, v->loc, "'inputs' of %s() names a phase of the task", b->name);
    diag_hint(S->diag, g, "write e.g. 'inputs = delay': the inputs are held at their mean over that phase");
}

/* One positional argument of an analysis, by the kind the table gives it. */
static void check_analysis_arg(sema *S, const builtin *b, char kind, ast_node *a, ast_node *net,
                               scope *nsc)
{
    switch (kind) {
    case 'P':
        if (a->kind == AST_ARROW)
            check_projection_ref(S, net, a);
        else
            diag_error(S->diag, a->loc, "%s() takes a projection, e.g. %s(h -> h)", b->name, b->name);
        return;
    case 'S':
        if (a->kind == AST_ARROW)
            diag_error(S->diag, a->loc, "%s() takes a recorded signal such as h.r, not a projection",
                       b->name);
        else
            check_signal_ref(S, nsc, a);
        return;
    case 'N': {
        expr_env env = {S->globals, 0, "an analysis argument"};
        double v;
        sema_expr(S, a, &env);
        if (a->type != TY_ERROR && (a->type != TY_NUM || !const_value(a, NULL, &v) || !(v >= 1) || v != floor(v)))
            diag_error(S->diag, a->loc, "the number of components of %s() must be a positive whole number",
                       b->name);
        return;
    }
    case 'G': {
        symbol *s = a->kind == AST_NAME ? scope_lookup_local(nsc, a->name) : NULL;
        if (!s || s->kind != SYM_POP) {
            diag *g = diag_error(S->diag, a->loc, "%s() takes a population of network '%s'", b->name,
                                 net->name);
            if (a->kind == AST_NAME && !s)
                suggest_in_scope(S, g, nsc, a->name);
        }
        return;
    }
    }
}

static void check_analysis(sema *S, ast_node *call, ast_node *net)
{
    scope *nsc = sema_def_scope(net);
    const builtin *b = call->kind == AST_CALL ? builtin_find(call->name, BI_ANALYSIS) : NULL;
    if (!b && call->kind == AST_NAME && builtin_find(call->name, BI_ANALYSIS)) {
        diag *g = diag_error(S->diag, call->loc, "the analysis '%s' is written as a call", call->name);
        diag_hint(S->diag, g, "write '%s(...)', with its arguments, or '%s()' when it takes none", call->name,
                  call->name);
        return;
    }
    if (!b) {
        diag *g = diag_error(S->diag, call->loc, "unknown analysis '%s'", call->name ? call->name : "?");
        const char *names[32];
        unsigned count = builtin_names(1u << BI_ANALYSIS, names, 32);
        if (call->name)
            diag_suggest(S->diag, g, call->name, names, count);
        if (!g->hint)
            diag_hint(S->diag, g, "analyses: eigen(h -> h), pca(h.r, 3), svd(h.r, 3), fixed_points(h), robustness(), degradation(h), "
                             "psychometric()");
        return;
    }
    unsigned npos = 0;
    sema_check_duplicate_args(S, call->first);
    for (ast_node *a = call->first->first; a; a = a->next) {
        if (a->kind == AST_NAMEDARG) {
            if (!builtin_has_keyword(b, a->name)) {
                diag *g = diag_error(S->diag, a->loc, "%s() has no argument named '%s'", b->name, a->name);
                if (b->keywords)
                    diag_hint(S->diag, g, "its named arguments are: %s", sema_commas(S, b->keywords));
            }
            if (strcmp(a->name, "inputs") == 0 && builtin_has_keyword(b, a->name)) {
                check_inputs_phase(S, b, a);   /* a phase, found in the task by the plan */
                continue;
            }
            expr_env env = {S->globals, 0, "an analysis setting"};
            sema_expr(S, a->first, &env);
            check_analysis_setting(S, a);
            continue;
        }
        char kind = npos < strlen(b->arg_kinds) ? b->arg_kinds[npos] : 0;
        npos++;
        if (kind)
            check_analysis_arg(S, b, kind, a, net, nsc);
    }
    sema_check_arity(S, call->loc, b->name, b->min_args, b->max_args, npos);
}

void sema_runs(sema *S, ast_node *file)
{
    ast_node *net = NULL;
    for (ast_node *n = file->first; n; n = n->next)
        if (n->kind == AST_TRAIN || n->kind == AST_EVALUATE)
            check_run(S, n, &net);
    for (ast_node *n = file->first; n; n = n->next) {
        if (n->kind != AST_RECORD && n->kind != AST_ANALYZE)
            continue;
        if (!net) {
            diag *g = diag_error(S->diag, n->loc, "'%s' needs a 'train' or 'evaluate' in the same file "
                                 "to know which network it means", n->kind == AST_RECORD ? "record" : "analyze");
            diag_hint(S->diag, g, "add e.g. 'train Net on Task { ... }'");
            continue;
        }
        if (n->kind == AST_RECORD)
            check_record(S, n, net);
        else
            for (ast_node *c = n->first; c; c = c->next)
                check_analysis(S, c, net);
    }
}
