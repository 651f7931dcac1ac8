/* grammar/parser.y -- the .rnn grammar (Lemon).
 *
 * Every action is one call to a builder in compiler/parse_driver.c or compiler/ast.c.
 * Nodes live in the compilation's arena, so no nonterminal owns memory that
 * error recovery could leak: that is why there are no %destructor lines.
 * Statements are separated by SEP, which the driver makes from ';' and from
 * the newlines that end a statement (see compiler/parse_driver.c).
 */

%include {
#include <assert.h>
#include <stdlib.h>
#include "parse_driver.h"
}

%name rnnParse
%token_prefix TK_
%token_type {token}
%default_type {ast_node *}
%extra_argument {parse_ctx *ctx}
/* The stack is heap memory; expression depth has its own, lower limit
 * (AST_MAX_DEPTH), so this bounds only long chains such as else-if arms. */
%stack_size 10000
%stack_overflow { parse_stack_overflow(ctx); }
%syntax_error { parse_syntax_error(ctx, yymajor, &TOKEN); }

/* Soft keywords: where the keyword cannot stand, they are plain names, so a
 * neuron may have a state called 'phase' or a parameter called 'duration'. */
/* UNIT is an identifier right after a number ('30 ms'); the driver makes it,
 * so a keyword after a number ('at 10 for 5') is never taken for a unit. */
%token UNIT.

%fallback IDENT STATE OUTPUT LET SPIKE WHEN RESET REFRACTORY SURROGATE METHOD POP READOUT
          FEEDBACK TRACE PRE POST ON TARGET DURATION DRAW FROZEN PHASE PULSE AT
          ACCURACY CONDITION EVERY FUNCTION.

%left OR.
%left AND.
%right NOT.
%nonassoc EQ NE LT LE GT GE.
%left PLUS MINUS.
%left STAR SLASH PERCENT.
%right UMINUS.
%right CARET.

//////////////////////// A file: top-level blocks ////////////////////////////

file ::= toplevels.

toplevels ::= toplevel_opt.
toplevels ::= toplevels SEP toplevel_opt.

toplevel_opt ::= .
toplevel_opt ::= toplevel(T).           { parse_toplevel(ctx, T); }
toplevel_opt ::= error.

//////////////////////// import and param ///////////////////////////////////

toplevel(A) ::= IMPORT dotted(D).    { A = parse_import(ctx, D); }
toplevel(A) ::= PARAM(K) bindings(B).   { A = parse_retag(B, AST_PARAM, K.loc); }

dotted(A) ::= IDENT(I).                 { A = ast_leaf(ctx->arena, AST_NAME, &I); }
dotted(A) ::= PLASTICITY(I).            { A = ast_leaf(ctx->arena, AST_NAME, &I); }   /* import plasticity.stdp */
dotted(A) ::= dotted(D) DOT IDENT(I).   { A = parse_dotted(ctx, D, &I); }

bindings(A) ::= binding(B).             { A = parse_list(ctx, B); }
bindings(A) ::= bindings(L) COMMA binding(B).   { A = ast_add(L, B); }
binding(A) ::= IDENT(I) ASSIGN expr(E). { A = parse_named(ctx, AST_BINDING, &I, E); }

header_params(A) ::= .                  { A = parse_empty(ctx, AST_PARAMLIST); }
header_params(A) ::= LPAREN(L) RPAREN.  { A = ast_new(ctx->arena, AST_PARAMLIST, L.loc); }
header_params(A) ::= LPAREN(L) bindings(B) RPAREN.
                                        { A = parse_retag(B, AST_PARAMLIST, L.loc); }

//////////////////////// function /////////////////////////////////////////

toplevel(A) ::= FUNCTION IDENT(N) LPAREN names(P) RPAREN ASSIGN expr(E).
                                        { A = parse_function(ctx, &N, P, E); }
toplevel(A) ::= FUNCTION IDENT(N) LPAREN RPAREN ASSIGN expr(E).
                                        { A = parse_function(ctx, &N, NULL, E); }

//////////////////////// The neuron block ///////////////////////////////////

toplevel(A) ::= NEURON IDENT(N) header_params(P) LBRACE neuron_items(I) RBRACE.
                                        { A = parse_def(ctx, AST_NEURON, &N, P, I); }

