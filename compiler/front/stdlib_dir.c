/* stdlib_dir.c -- the standard library found from the file this code is in (see stdlib_dir.h).
 *
 * The code is linked into the rnnc program, or into librnnc.so (and from
 * it into the program), so "its own file" is whichever of them holds this
 * function: the dynamic linker's map of the address says which.
 */
/* dladdr1 and struct link_map are GNU extensions of <dlfcn.h> and <link.h>. */
#define _GNU_SOURCE
#include "stdlib_dir.h"

#include <dlfcn.h>
#include <limits.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Relative to the program's folder and to the library's; CMake passes them
 * from GNUInstallDirs (cmake/Install.cmake). */
#ifndef RNNC_BIN_TO_STDLIB
#define RNNC_BIN_TO_STDLIB "../share/rnnc/stdlib"
#endif
#ifndef RNNC_LIB_TO_STDLIB
#define RNNC_LIB_TO_STDLIB "../share/rnnc/stdlib"
#endif

static pthread_once_t found_once = PTHREAD_ONCE_INIT;
static char found[PATH_MAX];   /* "" when there is none */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The canonical path of the file holding this code into PATH (PATH_MAX
 * bytes), and whether it is the program itself; 0 when it cannot be told. */
static int own_file(char *path, int *is_program)
{
    Dl_info info;
    struct link_map *map = NULL;
    const char *name = "/proc/self/exe";
    *is_program = 1;
    /* The program's own map has an empty name; a shared library's is the
     * file the dynamic linker opened. */
    if (dladdr1((void *)&stdlib_default_dir, &info, (void **)&map, RTLD_DL_LINKMAP) && map &&
        map->l_name && map->l_name[0]) {
        name = map->l_name;
        *is_program = 0;
    }
    return realpath(name, path) != NULL;
}

/* DIR/REL into found when it is a folder: canonical, so that messages name
 * it without "..". */
static int try_dir(const char *dir, const char *rel)
{
    char joined[PATH_MAX];
    int n = snprintf(joined, sizeof joined, "%s/%s", dir, rel);
    if (n < 0 || (size_t)n >= sizeof joined || !is_dir(joined))
        return 0;
    return realpath(joined, found) != NULL;
}

static void find_once(void)
{
    char file[PATH_MAX];
    int is_program;
    found[0] = '\0';
    if (!own_file(file, &is_program))
        return;
    char *slash = strrchr(file, '/');
    if (!slash)
        return;
    *slash = '\0';
    const char *dir = file[0] ? file : "/";
    if (!try_dir(dir, is_program ? RNNC_BIN_TO_STDLIB : RNNC_LIB_TO_STDLIB) && !try_dir(dir, "stdlib"))
        found[0] = '\0';
}

const char *stdlib_default_dir(void)
{
    const char *env = getenv("RNNC_STDLIB");
    if (env && *env)
        return env;
    pthread_once(&found_once, find_once);
    return found[0] ? found : NULL;
}
