/* parse_driver.c -- the parser driver and the tree builders of the grammar.
 *
 * The driver pulls tokens from the re2c lexer and pushes them into the Lemon
 * parser. It owns three rules the grammar cannot express simply:
 *   - a newline ends a statement, except inside ( ) or [ ], after a token that
 *     cannot end one (an operator, ',', ':', '->', '='), before '{' or 'else';
 *   - brackets must match: a stray or unclosed one is reported where it is,
 *     not where the parser finally gives up;
 *   - expressions deeper than AST_MAX_DEPTH are refused, so no later pass
 *     can recurse its way off the stack.
 */
#include "parse_driver.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"

void *rnnParseAlloc(void *(*alloc)(size_t));
void rnnParse(void *parser, int type, token value, parse_ctx *ctx);
void rnnParseFree(void *parser, void (*dealloc)(void *));

/* ---------------------------------------------------------------- driver */

enum { MAX_BRACKETS = 256 };

typedef struct bracket {
    int type;
    src_loc loc;
} bracket;

typedef struct driver {
    parse_ctx *c;
    bracket open[MAX_BRACKETS];
    int depth;           /* of all brackets */
    int paren_depth;     /* of ( and [ only: newlines inside them are spaces */
    int prev;            /* the last token given to the parser */
} driver;

int parse_continues_line(int type)
{
    switch (type) {
    case TK_ARROW: case TK_LARROW: case TK_PLUSEQ: case TK_MINUSEQ: case TK_STAREQ:
    case TK_EQ: case TK_NE: case TK_LE: case TK_GE: case TK_LT: case TK_GT:
    case TK_ASSIGN: case TK_PLUS: case TK_MINUS: case TK_STAR: case TK_SLASH:
    case TK_PERCENT: case TK_CARET: case TK_COMMA: case TK_COLON: case TK_DOT:
    case TK_DOTDOT: case TK_AND: case TK_OR: case TK_NOT: case TK_SEP:
        return 1;
    default:
        return 0;
    }
}

static int closer_of(int open)
{
    return open == TK_LPAREN ? TK_RPAREN : open == TK_LBRACKET ? TK_RBRACKET : TK_RBRACE;
}

static const char *bracket_text(int type)
{
    switch (type) {
    case TK_LPAREN: return "(";
    case TK_RPAREN: return ")";
    case TK_LBRACKET: return "[";
    case TK_RBRACKET: return "]";
    case TK_LBRACE: return "{";
    default: return "}";
    }
}

static void silence_syntax_errors_on(parse_ctx *c, src_loc loc)
{
    c->last_error_line = (int)loc.line;
}

/* Tracks brackets; returns 0 when the token should not reach the parser. */
static int track_brackets(driver *d, int *type_io, const token *t)
{
    int type = *type_io;
    parse_ctx *c = d->c;
    if (type == TK_LPAREN || type == TK_LBRACKET || type == TK_LBRACE) {
        if (d->depth == MAX_BRACKETS) {
            diag_error(c->diag, t->loc, "brackets nested too deeply (limit is %d)",
                       MAX_BRACKETS);
            c->stack_overflowed = 1;
            return 0;
        }
        d->open[d->depth].type = type;
        d->open[d->depth].loc = t->loc;
        d->depth++;
        if (type != TK_LBRACE)
            d->paren_depth++;
        return 1;
    }
    if (type != TK_RPAREN && type != TK_RBRACKET && type != TK_RBRACE)
        return 1;
    int match = d->depth - 1;
    while (match >= 0 && closer_of(d->open[match].type) != type)
        match--;
    bool paren_closer = type == TK_RPAREN || type == TK_RBRACKET;
    if (match < 0 && paren_closer && d->depth > 0 && d->open[d->depth - 1].type != TK_LBRACE) {
        /* (a + b] : the wrong closer for the innermost bracket; close that one. */
        const bracket *inner = &d->open[d->depth - 1];
        diag *g = diag_error(c->diag, t->loc, "'%s' closes '%s' (line %u, column %u)",
                             bracket_text(type), bracket_text(inner->type),
                             (unsigned)inner->loc.line, (unsigned)inner->loc.col);
        diag_hint(c->diag, g, "write '%s'", bracket_text(closer_of(inner->type)));
        silence_syntax_errors_on(c, t->loc);
        *type_io = closer_of(inner->type);
        d->depth--;
        d->paren_depth--;
        return 1;
    }
    if (match < 0) {
        diag_error(c->diag, t->loc, "'%s' has no matching '%s'", bracket_text(type),
                   type == TK_RPAREN ? "(" : type == TK_RBRACKET ? "[" : "{");
        silence_syntax_errors_on(c, t->loc);
        return 0;
    }
    if (match != d->depth - 1) {
        const bracket *inner = &d->open[d->depth - 1];
        diag *g = diag_error(c->diag, t->loc, "'%s' closes '%s', but '%s' at line %u is still open",
                             bracket_text(type), bracket_text(d->open[match].type),
                             bracket_text(inner->type), (unsigned)inner->loc.line);
        diag_hint(c->diag, g, "close it with '%s' first", bracket_text(closer_of(inner->type)));
        silence_syntax_errors_on(c, t->loc);
    }
    for (int i = d->depth - 1; i >= match; i--)
        if (d->open[i].type != TK_LBRACE)
            d->paren_depth--;
    d->depth = match;
    return 1;
}

