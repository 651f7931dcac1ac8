/* stdlib_dir.h -- where the standard library is, for the rnnc command and librnnc.
 *
 * Neither has a path to the standard library compiled in: an installed copy
 * finds it relative to its own file, so an installed tree may be moved (and
 * nothing installed names the source or build folder).
 */
#ifndef RNNC_STDLIB_DIR_H
#define RNNC_STDLIB_DIR_H

/* The standard library's folder, in order:
 *   1. the environment variable RNNC_STDLIB, when set and not empty;
 *   2. the installed copy beside the file that holds this code (the rnnc
 *      program or librnnc.so): BINDIR/../share/rnnc/stdlib from the program,
 *      LIBDIR/../share/rnnc/stdlib from the library (as GNUInstallDirs lays
 *      them out);
 *   3. in a build folder, `stdlib` beside that file: the link CMake makes
 *      from the build folder to the source tree's stdlib/.
 * NULL when none is a folder. The string lives as long as the process (for
 * 1., until RNNC_STDLIB is changed). Safe to call from several threads. */
const char *stdlib_default_dir(void);

#endif
