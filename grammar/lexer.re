/* grammar/lexer.re -- the .rnn lexer (re2c).
 *
 * One re2c block, rules in columns, reading a NUL-terminated buffer (the NUL
 * is the sentinel; a NUL before the end is an error). Newlines ("\n", "\r\n"
 * or a lone "\r") come out as SEP
 * tokens with num = 1; the driver in compiler/parse_driver.c decides which of them
 * end a statement. Keywords carry their own text so that soft keywords can
 * fall back to names in the grammar.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse_driver.h"
#include "parser.h"

void lex_init(lexer *L, arena *a, diag_ctx *d, uint32_t file, const char *text, size_t size)
{
    memset(L, 0, sizeof *L);
    L->arena = a;
    L->diag = d;
    L->file = file;
    L->cur = L->line_start = text;
    L->end = text + size;
    L->line = 1;
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        L->cur = L->line_start = text + 3;   /* a UTF-8 byte-order mark is not text */
}

static src_loc here(const lexer *L, const char *from, const char *to)
{
    src_loc loc = {L->file, L->line, (uint32_t)(from - L->line_start) + 1,
                   (uint32_t)(to - from)};
    return loc;
}

static int keyword(lexer *L, token *t, const char *from, int type)
{
    t->text = intern(L->arena, from, (size_t)(L->cur - from));
    return type;
}

static void lex_error_at(lexer *L, const char *from, const char *to, const char *msg,
                         const char *hint)
{
    diag *g = diag_error(L->diag, here(L, from, to), "%s", msg);
    if (hint)
        diag_hint(L->diag, g, "%s", hint);
}

/* The value of the number token FROM..cursor, read from exactly its own
 * characters (strtod on the open buffer would read "0x10" as hex). */
static double number_value(lexer *L, const char *from)
{
    char buf[128];
    size_t n = (size_t)(L->cur - from);
    if (n >= sizeof buf) {
        lex_error_at(L, from, L->cur, "number has too many digits", NULL);
        return 0;
    }
    memcpy(buf, from, n);
    buf[n] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    if (errno == ERANGE && (v > 1 || v < -1)) {
        lex_error_at(L, from, L->cur, "number is too large", "the largest is about 1.8e308");
        return 0;
    }
    return v;   /* an underflow to 0 or a subnormal is fine */
}

/* Skips one UTF-8 character (or one stray byte) so an error names it whole. */
static void skip_char(lexer *L)
{
    const unsigned char *p = (const unsigned char *)L->cur;
    if (*p >= 0xC0)   /* a lead byte and at most three continuation bytes */
        for (int i = 0; i < 3 && p + 1 < (const unsigned char *)L->end && (p[1] & 0xC0) == 0x80; i++)
            p++;
    L->cur = (const char *)p + 1;
}

