/* ast.c -- building and printing syntax trees (see ast.h). */
#include "ast.h"

#include <stdio.h>

ast_node *ast_new(arena *a, ast_kind kind, src_loc loc)
{
    ast_node *n = arena_alloc(a, sizeof *n);
    n->kind = (uint16_t)kind;
    n->loc = loc;
    n->depth = 1;
    return n;
}

ast_node *ast_leaf(arena *a, ast_kind kind, const token *t)
{
    ast_node *n = ast_new(a, kind, t->loc);
    n->name = t->text;
    n->num = t->num;
    return n;
}

ast_node *ast_add(ast_node *parent, ast_node *kid)
{
    if (!parent || !kid)
        return parent;
    kid->next = NULL;
    if (parent->last)
        parent->last->next = kid;
    else
        parent->first = kid;
    parent->last = kid;
    parent->count++;
    if (kid->depth + 1 > parent->depth)
        parent->depth = kid->depth + 1;
    return parent;
}

ast_node *ast_with(arena *a, ast_kind kind, src_loc loc, ast_node *k1, ast_node *k2,
                   ast_node *k3)
{
    ast_node *n = ast_new(a, kind, loc);
    ast_add(n, k1);
    ast_add(n, k2);
    ast_add(n, k3);
    return n;
}

src_loc loc_span(src_loc from, src_loc to)
{
    src_loc l = from;
    if (to.file == from.file && to.line == from.line && to.col >= from.col)
        l.len = to.col + to.len - from.col;
    return l;
}

ast_node *ast_binary(arena *a, int op, ast_node *lhs, ast_node *rhs)
{
    ast_node *n = ast_with(a, AST_BINARY, loc_span(lhs->loc, rhs->loc), lhs, rhs, NULL);
    n->op = (uint16_t)op;
    return n;
}

ast_node *ast_unary(arena *a, int op, src_loc loc, ast_node *operand)
{
    ast_node *n = ast_with(a, AST_UNARY, loc_span(loc, operand->loc), operand, NULL, NULL);
    n->op = (uint16_t)op;
    return n;
}

ast_node *ast_kid(const ast_node *n, uint32_t i)
{
    ast_node *k = n ? n->first : NULL;
    while (k && i--)
        k = k->next;
    return k;
}

ast_node *ast_clone(arena *a, const ast_node *n)
{
    ast_node *copy = ast_new(a, (ast_kind)n->kind, n->loc);
    copy->op = n->op;
    copy->name = n->name;
    copy->num = n->num;
    for (const ast_node *k = n->first; k; k = k->next)
        ast_add(copy, ast_clone(a, k));   /* depth is bounded by the parser's AST_MAX_DEPTH */
    return copy;
}

const char *ast_kind_name(ast_kind kind)
{
    static const char *const names[] = {
#define X(kind, name) name,
        AST_KINDS(X)
#undef X
    };
    return kind < AST_KIND_COUNT ? names[kind] : "?";
}