static void feed(driver *d, void *parser, int type, const token *t)
{
    d->prev = type;
    d->c->last_loc = t->loc;
    if (d->depth == 0 && (type == TK_NEURON || type == TK_NETWORK || type == TK_TASK ||
                          type == TK_PLASTICITY || type == TK_TRAIN || type == TK_EVALUATE))
        d->c->block_keyword = type;
    d->c->inside_block = d->depth > 0;
    d->c->open_paren.line = 0;
    for (int i = d->depth - 1; i >= 0; i--)
        if (d->open[i].type != TK_LBRACE) {
            d->c->open_paren = d->open[i].loc;
            d->c->open_paren_char = d->open[i].type == TK_LPAREN ? '(' : '[';
            break;
        }
    rnnParse(parser, type, *t, d->c);
}

ast_node *parse_file(arena *a, diag_ctx *dc, uint32_t file)
{
    source_file *f = &dc->sources->files[file];
    lexer L;
    lex_init(&L, a, dc, file, f->text, f->size);
    parse_ctx c = {.arena = a, .diag = dc, .file = file};
    src_loc start = {file, 1, 1, 0};
    c.root = ast_new(a, AST_FILE, start);
    c.root->name = intern_cstr(a, f->path);

    driver d = {.c = &c, .prev = TK_SEP};
    void *parser = rnnParseAlloc(malloc);
    if (!parser)
        arena_out_of_memory();
    token t, newline;
    int pending_newline = 0, type;
    unsigned lexical_errors = dc->errors;
    while ((type = lex_next(&L, &t)) != 0 && !c.stack_overflowed) {
        if (dc->errors != lexical_errors) {
            /* The lexer reported this line: a syntax error on it would be an echo. */
            lexical_errors = dc->errors;
            c.last_error_line = (int)t.loc.line;
        }
        if (type == TK_SEP && t.num == 1) {
            if (d.paren_depth == 0 && !parse_continues_line(d.prev) && !pending_newline) {
                newline = t;
                pending_newline = 1;
            }
            continue;
        }
        if (pending_newline) {
            pending_newline = 0;
            if (type != TK_ELSE && type != TK_LBRACE)
                feed(&d, parser, TK_SEP, &newline);
            if (c.stack_overflowed)
                break;
        }
        if (type == TK_IDENT && d.prev == TK_NUMBER)
            type = TK_UNIT;
        if (track_brackets(&d, &type, &t))
            feed(&d, parser, type, &t);
    }
    if (!c.stack_overflowed) {
        for (int i = 0; i < d.depth; i++) {
            diag *g = diag_error(dc, d.open[i].loc, "this '%s' is never closed",
                                 bracket_text(d.open[i].type));
            diag_hint(dc, g, "add '%s' where the %s ends",
                      bracket_text(closer_of(d.open[i].type)),
                      d.open[i].type == TK_LBRACE ? "block" : "expression");
        }
        if (d.depth > 0)
            c.last_error_line = -1;   /* the parser's own complaint at the end adds nothing */
        if (pending_newline)
            feed(&d, parser, TK_SEP, &newline);
        t.loc.len = 0;
        rnnParse(parser, 0, t, &c);
    }
    rnnParseFree(parser, free);
    return c.root;
}

