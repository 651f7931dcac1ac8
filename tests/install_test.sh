#!/bin/sh
# install_test.sh BUILD SOURCE CC CFLAGS PKG_CONFIG
# `cmake --install BUILD --prefix P` gives a tree that works on its own: the
# prefix is copied to another place and the original removed (an install is
# relocatable), and the copy's rnnc, run from an empty folder with neither
# RNNC_STDLIB nor RNNC_PATH, checks and runs the installed models with the
# installed standard library. No installed file names the source or build
# folder (binaries included). When librnnc is built, a small C program
# compiles and links with `pkg-config --cflags --libs rnnc` (and with
# --static against librnnc.a), and the library finds the installed stdlib.
# CFLAGS are the sanitizer flags the build was made with (a program linked
# with an instrumented library needs them too).
set -u
build=$1 src=$2 cc=$3 cflags=$4 pkg_config=$5
. "$(dirname "$0")/expect.sh"
unset RNNC_STDLIB RNNC_PATH
export NO_COLOR=1

if ! cmake --install "$build" --prefix "$work/P" > "$work/install.log" 2>&1; then
  echo "FAIL: cmake --install:"; cat "$work/install.log"; exit 1
fi
cp -a "$work/P" "$work/Q" && rm -rf "$work/P"
Q=$work/Q
mkdir "$work/elsewhere"
cd "$work/elsewhere" || exit 1

# 1. Everything is where docs say (GNUInstallDirs: bin, share/rnnc, share/doc/rnnc),
#    and the .rnn files are the source tree's, all of them.
for f in bin/rnnc share/rnnc/stdlib/neurons/rate.rnn share/rnnc/models/flipflop3.rnn \
         share/rnnc/examples/gated_unit.rnn share/doc/rnnc/language.md; do
  [ -f "$Q/$f" ] && passes=$((passes + 1)) || { echo "FAIL: no $f installed"; failures=$((failures + 1)); }
done
for d in stdlib models examples; do
  (cd "$src/$d" && find . -name '*.rnn' | sort) > "$work/want"
  (cd "$Q/share/rnnc/$d" && find . -name '*.rnn' | sort) > "$work/got"
  if cmp -s "$work/want" "$work/got"; then passes=$((passes + 1)); else
    echo "FAIL: share/rnnc/$d holds other .rnn files than $d/:"; diff "$work/want" "$work/got"
    failures=$((failures + 1)); fi
done

# 2. The moved rnnc finds the moved stdlib: the models import from it, and a
#    module that exists only in the installed copy (not in the source tree)
#    imports, so it is that copy and no other that is read.
expect 0 "rnnc --version" "$Q/bin/rnnc" --version
expect 0 "check of the installed flipflop3.rnn" "$Q/bin/rnnc" check "$Q/share/rnnc/models/flipflop3.rnn"
cp "$Q/share/rnnc/stdlib/neurons/rate.rnn" "$Q/share/rnnc/stdlib/install_marker.rnn"
printf 'import install_marker\n' > marker.rnn
expect 0 "import of a module only the installed stdlib has" "$Q/bin/rnnc" check marker.rnn
rm "$Q/share/rnnc/stdlib/install_marker.rnn"
expect 1 "the same import once the module is gone" "$Q/bin/rnnc" check marker.rnn
expect_line "$work/err" "cannot find module 'install_marker'" "the import's error"

# 3. A short run of an installed model (a few updates of small batches, as
#    models_run_test.sh shortens them) writes its results.
expect 0 "short run of the installed and.rnn" "$Q/bin/rnnc" run "$Q/share/rnnc/models/and.rnn" \
  --out "$work/run" -D iterations=2 -D batch=4 -D trials=4 -D samples=8
[ -s "$work/run/summary.json" ] && passes=$((passes + 1)) ||
  { echo "FAIL: the run wrote no summary.json"; failures=$((failures + 1)); }

# 4. Nothing installed names the source or the build folder (the objects are
#    compiled with -ffile-prefix-map). AddressSanitizer and UBSan put each
#    file's absolute name in their instrumentation whatever the prefix map
#    (gcc 12, clang 19), so in such a build the text files alone are searched.
binaries=-a
if [ -n "$cflags" ]; then
  binaries=-I
  echo "NOTE: a sanitizer build: binaries not searched for the source folder's name"
fi
for dir in "$src" "$build"; do
  dir=$(cd "$dir" && pwd -P)
  if grep -rlF $binaries "$dir" "$Q" > "$work/named"; then
    echo "FAIL: installed files name $dir:"; cat "$work/named"; failures=$((failures + 1))
  else passes=$((passes + 1)); fi
