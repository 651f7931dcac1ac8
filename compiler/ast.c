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
