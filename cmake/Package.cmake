# Package.cmake -- the Debian package: `cpack -G DEB` in the build folder
# writes rnnc_VERSION_ARCH.deb, which installs what cmake/Install.cmake
# lists under /usr.
set(CPACK_PACKAGE_NAME rnnc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "rnnc maintainers <maintainers@users.noreply.h-seed-0af6cd12.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "compiler and runtime for recurrent neural network models")
# The long description, one line of the control file per line here.
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "rnnc compiles models written in a small declarative language (neuron\n"
  "equations, connectivity, plasticity rules and task generators, as\n"
  "computational neuroscientists write them), JIT-compiles them with LLVM,\n"
  "and trains, records and analyses the networks with BPTT, e-prop or local\n"
  "rules. The package holds the rnnc command and, under /usr/share/rnnc,\n"
  "its standard library, the models of the literature and teaching examples.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # rnnc_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends from the libraries the programs and librnnc.so load (libllvm19,
# libopenblas0, libjansson4, libc6), found by dpkg-shlibdeps (dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# librnnc.so.0 is ours: a shlibs file for the packages that link it.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)

include(CPack)