neuron_items(A) ::= neuron_item_opt(I). { A = parse_list(ctx, I); }
neuron_items(A) ::= neuron_items(L) SEP neuron_item_opt(I).  { A = ast_add(L, I); }
neuron_item_opt(A) ::= .                { A = NULL; }
neuron_item_opt(A) ::= neuron_item(I).  { A = I; }
neuron_item_opt(A) ::= error.           { A = NULL; }

neuron_item(A) ::= PARAM(K) bindings(B).    { A = parse_retag(B, AST_PARAM, K.loc); }
neuron_item(A) ::= STATE(K) bindings(B).    { A = parse_retag(B, AST_STATE, K.loc); }
neuron_item(A) ::= INPUT(K) names(B).       { A = parse_retag(B, AST_INPUT, K.loc); }
neuron_item(A) ::= OUTPUT(K) bindings(B).   { A = parse_retag(B, AST_OUTPUT, K.loc); }
neuron_item(A) ::= OUTPUT(K) IDENT(I).      { A = parse_output_self(ctx, &K, &I); }
neuron_item(A) ::= LET(K) bindings(B).      { A = parse_retag(B, AST_LET, K.loc); }
neuron_item(A) ::= DERIV(D) ASSIGN expr(E). { A = parse_named(ctx, AST_ODE, &D, E); }
neuron_item(A) ::= IDENT(I) LARROW expr(E). { A = parse_named(ctx, AST_UPDATE, &I, E); }
neuron_item(A) ::= SPIKE IDENT(I) WHEN expr(E).  { A = parse_named(ctx, AST_SPIKE, &I, E); }
neuron_item(A) ::= RESET(K) assigns(B).     { A = parse_retag(B, AST_RESET, K.loc); }
neuron_item(A) ::= REFRACTORY(K) expr(E).
                        { A = ast_with(ctx->arena, AST_REFRACTORY, K.loc, E, NULL, NULL); }
neuron_item(A) ::= METHOD IDENT(I).         { A = parse_named(ctx, AST_METHOD, &I, NULL); }
neuron_item(A) ::= SURROGATE IDENT(I) ASSIGN expr(E).
                                            { A = parse_named(ctx, AST_SURROGATE, &I, E); }

names(A) ::= IDENT(I).                  { A = parse_list(ctx, ast_leaf(ctx->arena, AST_NAME, &I)); }
names(A) ::= names(L) COMMA IDENT(I).   { A = ast_add(L, ast_leaf(ctx->arena, AST_NAME, &I)); }

assigns(A) ::= assign(B).               { A = parse_list(ctx, B); }
assigns(A) ::= assigns(L) COMMA assign(B).  { A = ast_add(L, B); }

assign(A) ::= lvalue(L) ASSIGN expr(E).     { A = parse_assign(ctx, OP_SET, L, E); }
assign(A) ::= lvalue(L) PLUSEQ expr(E).     { A = parse_assign(ctx, OP_ADD_SET, L, E); }
assign(A) ::= lvalue(L) MINUSEQ expr(E).    { A = parse_assign(ctx, OP_SUB_SET, L, E); }
assign(A) ::= lvalue(L) STAREQ expr(E).     { A = parse_assign(ctx, OP_MUL_SET, L, E); }

lvalue(A) ::= IDENT(I).                 { A = ast_leaf(ctx->arena, AST_LVALUE, &I); }
lvalue(A) ::= IDENT(I) LBRACKET index(X) RBRACKET.
                                        { A = ast_add(ast_leaf(ctx->arena, AST_LVALUE, &I), X); }

//////////////////////// The network block //////////////////////////////////

toplevel(A) ::= NETWORK IDENT(N) header_params(P) LBRACE network_items(I) RBRACE.
                                        { A = parse_def(ctx, AST_NETWORK, &N, P, I); }

network_items(A) ::= network_item_opt(I).   { A = parse_list(ctx, I); }
network_items(A) ::= network_items(L) SEP network_item_opt(I).  { A = ast_add(L, I); }
network_item_opt(A) ::= .               { A = NULL; }
network_item_opt(A) ::= network_item(I).    { A = I; }
network_item_opt(A) ::= error.          { A = NULL; }

network_item(A) ::= PARAM(K) bindings(B).   { A = parse_retag(B, AST_PARAM, K.loc); }
network_item(A) ::= INPUT(K) channels(C).   { A = parse_channels(C, OP_INPUT, K.loc); }
network_item(A) ::= POP IDENT(I) COLON typeref(T).     { A = parse_pop(ctx, &I, T, 0); }
network_item(A) ::= READOUT IDENT(I) COLON typeref(T). { A = parse_pop(ctx, &I, T, 1); }
network_item(A) ::= CONNECT endpoint(F) ARROW endpoint(T) conn_options(O).
                                        { A = parse_connect(ctx, F, T, O, 0); }
