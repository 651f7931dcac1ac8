/* format.c -- rnnc fmt: the canonical layout of a .rnn file (see format.h).
 *
 * The formatter works on the token stream, not on the tree: the tree keeps
 * no parentheses, comments or line breaks, the tokens keep everything, so
 * no token can be lost and a number stays as it was written. The lexer
 * gives the tokens; the comments are the text between them. The tree adds
 * what the tokens do not say: which soft keywords stand as names (a
 * function called 'trace' is written 'trace(x)') and which '-' is unary.
 *
 * The passes over the items (tokens and comments), in order:
 *   read_items      the tokens, the comments, the line breaks before each;
 *   mark_from_tree  names and unary operators, from the syntax tree;
 *   shape_blocks    '{' and 'else' joined to their line; one statement a
 *                   line in a block of several lines; needless ';' dropped;
 *   mark_statements where each statement starts (the driver's rule);
 *   align_columns   the padding that lines up a block's first words;
 *   emit            the lines: indentation, spaces, continuations, comments.
 */
#include "format.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "parse_driver.h"
#include "parser.h"

enum {
    TK_COMMENT = -1,
    INDENT = 2,            /* spaces per block */
    HANGING_INDENT = 4,    /* after an opening bracket that ends its line */
    COMMENT_GAP = 2,       /* before a trailing comment moved by longer code */
};

typedef struct item {
    int type;              /* TK_*, or TK_COMMENT */
    const char *text;      /* in the source text */
    uint32_t len;
    uint32_t line, col;    /* source position (byte column from 1) */
    uint32_t src_column;   /* a comment's display column in its source line, from 0 */
    int breaks;            /* line breaks before it: 0, 1, or 2 for a blank line */
    int match;             /* a brace's partner */
    int run;               /* the aligned column it belongs to, or -1 */
    int pad;               /* spaces after it that align that column */
    bool name;             /* an identifier, or a keyword that stands as one */
    bool unary;            /* a unary '-' or '+' */
    bool before_value;     /* a name followed by a value, not by its arguments */
    bool dropped;          /* a ';' the layout does not need */
    bool one_line;         /* a '{' whose block stays on one line */
    bool stmt;             /* the first token of a statement */
} item;

typedef struct items {
    item *v;
    size_t n, cap;
} items;

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t cap2 = *cap ? *cap * 2 : 256;
    while (cap2 < need)
        cap2 *= 2;
    p = realloc(p, cap2 * size);
    if (!p)
        arena_out_of_memory();
    *cap = cap2;
    return p;
}

static size_t display_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;   /* UTF-8 continuation bytes take no column */
    return w;
}

static bool is_code(const item *x)
{
    return x->type != TK_COMMENT;
}

/* ---------------------------------------------------------------- reading */

static item *push_item(items *it, int type, const char *text, size_t len, int breaks)
{
    it->v = grow(it->v, &it->cap, it->n + 1, sizeof *it->v);
    item *x = &it->v[it->n++];
    memset(x, 0, sizeof *x);
    x->type = type;
    x->text = text;
    x->len = (uint32_t)len;
    x->breaks = breaks;
    x->match = -1;
    x->run = -1;
    return x;
}

/* The display column of P in its line (a tab goes to the next multiple of 8). */
static uint32_t source_column(const char *line_start, const char *p)
{
    size_t col = 0;
    for (const char *q = line_start; q < p; q++)
        col = *q == '\t' ? (col / 8 + 1) * 8 : col + (((unsigned char)*q & 0xC0) != 0x80);
    return (uint32_t)col;
}

/* The comment in the gap FROM..TO before a token on line LINE that starts
 * at LINE_START, if there is one: it runs to the end of the gap. */
static void read_gap(items *it, const char *from, const char *to, uint32_t line,
                     const char *line_start, int *breaks)
{
    const char *hash = memchr(from, '#', (size_t)(to - from));
    if (!hash)
        return;
    size_t n = (size_t)(to - hash);
    while (n > 1 && strchr(" \t\v\f", hash[n - 1]))
        n--;
    item *c = push_item(it, TK_COMMENT, hash, n, *breaks);
    c->line = line;
    c->col = (uint32_t)(hash - line_start) + 1;
    c->src_column = source_column(line_start, hash);
    *breaks = 0;
}

