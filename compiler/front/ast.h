/* ast.h -- the syntax tree of a .rnn file.
 *
 * One node type with a kind tag and a list of children: the grammar's actions
 * stay one-line builder calls, and `rnnc dump-ast` prints any tree the same
 * way. The order of children per kind is documented in the table below and
 * is what sema reads. All nodes live in the compilation's arena.
 */
#ifndef RNNC_AST_H
#define RNNC_AST_H

#include <stdio.h>

#include "arena.h"
#include "source.h"
#include "units.h"

/* X(kind, name-for-dump): children in order. */
#define AST_KINDS(X)                                                                 \
    X(FILE, "file")              /* toplevel*                                     */ \
    X(IMPORT, "import")          /* name = dotted module                          */ \
    X(PARAM, "param")            /* binding*                                      */ \
    X(FUNCTION, "function")      /* name; BLOCK of NAME arguments; body expr      */ \
    X(BINDING, "binding")        /* name = expr                                   */ \
    X(NEURON, "neuron")          /* name; header-params(PARAMLIST) item*           */ \
    X(PARAMLIST, "params")       /* binding*                                      */ \
    X(STATE, "state")            /* binding*                                      */ \
    X(INPUT, "input")            /* port names: NAME*                             */ \
    X(OUTPUT, "output")          /* binding*                                      */ \
    X(LET, "let")                /* binding*                                      */ \
    X(ODE, "ode")                /* name = state; expr                            */ \
    X(UPDATE, "update")          /* name = state; expr                            */ \
    X(SPIKE, "spike")            /* name = spike variable; condition              */ \
    X(RESET, "reset")            /* ASSIGN*                                       */ \
    X(REFRACTORY, "refractory")  /* expr                                          */ \
    X(SURROGATE, "surrogate")    /* name = spike variable; expr                   */ \
    X(METHOD, "method")          /* name = the integration method (euler, exact)  */ \
    X(NETWORK, "network")        /* name; PARAMLIST item*                         */ \
    X(CHANNEL, "channel")        /* name; size expr (network/task input, target)  */ \
    X(CHANNELS, "channels")      /* op = IN/TARGET; CHANNEL*                      */ \
    X(POP, "pop")                /* name; TYPEREF (op 1 = readout)                */ \
    X(TYPEREF, "typeref")        /* name = neuron; size expr; [ARGS]              */ \
    X(CONNECT, "connect")        /* ENDPOINT ENDPOINT OPTION* (op 1 = feedback)   */ \
    X(ENDPOINT, "endpoint")      /* name = group; [NAME port]                     */ \
    X(OPTION, "option")          /* name; [ARGS | value expr]                     */ \
    X(PLASTICITY, "plasticity")  /* name; PARAMLIST item*                         */ \
    X(TRACE, "trace")            /* op = pre/post; binding*                       */ \
    X(ON, "on")                  /* op = pre/post; ASSIGN*                        */ \
    X(TASK, "task")              /* name; PARAMLIST item*                         */ \
    X(DURATION, "duration")      /* expr                                          */ \
    X(DRAW, "draw")              /* binding*                                      */ \
    X(FROZEN, "frozen")          /* item*                                         */ \
    X(PHASE, "phase")            /* name; duration expr; item*                    */ \
    X(PULSE, "pulse")            /* LVALUE; amplitude; onset; width               */ \
    X(ASSIGN, "assign")          /* op = '=' '+=' '-=' '*='; LVALUE; expr         */ \
    X(LVALUE, "lvalue")          /* name; [index | SLICE]                         */ \
    X(FOR, "for")                /* name = variable; from; to; item*              */ \
    X(IF, "if")                  /* condition; BLOCK then; [BLOCK else]           */ \
    X(BLOCK, "block")            /* item*                                         */ \
    X(ACCURACY, "accuracy")      /* expr; [NAME phase]                            */ \
    X(CONDITION, "condition")    /* expr: the trial's condition at each step      */ \
    X(TRAIN, "train")            /* name = network; task (NAME|CALL); SETTING*     */ \
    X(EVALUATE, "evaluate")      /* name = network; task (NAME|CALL); SETTING*     */ \
    X(SETTING, "setting")        /* name; value expr*                             */ \
    X(RECORD, "record")          /* expr*; [EVERY]                                */ \
    X(EVERY, "every")            /* interval expr                                 */ \
    X(IN_TRAINING, "in")         /* name = "training" (record ... in training)    */ \
    X(ANALYZE, "analyze")        /* CALL*                                         */ \
    X(NUM, "num")                /* num; name = unit or NULL                      */ \
    X(STR, "str")                /* name = text                                   */ \
    X(NAME, "name")              /* name                                          */ \
    X(MEMBER, "member")          /* expr; name = member                           */ \
    X(INDEX, "index")            /* expr; index | SLICE                           */ \
    X(SLICE, "slice")            /* [from]; [to] (op bit 1: from, bit 2: to)      */ \
    X(CALL, "call")              /* name = function; ARGS                         */ \
    X(ARGS, "args")              /* (expr | NAMEDARG)*                            */ \
    X(NAMEDARG, "namedarg")      /* name; expr                                    */ \
    X(ARROW, "arrow")            /* from; to (a projection h -> h)                */ \
    X(BINARY, "binary")          /* op; lhs; rhs                                  */ \
    X(UNARY, "unary")            /* op; operand                                   */ \
    X(LIST, "list")              /* expr*                                         */ \
    X(ERROR, "error")            /* a statement that did not parse                */