/* ---------------------------------------------------------------- errors */

const char *parse_token_desc(int type, const token *t, char *buf, size_t size)
{
    if (type == 0)
        return "end of file";
    if (type == TK_SEP)
        return t->num == 1 ? "end of line" : "';'";
    if (type == TK_NUMBER) {
        snprintf(buf, size, "number %g", t->num);
        return buf;
    }
    if (type == TK_STRING) {
        snprintf(buf, size, "string \"%.40s\"", t->text ? t->text : "");
        return buf;
    }
    if (type == TK_DERIV) {
        snprintf(buf, size, "'d%.40s/dt'", t->text ? t->text : "");
        return buf;
    }
    if (t->text) {
        snprintf(buf, size, "%s'%.40s'", lex_is_keyword(t->text) ? "keyword " : "", t->text);
        return buf;
    }
    static const struct { int type; const char *text; } punct[] = {
        {TK_ARROW, "->"}, {TK_LARROW, "<-"}, {TK_PLUSEQ, "+="}, {TK_MINUSEQ, "-="},
        {TK_STAREQ, "*="}, {TK_EQ, "=="}, {TK_NE, "!="}, {TK_LE, "<="}, {TK_GE, ">="},
        {TK_DOTDOT, ".."}, {TK_ASSIGN, "="}, {TK_LT, "<"}, {TK_GT, ">"}, {TK_PLUS, "+"},
        {TK_MINUS, "-"}, {TK_STAR, "*"}, {TK_SLASH, "/"}, {TK_PERCENT, "%"},
        {TK_CARET, "^"}, {TK_LPAREN, "("}, {TK_RPAREN, ")"}, {TK_LBRACKET, "["},
        {TK_RBRACKET, "]"}, {TK_LBRACE, "{"}, {TK_RBRACE, "}"}, {TK_COMMA, ","},
        {TK_COLON, ":"}, {TK_DOT, "."},
    };
    for (size_t i = 0; i < sizeof punct / sizeof punct[0]; i++)
        if (punct[i].type == type) {
            snprintf(buf, size, "'%s'", punct[i].text);
            return buf;
        }
    return "token";
}

void parse_syntax_error(parse_ctx *c, int type, const token *t)
{
    if (c->last_error_line == -1 || (int)t->loc.line == c->last_error_line)
        return;
    c->last_error_line = (int)t->loc.line;
    char buf[96];
    const char *what = parse_token_desc(type, t, buf, sizeof buf);
    diag *g = diag_error(c->diag, t->loc, "unexpected %s", what);
    if (c->open_paren.line && c->open_paren.line < t->loc.line)
        diag_hint(c->diag, g, "the '%c' at line %u, column %u is still open, so this line continues it",
                  c->open_paren_char, (unsigned)c->open_paren.line, (unsigned)c->open_paren.col);
    else if (type == TK_ASSIGN && c->block_keyword == TK_NEURON && c->inside_block)
        diag_hint(c->diag, g, "a state changes with 'v <- expr' (per step) or 'dv/dt = expr'; "
                              "a named value is 'let x = expr'");
    else if (type == TK_SEP && t->num == 1)
        diag_hint(c->diag, g, "the statement is incomplete; a line break ends a statement "
                              "unless the line ends with an operator or ','");
    else if (type == TK_NUMBER)
        diag_hint(c->diag, g, "a number may be followed by a unit ('30 ms') but not by another number");
}

void parse_stack_overflow(parse_ctx *c)
{
    if (!c->stack_overflowed) {
        diag *g = diag_error(c->diag, c->last_loc, "the model is nested too deeply to parse here");
        diag_hint(c->diag, g, "split long chains (else-if arms, powers) into smaller pieces");
    }
    c->stack_overflowed = 1;
}

/* ---------------------------------------------------------------- builders */

static ast_node *guard_depth(parse_ctx *c, ast_node *n)
{
    if (n->depth <= AST_MAX_DEPTH)
        return n;
    if (!c->depth_error_reported)
        diag_error(c->diag, n->loc, "expression is nested too deeply (limit is %d levels)",
                   AST_MAX_DEPTH);
    c->depth_error_reported = 1;
    return ast_new(c->arena, AST_ERROR, n->loc);
}