static void read_items(items *it, lexer *L)
{
    token t;
    int type, breaks = 0;
    const char *prev_end = L->cur;
    while ((type = lex_next(L, &t)) != 0) {
        const char *start = L->cur - t.loc.len;
        read_gap(it, prev_end, start, t.loc.line, start - (t.loc.col - 1), &breaks);
        prev_end = L->cur;
        if (type == TK_SEP && t.num == 1) {
            breaks += breaks < 2;
            continue;
        }
        item *x = push_item(it, type, start, t.loc.len, breaks);
        x->line = t.loc.line;
        x->col = t.loc.col;
        /* a keyword after '.' is a member's or a module's name */
        x->name = type == TK_IDENT || (it->n > 1 && x[-1].type == TK_DOT);
        breaks = 0;
    }
    read_gap(it, prev_end, L->cur, t.loc.line, L->cur - (t.loc.col - 1), &breaks);
}

/* ---------------------------------------------------------------- the tree */

static item *find_item(items *it, src_loc loc)
{
    size_t lo = 0, hi = it->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const item *x = &it->v[mid];
        if (x->line < loc.line || (x->line == loc.line && x->col < loc.col))
            lo = mid + 1;
        else
            hi = mid;
    }
    item *x = lo < it->n ? &it->v[lo] : NULL;
    return x && x->line == loc.line && x->col == loc.col ? x : NULL;
}

/* Kinds whose location is the token of their name. */
static bool located_at_name(ast_kind kind)
{
    switch (kind) {
    case AST_NAME: case AST_CALL: case AST_LVALUE: case AST_CHANNEL: case AST_TYPEREF:
    case AST_OPTION: case AST_FUNCTION: case AST_NEURON: case AST_NETWORK:
    case AST_PLASTICITY: case AST_TASK: case AST_BINDING: case AST_NAMEDARG:
    case AST_SETTING: case AST_ENDPOINT: case AST_POP: case AST_PHASE: case AST_FOR:
        return true;
    default:
        return false;
    }
}

static void mark_from_tree(items *it, const ast_node *n)
{
    for (; n; n = n->next) {
        item *x = find_item(it, n->loc);
        if (x && located_at_name((ast_kind)n->kind))
            x->name = true;
        /* a unary node starts at its operator (unless a '(' moved it there) */
        if (x && n->kind == AST_UNARY && (x->type == TK_MINUS || x->type == TK_PLUS))
            x->unary = true;
        mark_from_tree(it, n->first);
    }
}

/* ---------------------------------------------------------------- blocks */

static void match_braces(items *it)
{
    int *open = malloc((it->n + 1) * sizeof *open), depth = 0;
    if (!open)
        arena_out_of_memory();
    for (size_t i = 0; i < it->n; i++) {
        if (it->v[i].type == TK_LBRACE)
            open[depth++] = (int)i;
        else if (it->v[i].type == TK_RBRACE && depth > 0) {
            it->v[i].match = open[--depth];
            it->v[open[depth]].match = (int)i;
        }
    }
    free(open);
}

/* A '{' or 'else' on a line of its own goes up to the line before, unless
 * a comment ends that line; a block then stays on one line when its
 * braces are on one line. */
static void join_and_measure(items *it)
{
    for (size_t i = 1; i < it->n; i++) {
        item *x = &it->v[i];
        if ((x->type == TK_LBRACE || x->type == TK_ELSE) && x->breaks && is_code(x - 1))
            x->breaks = 0;
    }
    for (size_t i = 0; i < it->n; i++) {
        item *x = &it->v[i];
        if (x->type != TK_LBRACE || x->match < 0)
            continue;
        if ((size_t)x->match == i + 1)
            it->v[i + 1].breaks = 0;   /* an empty block is '{}' */
        x->one_line = true;
        for (int k = (int)i + 1; k <= x->match && x->one_line; k++)
            x->one_line = it->v[k].breaks == 0;
    }
}