typedef enum ast_kind {
#define X(kind, name) AST_##kind,
    AST_KINDS(X)
#undef X
    AST_KIND_COUNT
} ast_kind;

/* Operators of BINARY, UNARY and ASSIGN nodes (op field). */
typedef enum ast_op {
    OP_NONE,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_POW,
    OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_AND, OP_OR,
    OP_NEG, OP_PLUS, OP_NOT,
    OP_SET, OP_ADD_SET, OP_SUB_SET, OP_MUL_SET,
    OP_PRE, OP_POST,               /* TRACE and ON nodes */
    OP_INPUT, OP_TARGET,           /* CHANNELS nodes */
    OP_COUNT
} ast_op;

typedef struct ast_node ast_node;

struct ast_node {
    uint16_t kind;          /* ast_kind */
    uint16_t op;            /* ast_op or a small per-kind flag */
    uint32_t depth;         /* height of this subtree (bounds recursion) */
    src_loc loc;
    const char *name;       /* interned: identifier, string text or unit */
    double num;
    ast_node *first, *last; /* children */
    ast_node *next;         /* next sibling */
    uint32_t count;         /* number of children */

    /* Filled by sema. */
    void *sym;              /* what a NAME resolves to (struct symbol *) */
    dim_t dim;              /* dimension of an expression */
    uint8_t type;           /* expr_type of an expression */
    uint8_t checked;        /* sema has visited this definition */
    uint8_t pure;           /* a plain number: literals without unit, and arithmetic on them */
};

/* The grammar's token value: a location plus what the lexer read. */
typedef struct token {
    int type;
    src_loc loc;
    const char *text;       /* interned identifier or string contents */
    double num;
} token;

/* Limit on expression nesting, so no recursive pass can exhaust the stack. */
enum { AST_MAX_DEPTH = 2000 };

ast_node *ast_new(arena *a, ast_kind kind, src_loc loc);
ast_node *ast_leaf(arena *a, ast_kind kind, const token *t);
ast_node *ast_add(ast_node *parent, ast_node *kid);   /* returns parent */
ast_node *ast_with(arena *a, ast_kind kind, src_loc loc, ast_node *k1, ast_node *k2,
                   ast_node *k3);
ast_node *ast_binary(arena *a, int op, ast_node *lhs, ast_node *rhs);
ast_node *ast_unary(arena *a, int op, src_loc loc, ast_node *operand);
ast_node *ast_kid(const ast_node *n, uint32_t i);   /* NULL past the end */
ast_node *ast_clone(arena *a, const ast_node *n);   /* a deep copy, without sema's marks */
src_loc loc_span(src_loc from, src_loc to);         /* from's start to to's end on one line */

const char *ast_kind_name(ast_kind kind);
const char *ast_op_text(ast_op op);
void ast_dump(const ast_node *n, FILE *out, int indent);
/* Writes expression E as source text into BUF (truncated to SIZE, always
 * terminated); returns the length the whole text needs. */
size_t ast_format(const ast_node *e, char *buf, size_t size);

#endif