void parse_toplevel(parse_ctx *c, ast_node *n)
{
    ast_add(c->root, n);
}

ast_node *parse_list(parse_ctx *c, ast_node *first)
{
    src_loc none = {c->file, 0, 0, 0};
    ast_node *list = ast_new(c->arena, AST_BLOCK, first ? first->loc : none);
    return ast_add(list, first);
}

ast_node *parse_empty(parse_ctx *c, ast_kind kind)
{
    src_loc none = {c->file, 0, 0, 0};
    return ast_new(c->arena, kind, none);
}

ast_node *parse_retag(ast_node *list, ast_kind kind, src_loc loc)
{
    list->kind = (uint16_t)kind;
    list->loc = loc;
    return list;
}

ast_node *parse_side(ast_node *n, ast_op side)
{
    n->op = (uint16_t)side;
    return n;
}

ast_node *parse_channels(ast_node *list, ast_op side, src_loc loc)
{
    return parse_side(parse_retag(list, AST_CHANNELS, loc), side);
}

/* Moves the children of FROM to the end of TO. */
static void splice(ast_node *to, ast_node *from)
{
    ast_node *k = from ? from->first : NULL;
    while (k) {
        ast_node *next = k->next;
        ast_add(to, k);
        k = next;
    }
}

ast_node *parse_import(parse_ctx *c, ast_node *dotted)
{
    ast_node *n = ast_new(c->arena, AST_IMPORT, dotted->loc);
    /* The parts are joined once, here: joining them one DOT at a time took
     * time and memory quadratic in their number. */
    size_t len = strlen(dotted->name);
    for (const ast_node *part = dotted->first; part; part = part->next)
        len += 1 + strlen(part->name);
    char *joined = arena_alloc(c->arena, len + 1), *end = joined;
    end += sprintf(end, "%s", dotted->name);
    for (const ast_node *part = dotted->first; part; part = part->next)
        end += sprintf(end, ".%s", part->name);
    n->name = intern(c->arena, joined, len);
    return n;
}

ast_node *parse_function(parse_ctx *c, const token *name, ast_node *args, ast_node *body)
{
    ast_node *n = ast_new(c->arena, AST_FUNCTION, name->loc);
    n->name = name->text;
    ast_add(n, args ? args : parse_empty(c, AST_BLOCK));
    return ast_add(n, body);
}

/* a.b.c: the NAME a with the parts b and c as its children. */
ast_node *parse_dotted(parse_ctx *c, ast_node *left, const token *ident)
{
    ast_add(left, ast_leaf(c->arena, AST_NAME, ident));
    left->loc = loc_span(left->loc, ident->loc);
    return left;
}

ast_node *parse_named(parse_ctx *c, ast_kind kind, const token *name, ast_node *kid)
{
    ast_node *n = ast_new(c->arena, kind, name->loc);
    n->name = name->text;
    return ast_add(n, kid);
}

ast_node *parse_output_self(parse_ctx *c, const token *k, const token *name)
{
    ast_node *out = ast_new(c->arena, AST_OUTPUT, k->loc);
    return ast_add(out, parse_named(c, AST_BINDING, name, ast_leaf(c->arena, AST_NAME, name)));
}

ast_node *parse_def(parse_ctx *c, ast_kind kind, const token *name,
                    ast_node *params, ast_node *items)
{
    ast_node *n = ast_new(c->arena, kind, name->loc);
    n->name = name->text;
    ast_add(n, params);
    splice(n, items);
    return n;
}

ast_node *parse_assign(parse_ctx *c, ast_op op, ast_node *lvalue, ast_node *value)
{
    ast_node *n = ast_with(c->arena, AST_ASSIGN, lvalue->loc, lvalue, value, NULL);
    n->op = (uint16_t)op;
    return n;
}

ast_node *parse_pop(parse_ctx *c, const token *name, ast_node *type, int readout)
{
    ast_node *n = parse_named(c, AST_POP, name, type);
    n->op = (uint16_t)readout;
    return n;
}

ast_node *parse_connect(parse_ctx *c, ast_node *from, ast_node *to,
                        ast_node *options, int feedback)
{
    ast_node *n = ast_with(c->arena, AST_CONNECT, loc_span(from->loc, to->loc), from, to, NULL);
    n->op = (uint16_t)feedback;
    splice(n, options);
    return n;
}