/* The next item after I that is not dropped, or NULL. */
static item *next_kept(items *it, size_t i)
{
    for (size_t k = i + 1; k < it->n; k++)
        if (!it->v[k].dropped)
            return &it->v[k];
    return NULL;
}

/* A ';' in a block of one line separates statements, once; elsewhere it
 * becomes a line break. */
static void place_semicolon(items *it, size_t i, bool one_line, const item *prev)
{
    item *x = &it->v[i], *next = next_kept(it, i);
    if (!one_line) {
        x->dropped = true;
        if (next && is_code(next) && next->breaks == 0)
            next->breaks = 1;
        return;
    }
    x->dropped = !prev || prev->type == TK_LBRACE || prev->type == TK_SEP || !next ||
                 next->type == TK_RBRACE || next->type == TK_SEP;
}

/* The first line of a block of several lines holds only its '{' (and a
 * comment); its '}' starts a line; no blank line opens or closes it. */
static void open_block_lines(items *it, size_t i)
{
    item *x = &it->v[i];
    size_t k = i + 1;
    if (k < it->n && !is_code(&it->v[k]) && it->v[k].breaks == 0)
        k++;   /* the '{' line's own comment */
    if (k < it->n)
        it->v[k].breaks = 1;
    if (x->match >= 0)
        it->v[x->match].breaks = 1;
}

static void shape_blocks(items *it)
{
    match_braces(it);
    join_and_measure(it);
    bool *one_line = malloc((it->n + 2) * sizeof *one_line);
    if (!one_line)
        arena_out_of_memory();
    int depth = 0;
    one_line[0] = false;   /* the file's top level */
    const item *prev = NULL;
    for (size_t i = 0; i < it->n; i++) {
        item *x = &it->v[i];
        if (x->type == TK_LBRACE) {
            one_line[++depth] = x->one_line;
            if (!x->one_line)
                open_block_lines(it, i);
        } else if (x->type == TK_RBRACE && depth > 0) {
            depth--;
        } else if (x->type == TK_SEP) {
            place_semicolon(it, i, one_line[depth], prev);
        }
        if (is_code(x) && !x->dropped)
            prev = x;
    }
    if (it->n)
        it->v[0].breaks = 0;
    free(one_line);
}

/* ---------------------------------------------------------------- statements */

/* The driver's rule: a token starts a statement after '{' or ';', and after
 * a line break outside brackets that the last token does not continue. */
static void mark_statements(items *it)
{
    int brackets = 0;
    const item *prev = NULL;
    for (size_t i = 0; i < it->n; i++) {
        item *x = &it->v[i];
        if (!is_code(x) || x->dropped)
            continue;
        x->stmt = x->type != TK_RBRACE &&
                  (!prev || prev->type == TK_LBRACE || prev->type == TK_SEP ||
                   (x->breaks && brackets == 0 && !parse_continues_line(prev->type) &&
                    x->type != TK_LBRACE && x->type != TK_ELSE));
        if (x->type == TK_LPAREN || x->type == TK_LBRACKET)
            brackets++;
        else if ((x->type == TK_RPAREN || x->type == TK_RBRACKET) && brackets > 0)
            brackets--;
        prev = x;
    }
}

/* ---------------------------------------------------------------- columns */

typedef struct block {
    int owner;             /* the token that began the statement that opened it */
    bool aligned;          /* a block of several lines */
    int run;               /* the column being aligned, or -1 */
} block;

/* Which word of a statement starting at X lines up with the statement
 * above it: 0 the first, 1 the second, -1 none (this statement ends the
 * column), as the shipped models write them. */
static int aligned_word(int owner, const item *x)
{
    switch (owner) {
    case TK_NETWORK: case TK_TRAIN: case TK_EVALUATE:
        return 0;   /* input / pop / readout / connect; a run's settings */
    case TK_TASK:
        return x->type == TK_INPUT || x->type == TK_TARGET ? 0 : -1;
    case TK_PLASTICITY:
        return x->type == TK_TRACE ? 1 : -1;   /* trace pre / trace post */
    default:
        return -1;
    }
}

