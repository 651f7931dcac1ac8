#!/bin/sh
# deb_test.sh BUILD VERSION
# `cpack -G DEB` of the build makes rnnc_VERSION_ARCH.deb: its control
# fields (name, version, maintainer, the Depends dpkg-shlibdeps finds for
# LLVM, OpenBLAS and jansson), its files all under /usr where
# cmake/Install.cmake puts them, and the packaged rnnc, unpacked (not
# installed), checks and runs a packaged model with the packaged stdlib.
# Skipped (77) without dpkg-deb and dpkg-shlibdeps (Debian's dpkg-dev).
set -u
build=$1 version=$2
. "$(dirname "$0")/expect.sh"
unset RNNC_STDLIB RNNC_PATH
export NO_COLOR=1
for tool in cpack dpkg-deb dpkg-shlibdeps dpkg; do
  command -v "$tool" > /dev/null || { echo "SKIP: no $tool (install dpkg-dev)"; exit 77; }
done

if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" > "$work/cpack.log" 2>&1; then
  echo "FAIL: cpack -G DEB:"; cat "$work/cpack.log"; exit 1
fi
deb=$work/pkg/rnnc_${version}_$(dpkg --print-architecture).deb
[ -f "$deb" ] || { echo "FAIL: no $deb; cpack wrote:"; ls "$work/pkg"; exit 1; }

# 1. The control fields.
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = rnnc ] && passes=$((passes + 1)) || { echo "FAIL: Package: $(field Package)"; failures=$((failures + 1)); }
[ "$(field Version)" = "$version" ] && passes=$((passes + 1)) ||
  { echo "FAIL: Version: $(field Version), expected $version"; failures=$((failures + 1)); }
case $(field Maintainer) in
  *'<'*@*'>') passes=$((passes + 1)) ;;
  *) echo "FAIL: Maintainer: '$(field Maintainer)' has no address"; failures=$((failures + 1)) ;;
esac
depends=$(field Depends)
for pkg in libllvm19 libopenblas0 libjansson4 libc6; do
  case ", $depends," in
    *", $pkg "* | *", $pkg,"*) passes=$((passes + 1)) ;;
    *) echo "FAIL: Depends has no $pkg: $depends"; failures=$((failures + 1)) ;;
  esac
done

# 2. The files: every one under /usr, the command and the three .rnn trees.
dpkg-deb -c "$deb" | awk '{ print $6 }' > "$work/files"
if grep -v '^\./usr/' "$work/files" | grep -v '^\./$' > "$work/outside"; then
  echo "FAIL: files outside /usr:"; cat "$work/outside"; failures=$((failures + 1))
else passes=$((passes + 1)); fi
for f in ./usr/bin/rnnc ./usr/share/rnnc/stdlib/neurons/rate.rnn ./usr/share/rnnc/models/and.rnn \
         ./usr/share/rnnc/examples/gated_unit.rnn ./usr/share/doc/rnnc/LICENSE; do
  expect_line "$work/files" "$f" "the package's files"
done

# 3. Unpacked into a folder of its own, the packaged rnnc finds the packaged
#    stdlib beside it (the build tree's is nowhere near) and runs a model.
dpkg-deb -x "$deb" "$work/root"
usr=$work/root/usr
mkdir "$work/elsewhere" && cd "$work/elsewhere" || exit 1
expect 0 "the packaged rnnc checks the packaged flipflop3.rnn" "$usr/bin/rnnc" check "$usr/share/rnnc/models/flipflop3.rnn"
expect 0 "the packaged rnnc runs the packaged and.rnn, shortened" "$usr/bin/rnnc" run \
  "$usr/share/rnnc/models/and.rnn" --out "$work/run" -D iterations=2 -D batch=4 -D trials=4 -D samples=8
[ -s "$work/run/summary.json" ] && passes=$((passes + 1)) ||
  { echo "FAIL: the run wrote no summary.json"; failures=$((failures + 1)); }
finish
