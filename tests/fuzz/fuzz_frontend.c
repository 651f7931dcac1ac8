/* fuzz_frontend.c -- libFuzzer target over the whole front end.
 *
 * Each input is a model file: it is lexed, parsed, its imports resolved
 * against the standard library, and checked. Any crash, leak, hang or
 * sanitizer report is a bug; error messages are the expected outcome. The
 * messages are printed (to /dev/null), so their carets are exercised too.
 * An input that parses is also formatted (rnnc fmt): the result must parse
 * to the same tree and be its own layout, or the target aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include "format.h"
#include "frontend.h"
#include "parse_driver.h"

/* rnnc fmt's promises: the same syntax tree, and a fixed point. */
static void check_format(const uint8_t *data, size_t size)
{
    frontend fe;
    frontend_init(&fe);
    int idx = source_add_text(&fe.sources, "fuzz.rnn", (const char *)data, size);
    ast_node *tree = idx >= 0 ? parse_file(&fe.arena, &fe.diag, (uint32_t)idx) : NULL;
    if (tree && fe.diag.errors == 0) {
        size_t len, len2;
        char *once = format_source(&fe.arena, &fe.diag, (uint32_t)idx, tree, &len);
        int idx2 = source_add_text(&fe.sources, "once.rnn", once, len);
        ast_node *tree2 = parse_file(&fe.arena, &fe.diag, (uint32_t)idx2);
        if (fe.diag.errors || !format_same_tree(tree, tree2))
            abort();   /* formatting changed the model */
        char *twice = format_source(&fe.arena, &fe.diag, (uint32_t)idx2, tree2, &len2);
        if (len2 != len || memcmp(once, twice, len) != 0)
            abort();   /* a second pass changed the layout again */
        free(once);
        free(twice);
    }
    frontend_free(&fe);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static frontend_options opts;
    static frontend_define defines[1] = {{.name = "tau", .value = "10 ms"}};
    opts.stdlib_dir = getenv("RNNC_STDLIB");
    if (!opts.stdlib_dir)
        opts.stdlib_dir = RNNC_STDLIB_DIR;
    opts.defines = defines;
    opts.define_count = 1;
    frontend fe;
    frontend_init(&fe);
    frontend_check_text(&fe, "fuzz.rnn", (const char *)data, size, &opts);
    static FILE *sink;
    if (!sink)
        sink = fopen("/dev/null", "w");
    if (sink)
        diag_print(&fe.diag, sink, 1);
    frontend_free(&fe);
    check_format(data, size);
    return 0;
}