/* A setting's name and a phase's name are followed by a value: 'noise (a)'
 * is no call and 'clip -1' no subtraction. */
static void mark_names_before_values(items *it, size_t i, int owner)
{
    item *x = &it->v[i], *next = next_kept(it, i);
    if ((owner == TK_TRAIN || owner == TK_EVALUATE) && x->name)
        x->before_value = true;
    if (x->type == TK_PHASE && next && next->breaks == 0)
        next->before_value = true;
}

/* Adds the statement starting at I to its block's aligned column. */
static void align_statement(items *it, size_t i, block *b, int *width, int *runs)
{
    int word = aligned_word(b->owner, &it->v[i]);
    if (!b->aligned || word < 0) {
        b->run = -1;
        return;
    }
    item *w = &it->v[i];
    for (int k = 0; k < word && w; k++) {
        w = next_kept(it, (size_t)(w - it->v));
        if (w && (!is_code(w) || w->breaks))
            w = NULL;
    }
    item *after = w ? next_kept(it, (size_t)(w - it->v)) : NULL;
    if (!after || !is_code(after) || after->breaks)
        return;   /* a word alone on its line: nothing to line up */
    if (b->run < 0) {
        b->run = (*runs)++;
        width[b->run] = 0;
    }
    w->run = b->run;
    int len = (int)display_width(w->text, w->len);
    if (len > width[b->run])
        width[b->run] = len;
}

static void align_columns(items *it)
{
    block *blocks = malloc((it->n + 2) * sizeof *blocks);
    int *width = malloc((it->n + 1) * sizeof *width), runs = 0, depth = 0;
    if (!blocks || !width)
        arena_out_of_memory();
    blocks[0] = (block){.owner = 0, .aligned = false, .run = -1};
    int stmt_first = 0;
    for (size_t i = 0; i < it->n; i++) {
        item *x = &it->v[i];
        if (x->dropped)
            continue;
        if (x->breaks == 2)
            blocks[depth].run = -1;   /* a blank line ends a column */
        if (!is_code(x))
            continue;
        if (x->stmt) {
            stmt_first = x->type;
            mark_names_before_values(it, i, blocks[depth].owner);
            if (x->breaks)   /* it begins a line */
                align_statement(it, i, &blocks[depth], width, &runs);
        }
        if (x->type == TK_LBRACE)
            blocks[++depth] = (block){.owner = stmt_first, .aligned = !x->one_line, .run = -1};
        else if (x->type == TK_RBRACE && depth > 0)
            depth--;
    }
    for (size_t i = 0; i < it->n; i++)
        if (it->v[i].run >= 0)
            it->v[i].pad = width[it->v[i].run] - (int)display_width(it->v[i].text, it->v[i].len);
    free(blocks);
    free(width);
}

/* ---------------------------------------------------------------- writing */

typedef struct open_bracket {
    int type;
    size_t col_after;      /* the column after it */
    size_t line_indent;    /* the indentation of its line */
    bool hanging;          /* nothing follows it on its line */
} open_bracket;

typedef struct emitter {
    char *buf;
    size_t len, cap;
    size_t col;            /* display column in the current line */
    size_t indent;         /* of the current line */
    bool line_has_code;
    const item *comment;   /* the current line's trailing comment */
    const item *prev;      /* the last token written */
    int depth;             /* open braces */
    open_bracket *open;
    int nopen;
    /* the statement being written: where its continuation lines go */
    size_t stmt_indent;
    int stmt_depth, stmt_words;
    bool stmt_first_line, after_assign, after_colon;
    long value_col, second_col, colon_col;
} emitter;

static void put(emitter *e, const char *s, size_t n)
{
    e->buf = grow(e->buf, &e->cap, e->len + n + 1, 1);
    memcpy(e->buf + e->len, s, n);
    e->len += n;
    e->buf[e->len] = '\0';
    e->col += display_width(s, n);
}