int lex_next(lexer *L, token *t)
{
    for (;;) {
        const char *from = L->cur;
        memset(t, 0, sizeof *t);
#define TOK(type) do { t->loc = here(L, from, L->cur); return (type); } while (0)
#define KW(type)  do { t->loc = here(L, from, L->cur); return keyword(L, t, from, (type)); } while (0)
        /*!re2c
        re2c:define:YYCTYPE = "unsigned char";
        re2c:define:YYCURSOR = "L->cur";
        re2c:define:YYMARKER = "L->marker";
        re2c:define:YYCTXMARKER = "L->ctxmarker";
        re2c:yyfill:enable = 0;
        re2c:flags:tags = 0;

        id       = [A-Za-z_][A-Za-z0-9_]*;
        digits   = [0-9]+;
        exponent = [eE] [+-]? digits;
        number   = (digits ("." digits)? | "." digits) exponent?;
        eol      = "\r\n" | "\r" | "\n";   /* Unix, Windows and old Mac line ends */

        "\x00"         { if (L->cur - 1 >= L->end) { L->cur--; t->loc = here(L, L->cur, L->cur); return 0; }
                         lex_error_at(L, from, L->cur, "the file contains a NUL byte", NULL);
                         continue; }
        [ \t\v\f]+     { continue; }
        "#" [^\n\r\x00]* { continue; }
        eol            { t->loc = here(L, from, L->cur); t->num = 1;
                         L->line++; L->line_start = L->cur; return TK_SEP; }
        ";"            { TOK(TK_SEP); }

        "import"       { KW(TK_IMPORT); }
        "function"     { KW(TK_FUNCTION); }
        "neuron"       { KW(TK_NEURON); }
        "network"      { KW(TK_NETWORK); }
        "plasticity"   { KW(TK_PLASTICITY); }
        "task"         { KW(TK_TASK); }
        "train"        { KW(TK_TRAIN); }
        "evaluate"     { KW(TK_EVALUATE); }
        "record"       { KW(TK_RECORD); }
        "analyze"      { KW(TK_ANALYZE); }
        "param"        { KW(TK_PARAM); }
        "state"        { KW(TK_STATE); }
        "input"        { KW(TK_INPUT); }
        "output"       { KW(TK_OUTPUT); }
        "let"          { KW(TK_LET); }
        "spike"        { KW(TK_SPIKE); }
        "when"         { KW(TK_WHEN); }
        "reset"        { KW(TK_RESET); }
        "refractory"   { KW(TK_REFRACTORY); }
        "surrogate"    { KW(TK_SURROGATE); }
        "method"       { KW(TK_METHOD); }
        "pop"          { KW(TK_POP); }
        "readout"      { KW(TK_READOUT); }
        "connect"      { KW(TK_CONNECT); }
        "feedback"     { KW(TK_FEEDBACK); }
        "trace"        { KW(TK_TRACE); }
        "pre"          { KW(TK_PRE); }
        "post"         { KW(TK_POST); }
        "on"           { KW(TK_ON); }
        "target"       { KW(TK_TARGET); }
        "duration"     { KW(TK_DURATION); }
        "draw"         { KW(TK_DRAW); }
        "frozen"       { KW(TK_FROZEN); }
        "phase"        { KW(TK_PHASE); }
        "pulse"        { KW(TK_PULSE); }
        "at"           { KW(TK_AT); }
        "for"          { KW(TK_FOR); }
        "in"           { KW(TK_IN); }
        "if"           { KW(TK_IF); }
        "else"         { KW(TK_ELSE); }
        "accuracy"     { KW(TK_ACCURACY); }
        "condition"    { KW(TK_CONDITION); }
        "every"        { KW(TK_EVERY); }
        "and"          { KW(TK_AND); }
        "or"           { KW(TK_OR); }
        "not"          { KW(TK_NOT); }

        "d" id "/dt" / [^A-Za-z0-9_]
                       { t->text = intern(L->arena, from + 1, (size_t)(L->cur - from) - 4);
                         TOK(TK_DERIV); }
        id             { t->text = intern(L->arena, from, (size_t)(L->cur - from)); TOK(TK_IDENT); }
        number         { t->num = number_value(L, from); TOK(TK_NUMBER); }
        digits ("." digits)? [eE] [+-]?
                       { lex_error_at(L, from, L->cur, "malformed number: the exponent has no digits",
                                      "write e.g. 1e-3");
                         t->num = 0; TOK(TK_NUMBER); }
        ["] [^"\n\r\x00]* ["]
                       { t->text = intern(L->arena, from + 1, (size_t)(L->cur - from) - 2);
                         TOK(TK_STRING); }
        ["] [^"\n\r\x00]*
                       { lex_error_at(L, from, from + 1, "unterminated string", "close it with '\"' on the same line");
                         t->text = intern(L->arena, from + 1, (size_t)(L->cur - from) - 1);
                         TOK(TK_STRING); }

        "->"           { TOK(TK_ARROW); }
        "<-"           { TOK(TK_LARROW); }
        "+="           { TOK(TK_PLUSEQ); }
        "-="           { TOK(TK_MINUSEQ); }
        "*="           { TOK(TK_STAREQ); }
        "=="           { TOK(TK_EQ); }
        "!="           { TOK(TK_NE); }
        "<="           { TOK(TK_LE); }
        ">="           { TOK(TK_GE); }
        ".."           { TOK(TK_DOTDOT); }
        "**"           { lex_error_at(L, from, L->cur, "unknown operator '**'", "powers are written with '^', as in v^2");
                         TOK(TK_CARET); }
        "//"           { lex_error_at(L, from, L->cur, "unexpected '//'", "comments start with '#'");
                         L->cur = from; while (*L->cur != '\n' && *L->cur != '\r' && L->cur < L->end) L->cur++; continue; }
        "&&"           { lex_error_at(L, from, L->cur, "unknown operator '&&'", "write 'and'"); TOK(TK_AND); }
        "||"           { lex_error_at(L, from, L->cur, "unknown operator '||'", "write 'or'"); TOK(TK_OR); }
        "="            { TOK(TK_ASSIGN); }
        "<"            { TOK(TK_LT); }
        ">"            { TOK(TK_GT); }
        "+"            { TOK(TK_PLUS); }
        "-"            { TOK(TK_MINUS); }
        "*"            { TOK(TK_STAR); }
        "/"            { TOK(TK_SLASH); }
        "%"            { TOK(TK_PERCENT); }
        "^"            { TOK(TK_CARET); }
        "("            { TOK(TK_LPAREN); }
        ")"            { TOK(TK_RPAREN); }
        "["            { TOK(TK_LBRACKET); }
        "]"            { TOK(TK_RBRACKET); }
        "{"            { TOK(TK_LBRACE); }
        "}"            { TOK(TK_RBRACE); }
        ","            { TOK(TK_COMMA); }
        ":"            { TOK(TK_COLON); }
        "."            { TOK(TK_DOT); }

        *              { L->cur = from; skip_char(L);
                         char msg[64];
                         snprintf(msg, sizeof msg, "unexpected character '%.*s'",
                                  (int)(L->cur - from), from);
                         /* U+00B5 MICRO SIGN and U+03BC GREEK SMALL LETTER MU */
                         int micro = L->cur - from == 2 && ((unsigned char)from[0] == 0xC2 ||
                                     (unsigned char)from[0] == 0xCE) &&
                                     ((unsigned char)from[1] == 0xB5 || (unsigned char)from[1] == 0xBC);
                         lex_error_at(L, from, L->cur, msg,
                                      micro ? "write micro as 'u': uA, us, uS"
                                      : (unsigned char)*from >= 0x80 ? "names use ASCII letters, digits and '_' (write 'tau', not 'τ')"
                                      : NULL);
                         continue; }
        */
#undef TOK
#undef KW
    }
}

int lex_is_keyword(const char *word)
{
    static const char *const words[] = {
        "import", "function", "neuron", "network", "plasticity", "task", "train", "evaluate",
        "record", "analyze", "param", "state", "input", "output", "let", "spike",
        "when", "reset", "refractory", "surrogate", "method", "pop", "readout", "connect",
        "feedback", "trace", "pre", "post", "on", "target", "duration", "draw",
        "frozen", "phase", "pulse", "at", "for", "in", "if", "else", "accuracy",
        "condition", "every", "and", "or", "not",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(words[i], word) == 0)
            return 1;
    return 0;
}
