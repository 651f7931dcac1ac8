/* diag.c -- collecting and printing diagnostics (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void diag_init(diag_ctx *d, arena *a, source_table *sources)
{
    memset(d, 0, sizeof *d);
    d->arena = a;
    d->sources = sources;
    d->max_errors = 50;
}

/* A sink for diagnostics past the limit, so callers can still attach hints;
 * one per thread, as models are checked in several at once (librnnc). */
static _Thread_local diag overflow_sink;

static diag *add(diag_ctx *d, diag_level level, src_loc loc, const char *fmt, va_list ap)
{
    if (level == DIAG_ERROR && d->errors >= d->max_errors) {
        d->errors++;
        return &overflow_sink;
    }
    if (level == DIAG_WARNING && d->warnings >= d->max_errors) {
        d->warnings++;
        return &overflow_sink;
    }
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *msg = arena_alloc(d->arena, (size_t)(n > 0 ? n : 0) + 1);
    vsnprintf(msg, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);

    diag *g = arena_alloc(d->arena, sizeof *g);
    g->level = level;
    g->loc = loc;
    g->message = msg;
    if (d->last)
        d->last->next = g;
    else
        d->first = g;
    d->last = g;
    if (level == DIAG_ERROR)
        d->errors++;
    else if (level == DIAG_WARNING)
        d->warnings++;
    return g;
}

#define DEFINE_LEVEL(fn, level)                                          \
    diag *fn(diag_ctx *d, src_loc loc, const char *fmt, ...)            \
    {                                                                    \
        va_list ap;                                                      \
        va_start(ap, fmt);                                               \
        diag *g = add(d, level, loc, fmt, ap);                           \
        va_end(ap);                                                      \
        return g;                                                        \
    }
DEFINE_LEVEL(diag_error, DIAG_ERROR)

diag *diag_verror(diag_ctx *d, src_loc loc, const char *fmt, va_list ap)
{
    return add(d, DIAG_ERROR, loc, fmt, ap);
}
DEFINE_LEVEL(diag_warning, DIAG_WARNING)
DEFINE_LEVEL(diag_note, DIAG_NOTE)

void diag_hint(diag_ctx *d, diag *g, const char *fmt, ...)
{
    if (g == &overflow_sink)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = arena_alloc(d->arena, (size_t)(n > 0 ? n : 0) + 1);
    va_start(ap, fmt);
    vsnprintf(msg, (size_t)(n > 0 ? n : 0) + 1, fmt, ap);
    va_end(ap);
    g->hint = msg;
}

/* Optimal string alignment distance, capped for speed on long names. */
static unsigned edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 99;
    unsigned prev2[65], prev[65], cur[65];
    for (size_t j = 0; j <= m; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (unsigned)i;
        for (size_t j = 1; j <= m; j++) {
            unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
            unsigned best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (prev[j - 1] + cost < best)
                best = prev[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                prev2[j - 2] + 1 < best)
                best = prev2[j - 2] + 1;
            cur[j] = best;
        }
        memcpy(prev2, prev, sizeof prev);
        memcpy(prev, cur, sizeof cur);
    }
    return prev[m];
}

const char *closest_name(const char *name, const char *const *candidates, unsigned count)
{
    const char *best = NULL;
    unsigned best_distance = 99;
    size_t len = strlen(name);
    /* Allow about one edit per three characters, at least one, at most three. */
    unsigned limit = len < 3 ? 1 : len / 3 > 3 ? 3 : (unsigned)(len / 3);
    for (unsigned i = 0; i < count; i++) {
        if (!candidates[i] || strcmp(candidates[i], name) == 0)
            continue;
        unsigned dist = edit_distance(name, candidates[i]);
        if (dist <= limit && dist < best_distance) {
            best = candidates[i];
            best_distance = dist;
        }
    }
    return best;
}

void diag_suggest(diag_ctx *d, diag *g, const char *name,
                  const char *const *candidates, unsigned count)
{
    if (g == &overflow_sink)
        return;   /* the hint would be dropped: spare the edit distances */
    const char *best = closest_name(name, candidates, count);
    if (best)
        diag_hint(d, g, "did you mean '%s'?", best);
}

static const char *level_name(diag_level level)
{
    switch (level) {
    case DIAG_ERROR: return "error";
    case DIAG_WARNING: return "warning";
    case DIAG_NOTE: return "note";
    }
    return "error";
}

/* A control character (a stray ESC, BEL, CR) is shown as \xHH, never sent
 * raw to the terminal; a tab is shown as one space. */
static int is_control(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* The columns S (BYTES long) takes on the terminal as put_shown prints it:
 * UTF-8 continuation bytes take none, an escaped control character four. */
static size_t chars(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++) {
        unsigned char c = (unsigned char)s[i];
        n += is_control(c) ? 4 : (c & 0xC0) != 0x80;
    }
    return n;
}

static void put_shown(FILE *out, const char *s, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++) {
        unsigned char c = (unsigned char)s[i];
        if (is_control(c))
            fprintf(out, "\\x%02x", c);
        else
            fputc(c == '\t' ? ' ' : c, out);
    }
}

/* Diagnostics print in source order, so the line of each is searched for
 * from the line of the one before, not from the top of its file: that was
 * quadratic in a file with many warnings. */
typedef struct line_cursor {
    uint32_t file, line;    /* AT is where this line of this file starts */
    const char *at;
} line_cursor;