static void put_spaces(emitter *e, size_t n)
{
    static const char spaces[] = "                                ";
    for (; n > sizeof spaces - 1; n -= sizeof spaces - 1)
        put(e, spaces, sizeof spaces - 1);
    put(e, spaces, n);
}

static void put_newline(emitter *e)
{
    put(e, "\n", 1);
    e->col = 0;
}

/* A trailing comment keeps its column when the code leaves room for it. */
static void end_line(emitter *e)
{
    if (e->comment) {
        size_t at = e->comment->src_column;
        put_spaces(e, at > e->col ? at - e->col : COMMENT_GAP);
        put(e, e->comment->text, e->comment->len);
        e->comment = NULL;
    }
    while (e->len > 0 && e->buf[e->len - 1] == ' ')
        e->len--;
    put_newline(e);
    e->line_has_code = false;
}

static bool is_assignment(int type)
{
    return type == TK_ASSIGN || type == TK_LARROW || type == TK_PLUSEQ ||
           type == TK_MINUSEQ || type == TK_STAREQ || type == TK_WHEN;
}

/* Where a line that continues a statement starts: after the innermost open
 * bracket; else under the first item of a list the last line's ',' goes
 * on; else under the value after '=' (or '<-', 'when'); else under the
 * statement's second word. */
static size_t continuation_indent(const emitter *e, const item *x)
{
    if (e->nopen > 0) {
        const open_bracket *b = &e->open[e->nopen - 1];
        if (x && (x->type == TK_RPAREN || x->type == TK_RBRACKET))
            return b->line_indent;
        return b->hanging ? b->line_indent + HANGING_INDENT : b->col_after;
    }
    int last = e->prev ? e->prev->type : 0;
    long col = last == TK_COMMA ? (e->colon_col >= 0 ? e->colon_col : e->second_col)
             : e->value_col >= 0 ? e->value_col
             : is_assignment(last) ? -1 : e->second_col;
    return col >= 0 ? (size_t)col : e->stmt_indent + HANGING_INDENT;
}

static void begin_statement(emitter *e)
{
    e->stmt_indent = e->line_has_code ? e->col : e->indent;
    e->stmt_depth = e->depth;
    e->stmt_words = 0;
    e->stmt_first_line = true;
    e->after_assign = e->after_colon = false;
    e->value_col = e->second_col = e->colon_col = -1;
}

static void begin_line(emitter *e, const item *x)
{
    bool continuing = e->nopen > 0 || (e->prev && parse_continues_line(e->prev->type));
    if (!is_code(x))
        e->indent = continuing ? continuation_indent(e, NULL) : (size_t)(INDENT * e->depth);
    else if (x->stmt || x->type == TK_RBRACE)
        e->indent = (size_t)(INDENT * e->depth);
    else if (x->type == TK_LBRACE || x->type == TK_ELSE)
        e->indent = e->stmt_indent;
    else
        e->indent = continuation_indent(e, x);
    if (!x->stmt)
        e->stmt_first_line = false;
    put_spaces(e, e->indent);
}

static bool ends_operand(const item *a)
{
    return (a->name && !a->before_value) || a->type == TK_NUMBER || a->type == TK_STRING ||
           a->type == TK_RPAREN || a->type == TK_RBRACKET;
}

static bool in_brackets(const emitter *e)
{
    return e->nopen > 0 && e->open[e->nopen - 1].type == TK_LBRACKET;
}

/* Spaces between two tokens on a line: one, except around '.' and '^',
 * inside brackets, before ',' and ';', after a unary sign, around a
 * slice's ':', and before the '(' or '[' of a call, an index or a header. */
static int spaces_between(const emitter *e, const item *a, const item *b)
{
    int at = a->type, bt = b->type;
    if (bt == TK_COMMA || bt == TK_SEP)
        return 0;
    if (at == TK_LPAREN || at == TK_LBRACKET || bt == TK_RPAREN || bt == TK_RBRACKET)
        return 0;
    if (at == TK_DOT || bt == TK_DOT || at == TK_CARET || bt == TK_CARET)
        return 0;
    if (a->unary || (at == TK_LBRACE && bt == TK_RBRACE))
        return 0;
    if ((at == TK_COLON || bt == TK_COLON) && in_brackets(e))
        return 0;
    if (bt == TK_LPAREN || bt == TK_LBRACKET)
        return !((a->name && !a->before_value) || at == TK_RPAREN || at == TK_RBRACKET);
    return 1;
}

