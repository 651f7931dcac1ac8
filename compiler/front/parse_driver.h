/* parse_driver.h -- from source text to syntax tree: the driver between the re2c
 * lexer and the Lemon parser, and the builders the grammar's actions call. */
#ifndef RNNC_PARSE_DRIVER_H
#define RNNC_PARSE_DRIVER_H

#include "ast.h"
#include "diag.h"

typedef struct parse_ctx {
    arena *arena;
    diag_ctx *diag;
    uint32_t file;
    ast_node *root;              /* AST_FILE */
    int last_error_line;         /* one syntax error per line is enough */
    int depth_error_reported;
    int stack_overflowed;
    src_loc open_paren;          /* the innermost unclosed ( or [, line 0 if none */
    char open_paren_char;
    int block_keyword;           /* the token that opened the current top-level block */
    src_loc last_loc;            /* of the last token given to the parser */
    int inside_block;            /* within its braces */
} parse_ctx;

/* Parses file FILE of the source table into an AST_FILE node; errors go to DIAG. */
ast_node *parse_file(arena *a, diag_ctx *dc, uint32_t file);

/* Whether a line break after a token of TYPE continues the statement (an
 * operator, ',', ':', '->', '=', ...): the driver's rule, shared with rnnc fmt. */
int parse_continues_line(int type);

/* Names of tokens as a user would write them ("')'", "a number", "end of line"). */
const char *parse_token_desc(int type, const token *t, char *buf, size_t size);

/* Builders used by grammar/parser.y. */
void parse_toplevel(parse_ctx *c, ast_node *n);
void parse_syntax_error(parse_ctx *c, int type, const token *t);
void parse_stack_overflow(parse_ctx *c);
ast_node *parse_list(parse_ctx *c, ast_node *first);
ast_node *parse_empty(parse_ctx *c, ast_kind kind);
ast_node *parse_retag(ast_node *list, ast_kind kind, src_loc loc);
ast_node *parse_side(ast_node *n, ast_op side);
ast_node *parse_channels(ast_node *list, ast_op side, src_loc loc);
ast_node *parse_import(parse_ctx *c, ast_node *dotted);
ast_node *parse_function(parse_ctx *c, const token *name, ast_node *args, ast_node *body);
ast_node *parse_dotted(parse_ctx *c, ast_node *left, const token *ident);
ast_node *parse_named(parse_ctx *c, ast_kind kind, const token *name, ast_node *kid);
ast_node *parse_output_self(parse_ctx *c, const token *k, const token *name);
ast_node *parse_def(parse_ctx *c, ast_kind kind, const token *name,
                    ast_node *params, ast_node *items);
ast_node *parse_assign(parse_ctx *c, ast_op op, ast_node *lvalue, ast_node *value);
ast_node *parse_pop(parse_ctx *c, const token *name, ast_node *type, int readout);
ast_node *parse_connect(parse_ctx *c, ast_node *from, ast_node *to,
                        ast_node *options, int feedback);
ast_node *parse_phase(parse_ctx *c, const token *name, ast_node *dur,
                      ast_node *items);
ast_node *parse_pulse(parse_ctx *c, const token *k, ast_node *target, ast_node *value,
                      ast_node *onset, ast_node *width);
ast_node *parse_for(parse_ctx *c, const token *var, ast_node *from,
                    ast_node *to, ast_node *items);
ast_node *parse_if(parse_ctx *c, const token *k, ast_node *cond, ast_node *then_items,
                   ast_node *else_items);
ast_node *parse_run(parse_ctx *c, ast_kind kind, const token *net,
                    ast_node *task, ast_node *settings);
ast_node *parse_setting(parse_ctx *c, const token *name, ast_node *values);
ast_node *parse_arrow(parse_ctx *c, ast_node *from, ast_node *to);
ast_node *parse_paren(ast_node *inner, const token *open, const token *close);
ast_node *parse_binary(parse_ctx *c, int op, ast_node *lhs, ast_node *rhs);
ast_node *parse_unary(parse_ctx *c, int op, const token *k, ast_node *operand);
ast_node *parse_member(parse_ctx *c, ast_node *object, const token *member);
ast_node *parse_index(parse_ctx *c, ast_node *object, ast_node *index, const token *close);
ast_node *parse_number(parse_ctx *c, const token *n, const token *unit);
ast_node *parse_call(parse_ctx *c, const token *name, ast_node *args, const token *close);
ast_node *parse_slice(parse_ctx *c, const token *colon, ast_node *from, ast_node *to);

/* The lexer (grammar/lexer.re). */
typedef struct lexer {
    arena *arena;
    diag_ctx *diag;
    uint32_t file;
    const char *cur, *end, *marker, *ctxmarker;
    const char *line_start;
    uint32_t line;
} lexer;

void lex_init(lexer *L, arena *a, diag_ctx *d, uint32_t file, const char *text, size_t size);
/* The next token's type (0 at the end); lexical errors are reported and skipped. */
int lex_next(lexer *L, token *t);
int lex_is_keyword(const char *word);

#endif
