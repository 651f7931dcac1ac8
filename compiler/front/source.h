/* source.h -- the text of every file a compilation reads, and locations in it. */
#ifndef RNNC_SOURCE_H
#define RNNC_SOURCE_H

#include <stdint.h>
#include <stddef.h>

/* A location: file index in the source table, 1-based line and byte column,
 * and the length of the span it names (for the caret underline). */
typedef struct src_loc {
    uint32_t file;
    uint32_t line;
    uint32_t col;
    uint32_t len;
} src_loc;

typedef struct source_file {
    const char *path;       /* as given or as found on the search path */
    const char *module;     /* dotted module name, or NULL for a root file */
    char *text;             /* NUL-terminated; may contain earlier NULs (an error) */
    size_t size;
} source_file;

typedef struct source_table {
    source_file *files;
    uint32_t count, cap;
} source_table;

void source_table_init(source_table *t);
void source_table_free(source_table *t);

/* Reads PATH, a regular file of at most RT_FILE_MAX_SOURCE bytes; returns the
 * new file's index, or -1 with errno set and what is wrong in WHY. */
int source_load(source_table *t, const char *path, const char *module, char *why, size_t why_size);
/* Adds text held in memory (fuzzing, -D values, tests); copies it. */
int source_add_text(source_table *t, const char *path, const char *text, size_t size);

/* The line of FILE that holds LOC, without its newline. */
const char *source_line(const source_table *t, src_loc loc, size_t *len);

#endif
