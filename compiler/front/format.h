/* format.h -- rnnc fmt: a parsed .rnn file in the canonical layout.
 *
 * The layout (docs/language.md, section "rnnc fmt"): two spaces of
 * indentation per block; one statement per line, except in a block opened
 * and closed on one line, whose statements stay there separated by "; ";
 * one space around binary operators and after commas, none inside brackets;
 * the first words of a network's and of a run's statements, and a task's
 * 'input' and 'target', aligned in columns; the author's line breaks inside
 * a long statement kept, with the continuation aligned. Comments stay where
 * they are; blank lines between statements are kept, at most one.
 */
#ifndef RNNC_FORMAT_H
#define RNNC_FORMAT_H

#include <stddef.h>

#include "ast.h"
#include "diag.h"

/* The text of file FILE of DC's source table in the canonical layout: a
 * NUL-terminated string from malloc (the caller frees it), its length in
 * *LEN. TREE is the file's syntax tree from parse_file, which must have
 * parsed without errors: the formatter asks it which keywords stand as
 * names. A comes from the same compilation (the lexer interns into it). */
char *format_source(arena *a, diag_ctx *dc, uint32_t file, const ast_node *tree, size_t *len);

/* Whether two syntax trees are the same apart from source locations (and
 * the file's path, the name of an AST_FILE). */
int format_same_tree(const ast_node *x, const ast_node *y);

#endif