static const char *find_line(const diag_ctx *d, src_loc loc, size_t *len, line_cursor *c)
{
    const source_file *f = &d->sources->files[loc.file];
    if (!c->at || c->file != loc.file || c->line > loc.line)
        *c = (line_cursor){loc.file, 1, f->text};
    source_file rest = {.text = (char *)c->at, .size = (size_t)(f->text + f->size - c->at)};
    source_table view = {.files = &rest, .count = 1, .cap = 1};
    src_loc rel = loc;
    rel.file = 0;
    rel.line = loc.line - c->line + 1;
    c->at = source_line(&view, rel, len);
    c->line = loc.line;
    return c->at;
}

enum { LINE_WINDOW = 160, LINE_LEAD = 60 };   /* bytes of a long line shown around the column */

static void print_caret(const diag_ctx *d, const diag *g, FILE *out, line_cursor *cursor)
{
    size_t len;
    const char *line = find_line(d, g->loc, &len, cursor);
    size_t col = g->loc.col ? g->loc.col - 1 : 0;
    if (col > len)
        col = len;
    /* A long line is shown as a window around the column, cut at characters. */
    size_t start = 0, end = len;
    if (len > LINE_WINDOW) {
        start = col > LINE_LEAD ? col - LINE_LEAD : 0;
        while (start > 0 && ((unsigned char)line[start] & 0xC0) == 0x80)
            start--;
        end = start + LINE_WINDOW < len ? start + LINE_WINDOW : len;
        while (end < len && ((unsigned char)line[end] & 0xC0) == 0x80)
            end++;
    }
    const char *before_text = start > 0 ? "..." : "", *after_text = end < len ? "..." : "";
    fprintf(out, "%5u | %s", (unsigned)g->loc.line, before_text);
    put_shown(out, line + start, end - start);
    fprintf(out, "%s\n      | %s", after_text, start > 0 ? "   " : "");
    size_t span = g->loc.len;
    if (col + span > end)
        span = end > col ? end - col : 1;
    /* Columns are bytes; the terminal shows characters: count UTF-8 lead bytes. */
    for (size_t i = 0, n = chars(line + start, col - start); i < n; i++)
        fputc(' ', out);
    fputc('^', out);
    /* At the end of the line (a NUL, a missing token) the caret stands alone. */
    for (size_t i = 1, n = col < end ? chars(line + col, span) : 1; i < n; i++)
        fputc('~', out);
    fputc('\n', out);
}

/* A message or hint, which may quote source text, and its newline. */
static void put_line(FILE *out, const char *text)
{
    put_shown(out, text, strlen(text));
    fputc('\n', out);
}

static int before(const diag *a, const diag *b)
{
    if (a->loc.line == 0 || b->loc.line == 0)
        return a->loc.line != 0 && b->loc.line == 0;
    if (a->loc.file != b->loc.file)
        return a->loc.file < b->loc.file;
    if (a->loc.line != b->loc.line)
        return a->loc.line < b->loc.line;
    return a->loc.col < b->loc.col;
}

/* Stable merge sort of the list into source order: checks run block kind by
 * block kind, but a person reads a file from the top. */
static diag *sort_by_location(diag *list)
{
    if (!list || !list->next)
        return list;
    diag *slow = list, *fast = list->next;
    while (fast && fast->next) {
        slow = slow->next;
        fast = fast->next->next;
    }
    diag *right = slow->next;
    slow->next = NULL;
    diag *l = sort_by_location(list), *r = sort_by_location(right);
    diag head = {0}, *tail = &head;
    while (l && r) {
        if (before(r, l)) {
            tail->next = r;
            r = r->next;
        } else {
            tail->next = l;
            l = l->next;
        }
        tail = tail->next;
    }
    tail->next = l ? l : r;
    return head.next;
}

void diag_print(diag_ctx *d, FILE *out, int color)
{
    d->first = sort_by_location(d->first);
    const char *bold = color ? "\033[1m" : "", *reset = color ? "\033[0m" : "";
    const char *red = color ? "\033[1;31m" : "", *magenta = color ? "\033[1;35m" : "";
    const char *cyan = color ? "\033[1;36m" : "";
    line_cursor cursor = {0, 0, NULL};
    for (const diag *g = d->first; g; g = g->next) {
        /* Each diagnostic is composed aside and written at once: stderr is
         * unbuffered, and a character at a time is slow on a long report. */
        char *text = NULL;
        size_t size = 0;
        FILE *final_out = out;
        FILE *mem = open_memstream(&text, &size);
        if (mem)
            out = mem;
        const char *tint = g->level == DIAG_ERROR ? red
                           : g->level == DIAG_WARNING ? magenta : cyan;
        if (g->loc.line > 0 && g->loc.file < d->sources->count) {
            const char *path = d->sources->files[g->loc.file].path;
            fputs(bold, out);
            put_shown(out, path, strlen(path));
            fprintf(out, ":%u:%u:%s %s%s:%s ", (unsigned)g->loc.line, (unsigned)g->loc.col, reset,
                    tint, level_name(g->level), reset);
            put_line(out, g->message);
            print_caret(d, g, out, &cursor);
        } else {
            fprintf(out, "rnnc: %s%s:%s ", tint, level_name(g->level), reset);
            put_line(out, g->message);
        }
        if (g->hint) {
            fputs("      = hint: ", out);
            put_line(out, g->hint);
        }
        if (mem) {
            fclose(mem);
            fwrite(text, 1, size, final_out);
            free(text);
            out = final_out;
        }
    }
    if (d->warnings > d->max_errors)
        fprintf(out, "rnnc: %u more warnings not shown\n", d->warnings - d->max_errors);
    if (d->errors > d->max_errors)
        fprintf(out, "rnnc: too many errors (%u); stopped reporting after %u\n",
                d->errors, d->max_errors);
}

void diag_forget(diag_ctx *d)
{
    d->first = d->last = NULL;
}