ast_node *parse_phase(parse_ctx *c, const token *name, ast_node *dur,
                      ast_node *items)
{
    ast_node *n = parse_named(c, AST_PHASE, name, dur);
    n->op = dur != NULL;
    return ast_add(n, parse_retag(items, AST_BLOCK, name->loc));
}

ast_node *parse_pulse(parse_ctx *c, const token *k, ast_node *target, ast_node *value,
                      ast_node *onset, ast_node *width)
{
    ast_node *n = ast_with(c->arena, AST_PULSE, k->loc, target, value, onset);
    return ast_add(n, width);
}

ast_node *parse_for(parse_ctx *c, const token *var, ast_node *from,
                    ast_node *to, ast_node *items)
{
    ast_node *n = parse_named(c, AST_FOR, var, from);
    ast_add(n, to);
    return ast_add(n, parse_retag(items, AST_BLOCK, var->loc));
}

ast_node *parse_if(parse_ctx *c, const token *k, ast_node *cond, ast_node *then_items,
                   ast_node *else_items)
{
    ast_node *n = ast_with(c->arena, AST_IF, k->loc, cond,
                           parse_retag(then_items, AST_BLOCK, k->loc), NULL);
    if (else_items)
        ast_add(n, parse_retag(else_items, AST_BLOCK, k->loc));
    return n;
}

/* A train or evaluate block has a definition's shape: the network's name,
 * the task where the parameters go, the settings as its items. */
ast_node *parse_run(parse_ctx *c, ast_kind kind, const token *net,
                    ast_node *task, ast_node *settings)
{
    return parse_def(c, kind, net, task, settings);
}

ast_node *parse_setting(parse_ctx *c, const token *name, ast_node *values)
{
    ast_node *n = ast_new(c->arena, AST_SETTING, name->loc);
    n->name = name->text;
    splice(n, values);
    return n;
}

/* (e): the tree keeps no parentheses, but the span includes them, so a caret
 * under a parenthesised expression starts at its '('. */
ast_node *parse_paren(ast_node *inner, const token *open, const token *close)
{
    if (open->loc.line == close->loc.line)
        inner->loc = loc_span(open->loc, close->loc);
    return inner;
}

ast_node *parse_arrow(parse_ctx *c, ast_node *from, ast_node *to)
{
    return guard_depth(c, ast_with(c->arena, AST_ARROW, loc_span(from->loc, to->loc),
                                   from, to, NULL));
}

ast_node *parse_binary(parse_ctx *c, int op, ast_node *lhs, ast_node *rhs)
{
    return guard_depth(c, ast_binary(c->arena, op, lhs, rhs));
}

ast_node *parse_unary(parse_ctx *c, int op, const token *k, ast_node *operand)
{
    return guard_depth(c, ast_unary(c->arena, op, k->loc, operand));
}

ast_node *parse_member(parse_ctx *c, ast_node *object, const token *member)
{
    ast_node *n = ast_with(c->arena, AST_MEMBER, loc_span(object->loc, member->loc),
                           object, NULL, NULL);
    n->name = member->text;
    return guard_depth(c, n);
}

ast_node *parse_index(parse_ctx *c, ast_node *object, ast_node *index, const token *close)
{
    return guard_depth(c, ast_with(c->arena, AST_INDEX, loc_span(object->loc, close->loc),
                                   object, index, NULL));
}

ast_node *parse_number(parse_ctx *c, const token *n, const token *unit)
{
    ast_node *node = ast_leaf(c->arena, AST_NUM, n);
    node->name = NULL;
    if (unit) {
        node->name = unit->text;
        node->loc = loc_span(n->loc, unit->loc);
    }
    return node;
}

ast_node *parse_call(parse_ctx *c, const token *name, ast_node *args, const token *close)
{
    ast_node *n = parse_named(c, AST_CALL, name, args);
    n->loc = loc_span(name->loc, close->loc);
    return guard_depth(c, n);
}

ast_node *parse_slice(parse_ctx *c, const token *colon, ast_node *from, ast_node *to)
{
    ast_node *n = ast_with(c->arena, AST_SLICE, from ? from->loc : colon->loc, from, to, NULL);
    n->op = (uint16_t)((from ? 1 : 0) | (to ? 2 : 0));
    return guard_depth(c, n);
}