network_item(A) ::= FEEDBACK endpoint(F) ARROW endpoint(T) conn_options(O).
                                        { A = parse_connect(ctx, F, T, O, 1); }

channels(A) ::= channel(C).             { A = parse_list(ctx, C); }
channels(A) ::= channels(L) COMMA channel(C).   { A = ast_add(L, C); }
channel(A) ::= IDENT(I) LBRACKET expr(E) RBRACKET.  { A = parse_named(ctx, AST_CHANNEL, &I, E); }
channel(A) ::= IDENT(I).                { A = parse_named(ctx, AST_CHANNEL, &I, NULL); }

typeref(A) ::= IDENT(I) LBRACKET expr(E) RBRACKET.
                                        { A = parse_named(ctx, AST_TYPEREF, &I, E); }
typeref(A) ::= IDENT(I) LBRACKET expr(E) RBRACKET LPAREN args_opt(R) RPAREN.
                                { A = ast_add(parse_named(ctx, AST_TYPEREF, &I, E), R); }

endpoint(A) ::= IDENT(I).               { A = ast_leaf(ctx->arena, AST_ENDPOINT, &I); }
endpoint(A) ::= IDENT(I) DOT IDENT(P).
                { A = ast_add(ast_leaf(ctx->arena, AST_ENDPOINT, &I), ast_leaf(ctx->arena, AST_NAME, &P)); }

conn_options(A) ::= .                   { A = NULL; }
conn_options(A) ::= COLON options(O).   { A = O; }
options(A) ::= option(O).               { A = parse_list(ctx, O); }
options(A) ::= options(L) COMMA option(O).  { A = ast_add(L, O); }

option(A) ::= IDENT(I).                 { A = ast_leaf(ctx->arena, AST_OPTION, &I); }
option(A) ::= IDENT(I) LPAREN args_opt(R) RPAREN.
                                        { A = ast_add(ast_leaf(ctx->arena, AST_OPTION, &I), R); }
option(A) ::= IDENT(I) optval(V).       { A = parse_named(ctx, AST_OPTION, &I, V); }
option(A) ::= PLASTICITY(I) optval(V).  { A = parse_named(ctx, AST_OPTION, &I, V); }

/* An option's value: a literal, a name or a call, never a bare '(' which
 * would read as the option's own argument list. */
optval(A) ::= NUMBER(N).                { A = parse_number(ctx, &N, NULL); }
optval(A) ::= NUMBER(N) UNIT(U).       { A = parse_number(ctx, &N, &U); }
optval(A) ::= MINUS(M) NUMBER(N).       { A = ast_unary(ctx->arena, OP_NEG, M.loc, parse_number(ctx, &N, NULL)); }
optval(A) ::= MINUS(M) NUMBER(N) UNIT(U).  { A = ast_unary(ctx->arena, OP_NEG, M.loc, parse_number(ctx, &N, &U)); }
optval(A) ::= STRING(S).                { A = ast_leaf(ctx->arena, AST_STR, &S); }
optval(A) ::= IDENT(I).                 { A = ast_leaf(ctx->arena, AST_NAME, &I); }
optval(A) ::= IDENT(I) LPAREN args_opt(R) RPAREN(P).  { A = parse_call(ctx, &I, R, &P); }

//////////////////////// The plasticity block ///////////////////////////////

toplevel(A) ::= PLASTICITY IDENT(N) header_params(P) LBRACE plast_items(I) RBRACE.
                                        { A = parse_def(ctx, AST_PLASTICITY, &N, P, I); }

plast_items(A) ::= plast_item_opt(I).   { A = parse_list(ctx, I); }
plast_items(A) ::= plast_items(L) SEP plast_item_opt(I).  { A = ast_add(L, I); }
plast_item_opt(A) ::= .                 { A = NULL; }
plast_item_opt(A) ::= plast_item(I).    { A = I; }
plast_item_opt(A) ::= error.            { A = NULL; }