/* Notes where the statement's continuation lines will line up. */
static void note_columns(emitter *e, const item *x, size_t start_col)
{
    if (!e->stmt_first_line || e->depth != e->stmt_depth || e->nopen > 0)
        return;
    if (++e->stmt_words == 2)
        e->second_col = (long)start_col;
    if (e->after_assign && e->value_col < 0)
        e->value_col = (long)start_col;
    if (e->after_colon && e->colon_col < 0)
        e->colon_col = (long)start_col;
    e->after_assign = is_assignment(x->type) && e->value_col < 0;
    e->after_colon = x->type == TK_COLON && e->colon_col < 0;
}

static void track_brackets(emitter *e, item *x, const item *next)
{
    if (x->type == TK_LPAREN || x->type == TK_LBRACKET) {
        open_bracket *b = &e->open[e->nopen++];
        b->type = x->type;
        b->col_after = e->col;
        b->line_indent = e->indent;
        b->hanging = !next || !is_code(next) || next->breaks;
    } else if ((x->type == TK_RPAREN || x->type == TK_RBRACKET) && e->nopen > 0) {
        e->nopen--;
    } else if (x->type == TK_LBRACE) {
        e->depth++;
    }
}

static void write_token(emitter *e, item *x, const item *next)
{
    if ((x->type == TK_MINUS || x->type == TK_PLUS) && (!e->prev || !ends_operand(e->prev)))
        x->unary = true;
    if (e->line_has_code)
        put_spaces(e, (size_t)(spaces_between(e, e->prev, x) + e->prev->pad));
    if (x->stmt)
        begin_statement(e);
    size_t start_col = e->col;
    put(e, x->text, x->len);
    note_columns(e, x, start_col);
    track_brackets(e, x, next);
    e->prev = x;
    e->line_has_code = true;
}

static void emit(emitter *e, items *it)
{
    bool first = true;
    for (size_t i = 0; i < it->n; i++) {
        item *x = &it->v[i];
        if (x->dropped)
            continue;
        if (x->type == TK_RBRACE && e->depth > 0)
            e->depth--;
        if (!first && x->breaks) {
            end_line(e);
            if (x->breaks == 2)
                put_newline(e);
        }
        if (first || x->breaks)
            begin_line(e, x);
        first = false;
        if (!is_code(x) && e->line_has_code)
            e->comment = x;
        else if (!is_code(x))
            put(e, x->text, x->len);
        else
            write_token(e, x, next_kept(it, i));
    }
    if (!first)
        end_line(e);
}

char *format_source(arena *a, diag_ctx *dc, uint32_t file, const ast_node *tree, size_t *len)
{
    const source_file *f = &dc->sources->files[file];
    lexer L;
    lex_init(&L, a, dc, file, f->text, f->size);
    items it = {0};
    read_items(&it, &L);
    mark_from_tree(&it, tree);
    shape_blocks(&it);
    mark_statements(&it);
    align_columns(&it);
    emitter e = {0};
    e.open = malloc((it.n + 1) * sizeof *e.open);
    if (!e.open)
        arena_out_of_memory();
    put(&e, "", 0);
    emit(&e, &it);
    free(e.open);
    free(it.v);
    *len = e.len;
    return e.buf;
}

int format_same_tree(const ast_node *x, const ast_node *y)
{
    for (; x && y; x = x->next, y = y->next) {
        bool same_name = x->kind == AST_FILE ||   /* its name is its path */
                         x->name == y->name || (x->name && y->name && strcmp(x->name, y->name) == 0);
        bool same_num = x->num == y->num || (x->num != x->num && y->num != y->num);
        if (x->kind != y->kind || x->op != y->op || x->count != y->count || !same_name ||
            !same_num || !format_same_tree(x->first, y->first))
            return 0;
    }
    return x == y;
}
