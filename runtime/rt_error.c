/* rt_error.c -- a failure's message into the caller's buffer (see rt_error.h). */
#include "rt_error.h"

#include <stdarg.h>
#include <stdio.h>

int rt_error(char *err, size_t err_size, const char *fmt, ...)
{
    if (err && err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return -1;
}