const char *ast_op_text(ast_op op)
{
    static const char *const text[OP_COUNT] = {
        [OP_NONE] = "", [OP_ADD] = "+", [OP_SUB] = "-", [OP_MUL] = "*",
        [OP_DIV] = "/", [OP_MOD] = "%", [OP_POW] = "^", [OP_LT] = "<",
        [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=", [OP_EQ] = "==",
        [OP_NE] = "!=", [OP_AND] = "and", [OP_OR] = "or", [OP_NEG] = "-",
        [OP_PLUS] = "+", [OP_NOT] = "not", [OP_SET] = "=", [OP_ADD_SET] = "+=",
        [OP_SUB_SET] = "-=", [OP_MUL_SET] = "*=", [OP_PRE] = "pre",
        [OP_POST] = "post", [OP_INPUT] = "input", [OP_TARGET] = "target",
    };
    return op < OP_COUNT && text[op] ? text[op] : "?";
}

void ast_dump(const ast_node *n, FILE *out, int indent)
{
    if (!n)
        return;
    fprintf(out, "%*s%s", indent * 2, "", ast_kind_name((ast_kind)n->kind));
    if (n->name)
        fprintf(out, " '%s'", n->name);
    if (n->kind == AST_NUM)
        fprintf(out, " %.17g", n->num);
    if (n->op && n->kind != AST_SLICE && n->kind != AST_POP && n->kind != AST_CONNECT)
        fprintf(out, " %s", ast_op_text((ast_op)n->op));
    else if (n->op)
        fprintf(out, " [%u]", (unsigned)n->op);
    fprintf(out, " @%u:%u\n", (unsigned)n->loc.line, (unsigned)n->loc.col);
    for (const ast_node *k = n->first; k; k = k->next)
        ast_dump(k, out, indent + 1);
}

/* ---------------------------------------------------------------- printing */

typedef struct writer {
    char *buf;
    size_t size, len;
} writer;

static void emit(writer *w, const char *text)
{
    for (; *text; text++, w->len++)
        if (w->len + 1 < w->size)
            w->buf[w->len] = *text;
}

/* Binding strength of an operator, as in the grammar's precedence table. */
static int precedence(const ast_node *e)
{
    if (e->kind == AST_UNARY)
        return e->op == OP_NOT ? 3 : 7;
    if (e->kind != AST_BINARY)
        return 9;
    switch (e->op) {
    case OP_OR: return 1;
    case OP_AND: return 2;
    case OP_ADD: case OP_SUB: return 5;
    case OP_MUL: case OP_DIV: case OP_MOD: return 6;
    case OP_POW: return 8;
    default: return 4;   /* comparisons */
    }
}

static void format(writer *w, const ast_node *e);

static void format_operand(writer *w, const ast_node *e, int parent, int right)
{
    int p = precedence(e);
    int wrap = p < parent || (p == parent && right && p != 8) || (p == parent && !right && p == 8);
    if (wrap)
        emit(w, "(");
    format(w, e);
    if (wrap)
        emit(w, ")");
}

static void format_list(writer *w, const ast_node *first)
{
    for (const ast_node *k = first; k; k = k->next) {
        format(w, k);
        if (k->next)
            emit(w, ", ");
    }
}

static void format(writer *w, const ast_node *e)
{
    char num[40];
    switch (e->kind) {
    case AST_NUM:
        snprintf(num, sizeof num, "%.15g", e->num);
        emit(w, num);
        if (e->name) {
            emit(w, " ");
            emit(w, e->name);
        }
        return;
    case AST_STR:
        emit(w, "\"");
        emit(w, e->name);
        emit(w, "\"");
        return;
    case AST_NAME:
        emit(w, e->name);
        return;
    case AST_MEMBER:
        format_operand(w, e->first, 9, 0);
        emit(w, ".");
        emit(w, e->name);
        return;
    case AST_INDEX:
        format_operand(w, e->first, 9, 0);
        emit(w, "[");
        format(w, e->first->next);
        emit(w, "]");
        return;
    case AST_SLICE: {
        const ast_node *k = e->first;
        if (e->op & 1) {
            format(w, k);
            k = k->next;
        }
        emit(w, ":");
        if (e->op & 2)
            format(w, k);
        return;
    }
    case AST_CALL:
        emit(w, e->name);
        emit(w, "(");
        format_list(w, e->first ? e->first->first : NULL);
        emit(w, ")");
        return;
    case AST_NAMEDARG:
        emit(w, e->name);
        emit(w, " = ");
        format(w, e->first);
        return;
    case AST_ARROW:
        format(w, e->first);
        emit(w, " -> ");
        format(w, e->first->next);
        return;
    case AST_LIST:
        emit(w, "[");
        format_list(w, e->first);
        emit(w, "]");
        return;
    case AST_UNARY:
        emit(w, e->op == OP_NOT ? "not " : ast_op_text((ast_op)e->op));
        format_operand(w, e->first, precedence(e), 1);
        return;
    case AST_BINARY:
        format_operand(w, e->first, precedence(e), 0);
        emit(w, " ");
        emit(w, ast_op_text((ast_op)e->op));
        emit(w, " ");
        format_operand(w, e->first->next, precedence(e), 1);
        return;
    default:
        emit(w, "?");
        return;
    }
}

size_t ast_format(const ast_node *e, char *buf, size_t size)
{
    writer w = {buf, size, 0};
    if (size)
        buf[0] = '\0';
    format(&w, e);
    if (size)
        buf[w.len < size ? w.len : size - 1] = '\0';
    return w.len;
}
