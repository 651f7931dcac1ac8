/* module.c -- imports: search path, loading once, cycles (see module.h).
 *
 * 'import neurons.rate' names neurons/rate.rnn, looked for in the importing
 * file's folder, then in each RNNC_PATH folder, then in the standard library.
 */
#include "module.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse_driver.h"

enum { MAX_IMPORT_DEPTH = 64 };

typedef struct loader {
    frontend *fe;
    const frontend_options *opts;
    const char **real_paths;   /* per source file index: its canonical path */
    uint32_t real_cap;
    uint32_t stack[MAX_IMPORT_DEPTH];
    int depth;
} loader;

static const char *dir_of(arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? arena_strndup(a, path, (size_t)(slash - path)) : ".";
}

static void remember_real_path(loader *L, uint32_t file)
{
    if (file >= L->real_cap) {
        uint32_t cap = (file + 1) * 2;
        const char **paths = arena_alloc(&L->fe->arena, cap * sizeof *paths);
        if (L->real_cap)
            memcpy(paths, L->real_paths, L->real_cap * sizeof *paths);
        L->real_paths = paths;
        L->real_cap = cap;
    }
    char buf[PATH_MAX];
    const char *path = L->fe->sources.files[file].path;
    L->real_paths[file] = intern_cstr(&L->fe->arena, realpath(path, buf) ? buf : path);
}

/* The folders searched for an import from FILE, in order. */
static unsigned search_dirs(loader *L, uint32_t file, const char **dirs, unsigned max)
{
    unsigned n = 0;
    dirs[n++] = dir_of(&L->fe->arena, L->fe->sources.files[file].path);
    for (unsigned i = 0; i < L->opts->search_count && n < max - 1; i++)
        dirs[n++] = L->opts->search_path[i];
    if (L->opts->stdlib_dir)
        dirs[n++] = L->opts->stdlib_dir;
    return n;
}

/* "neurons.rte": is there a close name among the .rnn files of the folders? */
static void suggest_module(loader *L, diag *g, const char *module, const char **dirs, unsigned ndirs)
{
    arena *a = &L->fe->arena;
    const char *dot = strrchr(module, '.');
    size_t prefix = dot ? (size_t)(dot - module) + 1 : 0;   /* "neurons." */
    char *package = arena_strndup(a, module, prefix ? prefix - 1 : 0);
    for (char *p = package; *p; p++)
        if (*p == '.')
            *p = '/';
    const char *names[256];
    unsigned n = 0;
    for (unsigned d = 0; d < ndirs; d++) {
        DIR *dir = opendir(arena_printf(a, "%s/%s", dirs[d], package));
        if (!dir)
            continue;
        struct dirent *e;
        while ((e = readdir(dir)) && n < 256) {
            size_t len = strlen(e->d_name);
            if (len > 4 && strcmp(e->d_name + len - 4, ".rnn") == 0)
                names[n++] = arena_strndup(a, e->d_name, len - 4);
        }
        closedir(dir);
    }
    const char *best = closest_name(module + prefix, names, n);
    if (best)
        diag_hint(&L->fe->diag, g, "did you mean '%.*s%s'?", (int)prefix, module, best);
}

static const char *module_label(loader *L, uint32_t file)
{
    const source_file *f = &L->fe->sources.files[file];
    return f->module ? f->module : f->path;
}

static void report_cycle(loader *L, const ast_node *imp, uint32_t target)
{
    char chain[1024] = "";
    size_t used = 0;
    int start = 0;
    while (start < L->depth && L->stack[start] != target)
        start++;
    for (int i = start; i < L->depth && used < sizeof chain; i++)
        used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ",
                                 module_label(L, L->stack[i]));
    if (used < sizeof chain)
        snprintf(chain + used, sizeof chain - used, "%s", imp->name);
    diag *g = diag_error(&L->fe->diag, imp->loc, "import cycle: %s", chain);
    diag_hint(&L->fe->diag, g, "move what both files need into a third file that both import");
}

static void load_file_imports(loader *L, uint32_t file);

/* Could PATH be the module's file? A folder that happens to be called
 * rate.rnn is not, and the search goes on past it; anything else that exists
 * is tried, so a device or a FIFO there is a located "cannot read" error. */
static int is_import_candidate(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode) && access(path, R_OK) == 0;
}

static void import_one(loader *L, uint32_t file, ast_node *imp)
{
    frontend *fe = L->fe;
    const char *dirs[64];
    unsigned ndirs = search_dirs(L, file, dirs, 64);
    char *rel = arena_printf(&fe->arena, "%s.rnn", imp->name);
    for (char *p = rel; p < rel + strlen(imp->name); p++)
        if (*p == '.')
            *p = '/';
    for (unsigned d = 0; d < ndirs; d++) {
        char *path = arena_printf(&fe->arena, "%s/%s", dirs[d], rel);
        if (!is_import_candidate(path))
            continue;
        char buf[PATH_MAX];
        const char *real = intern_cstr(&fe->arena, realpath(path, buf) ? buf : path);
        for (uint32_t i = 0; i < fe->sources.count && i < L->real_cap; i++) {
            if (L->real_paths[i] != real)
                continue;
            for (int s = 0; s < L->depth; s++)
                if (L->stack[s] == i) {
                    report_cycle(L, imp, i);
                    return;
                }
            return;   /* already loaded */
        }
        if (L->depth == MAX_IMPORT_DEPTH) {
            diag_error(&fe->diag, imp->loc, "imports nested too deeply (limit is %d)", MAX_IMPORT_DEPTH);
            return;
        }
        char why[256];
        int idx = source_load(&fe->sources, path, imp->name, why, sizeof why);
        if (idx < 0) {
            diag_error(&fe->diag, imp->loc, "cannot read '%s': %s", path, why);
            return;
        }
        remember_real_path(L, (uint32_t)idx);
        ast_node *tree = parse_file(&fe->arena, &fe->diag, (uint32_t)idx);
        ptr_vec_push(&fe->arena, &fe->files, tree);
        load_file_imports(L, (uint32_t)idx);
        return;
    }
    diag *g = diag_error(&fe->diag, imp->loc, "cannot find module '%s'", imp->name);
    suggest_module(L, g, imp->name, dirs, ndirs);
    if (!g->hint) {
        char looked[512] = "";
        size_t used = 0;
        for (unsigned d = 0; d < ndirs && used < sizeof looked; d++)
            used += (size_t)snprintf(looked + used, sizeof looked - used, "%s%s", d ? ", " : "",
                                     dirs[d] == L->opts->stdlib_dir ? "the standard library" : dirs[d]);
        diag_hint(&fe->diag, g, "looked for %s in: %s (add folders with RNNC_PATH%s)", rel, looked,
                  L->opts->stdlib_dir ? "" : "; no standard library was found: set RNNC_STDLIB");
    }
}

static void load_file_imports(loader *L, uint32_t file)
{
    L->stack[L->depth++] = file;
    ast_node *tree = NULL;
    for (uint32_t i = 0; i < L->fe->files.len; i++) {
        ast_node *f = L->fe->files.items[i];
        if (f->loc.file == file)
            tree = f;
    }
    for (ast_node *n = tree ? tree->first : NULL; n; n = n->next)
        if (n->kind == AST_IMPORT)
            import_one(L, file, n);
    L->depth--;
}

void module_load_imports(frontend *fe, const frontend_options *opts, uint32_t root)
{
    loader L = {.fe = fe, .opts = opts};
    remember_real_path(&L, root);
    load_file_imports(&L, root);
}