plast_item(A) ::= PARAM(K) bindings(B).     { A = parse_retag(B, AST_PARAM, K.loc); }
plast_item(A) ::= LET(K) bindings(B).       { A = parse_retag(B, AST_LET, K.loc); }
plast_item(A) ::= TRACE(K) bindings(B).     { A = parse_retag(B, AST_TRACE, K.loc); }   /* per synapse */
plast_item(A) ::= TRACE(K) PRE bindings(B). { A = parse_side(parse_retag(B, AST_TRACE, K.loc), OP_PRE); }
plast_item(A) ::= TRACE(K) POST bindings(B).{ A = parse_side(parse_retag(B, AST_TRACE, K.loc), OP_POST); }
plast_item(A) ::= DERIV(D) ASSIGN expr(E).  { A = parse_named(ctx, AST_ODE, &D, E); }
plast_item(A) ::= IDENT(I) LARROW expr(E).  { A = parse_named(ctx, AST_UPDATE, &I, E); }
plast_item(A) ::= IDENT(I) ASSIGN expr(E).
                { A = parse_assign(ctx, OP_SET, ast_leaf(ctx->arena, AST_LVALUE, &I), E); }
plast_item(A) ::= ON(K) PRE LBRACE assign_items(B) RBRACE.
                                        { A = parse_side(parse_retag(B, AST_ON, K.loc), OP_PRE); }
plast_item(A) ::= ON(K) POST LBRACE assign_items(B) RBRACE.
                                        { A = parse_side(parse_retag(B, AST_ON, K.loc), OP_POST); }

assign_items(A) ::= assign_opt(I).      { A = parse_list(ctx, I); }
assign_items(A) ::= assign_items(L) SEP assign_opt(I).  { A = ast_add(L, I); }
assign_opt(A) ::= .                     { A = NULL; }
assign_opt(A) ::= assign(I).            { A = I; }
assign_opt(A) ::= error.                { A = NULL; }

//////////////////////// The task block /////////////////////////////////////

toplevel(A) ::= TASK IDENT(N) header_params(P) LBRACE task_items(I) RBRACE.
                                        { A = parse_def(ctx, AST_TASK, &N, P, I); }

task_items(A) ::= task_item_opt(I).     { A = parse_list(ctx, I); }
task_items(A) ::= task_items(L) SEP task_item_opt(I).  { A = ast_add(L, I); }
task_item_opt(A) ::= .                  { A = NULL; }
task_item_opt(A) ::= task_item(I).      { A = I; }
task_item_opt(A) ::= error.             { A = NULL; }

task_item(A) ::= PARAM(K) bindings(B).      { A = parse_retag(B, AST_PARAM, K.loc); }
task_item(A) ::= INPUT(K) channels(C).      { A = parse_channels(C, OP_INPUT, K.loc); }
task_item(A) ::= TARGET(K) channels(C).     { A = parse_channels(C, OP_TARGET, K.loc); }
task_item(A) ::= DURATION(K) expr(E).
                        { A = ast_with(ctx->arena, AST_DURATION, K.loc, E, NULL, NULL); }
task_item(A) ::= DRAW(K) bindings(B).       { A = parse_retag(B, AST_DRAW, K.loc); }
task_item(A) ::= LET(K) bindings(B).        { A = parse_retag(B, AST_LET, K.loc); }
task_item(A) ::= FROZEN(K) LBRACE task_items(B) RBRACE.  { A = parse_retag(B, AST_FROZEN, K.loc); }
task_item(A) ::= PHASE IDENT(N) expr(E) LBRACE task_items(B) RBRACE.
                                        { A = parse_phase(ctx, &N, E, B); }
task_item(A) ::= PHASE IDENT(N) LBRACE task_items(B) RBRACE.
                                        { A = parse_phase(ctx, &N, NULL, B); }
task_item(A) ::= PULSE(K) lvalue(L) ASSIGN expr(V) AT expr(T) FOR expr(W).
                                        { A = parse_pulse(ctx, &K, L, V, T, W); }
task_item(A) ::= assign(S).             { A = S; }
task_item(A) ::= FOR IDENT(I) IN expr(F) DOTDOT expr(T) LBRACE task_items(B) RBRACE.
                                        { A = parse_for(ctx, &I, F, T, B); }
task_item(A) ::= if_item(I).            { A = I; }
task_item(A) ::= ACCURACY(K) expr(E).
                        { A = ast_with(ctx->arena, AST_ACCURACY, K.loc, E, NULL, NULL); }
task_item(A) ::= ACCURACY(K) expr(E) IN IDENT(P).
  { A = ast_with(ctx->arena, AST_ACCURACY, K.loc, E, ast_leaf(ctx->arena, AST_NAME, &P), NULL); }
