/* fuzz_frontend.c -- libFuzzer target over the whole front end.
 *
 * Each input is a model file: it is lexed, parsed, its imports resolved
 * against the standard library, and checked. Any crash, leak, hang or
 * sanitizer report is a bug; error messages are the expected outcome. The
 * messages are printed (to /dev/null), so their carets are exercised too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "frontend.h"

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
    return 0;
}