done

# 5. librnnc through pkg-config: the version, and a check of a model that
#    imports from the stdlib the library finds beside itself.
libdir=$(dirname "$(find "$Q" -name 'librnnc.so' -o -name 'librnnc.a' | head -1)")
if [ "$libdir" = . ]; then
  echo "SKIP: librnnc is not built (no rnnc_shared or rnnc_static target): no pkg-config check"
  finish; exit
fi
export PKG_CONFIG_PATH="$libdir/pkgconfig"
cat > prog.c <<'EOF'
#include <rnnc.h>
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv)
{
    rnnc_error *err = NULL;
    const char *model = "import neurons.rate\n";
    if (argc < 2 || strcmp(rnnc_version(), argv[1]) != 0) {
        printf("version %s, expected %s\n", rnnc_version(), argc < 2 ? "?" : argv[1]);
        return 1;
    }
    if (rnnc_check_text("prog.rnn", model, NULL, &err) != RNNC_OK) {
        fputs(rnnc_error_message(err), stdout);
        rnnc_error_free(err);
        return 1;
    }
    puts("ok");
    return 0;
}
EOF
version=$(sed -n 's/^Version: //p' "$PKG_CONFIG_PATH/rnnc.pc")
if [ -f "$libdir/librnnc.so" ]; then
  # shellcheck disable=SC2086  # the flags are words
  expect 0 "cc prog.c \$(pkg-config --cflags --libs rnnc)" \
    "$cc" $cflags prog.c $("$pkg_config" --cflags --libs rnnc) -o prog_shared
  expect 0 "the program linked with librnnc.so" env LD_LIBRARY_PATH="$libdir" ./prog_shared "$version"
  expect_line "$work/out" ok "the library's check with its own stdlib"
fi
if [ -f "$libdir/librnnc.a" ]; then
  # -Bstatic picks librnnc.a over librnnc.so; the rest (--static: Libs.private)
  # stays shared. The program sits in the prefix's bin/, so the library code
  # in it finds the stdlib as rnnc does.
  static_libs=$("$pkg_config" --static --libs rnnc | sed 's/-lrnnc\( \|$\)/-Wl,-Bstatic -lrnnc -Wl,-Bdynamic /')
  # shellcheck disable=SC2086
  expect 0 "cc prog.c \$(pkg-config --static --libs rnnc) against librnnc.a" \
    "$cc" $cflags prog.c $("$pkg_config" --cflags rnnc) $static_libs -o "$Q/bin/prog_static"
  expect 0 "the program linked with librnnc.a" "$Q/bin/prog_static" "$version"
  expect_line "$work/out" ok "the static library's check with the installed stdlib"
fi
# 6. The installed examples/c builds with its own Makefile against the
#    installed library (pkg-config) and trains an installed model: a quick
#    flip-flop, its weights and record read back, a model error shown.
if [ -f "$libdir/librnnc.so" ] && command -v make > /dev/null; then
  cp -R "$Q/share/rnnc/examples/c" example_c
  expect 0 "make in the installed examples/c" env CC="$cc" CFLAGS="-O2 $cflags" make -s -C example_c train
  expect 0 "examples/c/train on an installed model" env LD_LIBRARY_PATH="$libdir" ./example_c/train \
    "$Q/share/rnnc/models/flipflop3.rnn" epochs=1 samples=32 batch=16 trials=16 FlipFlopNet.n=16
  expect_line "$work/out" "record h.r: 16 trials of 340 steps, 16 neurons" "the example's record of the installed model"
fi
# 7. The installed Python module loads the installed library (not the build
# tree's) and checks a model with the installed stdlib. An instrumented
# library cannot load into an uninstrumented python: not in sanitized builds.
if [ -d "$Q/lib/python3/dist-packages/rnnc" ] && [ -z "$cflags" ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  expect 0 "python3 -c 'import rnnc; rnnc.check(...)' from the installed module" \
    env -u RNNC_LIBRARY PYTHONPATH="$Q/lib/python3/dist-packages" /usr/bin/python3 -B -c \
    'import rnnc, sys; rnnc.check("import neurons.rate\n"); p = rnnc._lib.lib()._name; print("ok" if p.startswith(sys.argv[1]) else "library " + p)' "$Q"
  expect_line "$work/out" ok "the installed module's library and stdlib"
fi
finish
