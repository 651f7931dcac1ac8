/* rt_error.h -- how a runtime function reports a failure.
 *
 * The runtime's fallible functions return 0 on success or -1 with a message
 * in the caller's buffer ERR of ERR_SIZE bytes (ERR may be NULL, or
 * ERR_SIZE 0, when the caller does not want it). rt_error writes that
 * message, truncated to fit, and returns -1, so a failure is one line:
 *
 *     return rt_error(err, err_size, "PCA: need at least 2 rows, got %zu", rows);
 */
#ifndef RNNRT_ERROR_H
#define RNNRT_ERROR_H

#include <stddef.h>

int rt_error(char *err, size_t err_size, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