task_item(A) ::= CONDITION(K) expr(E).
                        { A = ast_with(ctx->arena, AST_CONDITION, K.loc, E, NULL, NULL); }

if_item(A) ::= IF(K) expr(C) LBRACE task_items(B) RBRACE.
                                        { A = parse_if(ctx, &K, C, B, NULL); }
if_item(A) ::= IF(K) expr(C) LBRACE task_items(B) RBRACE ELSE LBRACE task_items(E) RBRACE.
                                        { A = parse_if(ctx, &K, C, B, E); }
if_item(A) ::= IF(K) expr(C) LBRACE task_items(B) RBRACE ELSE if_item(E).
                                        { A = parse_if(ctx, &K, C, B, parse_list(ctx, E)); }

//////////////////////// train and evaluate /////////////////////////////////

toplevel(A) ::= TRAIN IDENT(N) ON taskref(T) settings_block(S).
                                        { A = parse_run(ctx, AST_TRAIN, &N, T, S); }
toplevel(A) ::= EVALUATE IDENT(N) ON taskref(T) settings_block(S).
                                        { A = parse_run(ctx, AST_EVALUATE, &N, T, S); }

taskref(A) ::= IDENT(I).                { A = ast_leaf(ctx->arena, AST_NAME, &I); }
taskref(A) ::= IDENT(I) LPAREN args_opt(R) RPAREN(P).  { A = parse_call(ctx, &I, R, &P); }

settings_block(A) ::= .                 { A = NULL; }
settings_block(A) ::= LBRACE settings(S) RBRACE.    { A = S; }
settings(A) ::= setting_opt(I).         { A = parse_list(ctx, I); }
settings(A) ::= settings(L) SEP setting_opt(I).     { A = ast_add(L, I); }
setting_opt(A) ::= .                    { A = NULL; }
setting_opt(A) ::= setting(I).          { A = I; }
setting_opt(A) ::= error.               { A = NULL; }

setting(A) ::= IDENT(I).                { A = ast_leaf(ctx->arena, AST_SETTING, &I); }
setting(A) ::= IDENT(I) setting_values(V).  { A = parse_setting(ctx, &I, V); }
setting_values(A) ::= expr(E).          { A = parse_list(ctx, E); }
setting_values(A) ::= setting_values(L) COMMA expr(E).  { A = ast_add(L, E); }

//////////////////////// record and analyze /////////////////////////////////

toplevel(A) ::= RECORD(K) record_items(R).  { A = parse_retag(R, AST_RECORD, K.loc); }
toplevel(A) ::= RECORD(K) record_items(R) EVERY(E) expr(X).
    { A = ast_add(parse_retag(R, AST_RECORD, K.loc), ast_with(ctx->arena, AST_EVERY, E.loc, X, NULL, NULL)); }
toplevel(A) ::= RECORD(K) record_items(R) IN IDENT(T).
    { A = ast_add(parse_retag(R, AST_RECORD, K.loc), ast_leaf(ctx->arena, AST_IN_TRAINING, &T)); }
toplevel(A) ::= RECORD(K) record_items(R) EVERY(E) expr(X) IN IDENT(T).
    { A = ast_add(ast_add(parse_retag(R, AST_RECORD, K.loc), ast_with(ctx->arena, AST_EVERY, E.loc, X, NULL, NULL)),
                  ast_leaf(ctx->arena, AST_IN_TRAINING, &T)); }
record_items(A) ::= record_item(I).     { A = parse_list(ctx, I); }
record_items(A) ::= record_items(L) COMMA record_item(I).  { A = ast_add(L, I); }
record_item(A) ::= expr(E).             { A = E; }
record_item(A) ::= expr(F) ARROW expr(T).   { A = parse_arrow(ctx, F, T); }

toplevel(A) ::= ANALYZE(K) analyze_items(R).    { A = parse_retag(R, AST_ANALYZE, K.loc); }
analyze_items(A) ::= expr(E).           { A = parse_list(ctx, E); }
analyze_items(A) ::= analyze_items(L) COMMA expr(E).  { A = ast_add(L, E); }

//////////////////////// Expressions ////////////////////////////////////////

expr(A) ::= expr(L) OR expr(R).         { A = parse_binary(ctx, OP_OR, L, R); }
expr(A) ::= expr(L) AND expr(R).        { A = parse_binary(ctx, OP_AND, L, R); }
expr(A) ::= NOT(K) expr(E).             { A = parse_unary(ctx, OP_NOT, &K, E); }
expr(A) ::= expr(L) EQ expr(R).         { A = parse_binary(ctx, OP_EQ, L, R); }
expr(A) ::= expr(L) NE expr(R).         { A = parse_binary(ctx, OP_NE, L, R); }
expr(A) ::= expr(L) LT expr(R).         { A = parse_binary(ctx, OP_LT, L, R); }
expr(A) ::= expr(L) LE expr(R).         { A = parse_binary(ctx, OP_LE, L, R); }
expr(A) ::= expr(L) GT expr(R).         { A = parse_binary(ctx, OP_GT, L, R); }
expr(A) ::= expr(L) GE expr(R).         { A = parse_binary(ctx, OP_GE, L, R); }
expr(A) ::= expr(L) PLUS expr(R).       { A = parse_binary(ctx, OP_ADD, L, R); }
expr(A) ::= expr(L) MINUS expr(R).      { A = parse_binary(ctx, OP_SUB, L, R); }
expr(A) ::= expr(L) STAR expr(R).       { A = parse_binary(ctx, OP_MUL, L, R); }
expr(A) ::= expr(L) SLASH expr(R).      { A = parse_binary(ctx, OP_DIV, L, R); }
expr(A) ::= expr(L) PERCENT expr(R).    { A = parse_binary(ctx, OP_MOD, L, R); }
expr(A) ::= expr(L) CARET expr(R).      { A = parse_binary(ctx, OP_POW, L, R); }
expr(A) ::= MINUS(K) expr(E). [UMINUS]  { A = parse_unary(ctx, OP_NEG, &K, E); }
expr(A) ::= PLUS(K) expr(E). [UMINUS]   { A = parse_unary(ctx, OP_PLUS, &K, E); }
expr(A) ::= postfix(P).                 { A = P; }

postfix(A) ::= primary(P).              { A = P; }
postfix(A) ::= postfix(P) DOT IDENT(I). { A = parse_member(ctx, P, &I); }
postfix(A) ::= postfix(P) LBRACKET index(X) RBRACKET(R).  { A = parse_index(ctx, P, X, &R); }

primary(A) ::= NUMBER(N).               { A = parse_number(ctx, &N, NULL); }
primary(A) ::= NUMBER(N) UNIT(U).      { A = parse_number(ctx, &N, &U); }
primary(A) ::= STRING(S).               { A = ast_leaf(ctx->arena, AST_STR, &S); }
primary(A) ::= IDENT(I).                { A = ast_leaf(ctx->arena, AST_NAME, &I); }
primary(A) ::= IDENT(I) LPAREN args_opt(R) RPAREN(P).  { A = parse_call(ctx, &I, R, &P); }
primary(A) ::= LPAREN(L) expr(E) RPAREN(R).  { A = parse_paren(E, &L, &R); }
primary(A) ::= LBRACKET(K) RBRACKET.    { A = ast_new(ctx->arena, AST_LIST, K.loc); }
primary(A) ::= LBRACKET(K) list_items(L) RBRACKET.  { A = parse_retag(L, AST_LIST, K.loc); }

list_items(A) ::= expr(E).              { A = parse_list(ctx, E); }
list_items(A) ::= list_items(L) COMMA expr(E).  { A = ast_add(L, E); }

index(A) ::= expr(E).                   { A = E; }
index(A) ::= expr(F) COLON(C) expr(T).  { A = parse_slice(ctx, &C, F, T); }
index(A) ::= expr(F) COLON(C).          { A = parse_slice(ctx, &C, F, NULL); }
index(A) ::= COLON(C) expr(T).          { A = parse_slice(ctx, &C, NULL, T); }
index(A) ::= COLON(C).                  { A = parse_slice(ctx, &C, NULL, NULL); }

args_opt(A) ::= .                       { A = parse_empty(ctx, AST_ARGS); }
args_opt(A) ::= args(L).                { A = L; }
args(A) ::= arg(E).                     { A = parse_retag(parse_list(ctx, E), AST_ARGS, E->loc); }
args(A) ::= args(L) COMMA arg(E).       { A = ast_add(L, E); }
arg(A) ::= expr(E).                     { A = E; }
arg(A) ::= IDENT(I) ASSIGN expr(E).     { A = parse_named(ctx, AST_NAMEDARG, &I, E); }
arg(A) ::= expr(F) ARROW expr(T).       { A = parse_arrow(ctx, F, T); }
