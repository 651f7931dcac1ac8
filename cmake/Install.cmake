# Install.cmake -- what `cmake --install build --prefix P` puts under P, and
# how an installed rnnc finds its standard library. Included at the end of
# the top-level CMakeLists.txt, once every target is defined.
#
#   P/bin/rnnc                      the command
#   P/lib/librnnc.so.0*, librnnc.a  the library (when the rnnc_shared and
#   P/include/rnnc.h                rnnc_static targets exist), its header
#   P/lib/pkgconfig/rnnc.pc         and its pkg-config file
#   P/share/rnnc/stdlib/            the standard library (.rnn source)
#   P/share/rnnc/models/            complete models, as in the source tree
#   P/share/rnnc/examples/          short teaching models
#   P/share/doc/rnnc/               README.md, LICENSE, language.md
#   P/lib/python3/dist-packages/rnnc the Python module (with librnnc)
#
# (lib is GNUInstallDirs' CMAKE_INSTALL_LIBDIR: lib/x86_64-linux-gnu when
# configured with CMAKE_INSTALL_PREFIX=/usr.) Nothing installed names the
# source or build folder: rnnc and librnnc find the standard library from
# their own file (compiler/front/stdlib_dir.c), the pkg-config file from its
# own folder, and tests/install_test.sh checks it.
include(GNUInstallDirs)

set(RNNC_STDLIB_DEST ${CMAKE_INSTALL_DATADIR}/rnnc/stdlib)

# The standard library relative to the program's folder and the library's.
file(RELATIVE_PATH RNNC_BIN_TO_STDLIB ${CMAKE_INSTALL_FULL_BINDIR}
     ${CMAKE_INSTALL_PREFIX}/${RNNC_STDLIB_DEST})
file(RELATIVE_PATH RNNC_LIB_TO_STDLIB ${CMAKE_INSTALL_FULL_LIBDIR}
     ${CMAKE_INSTALL_PREFIX}/${RNNC_STDLIB_DEST})
target_compile_definitions(rnnfront PRIVATE RNNC_BIN_TO_STDLIB="${RNNC_BIN_TO_STDLIB}"
                                            RNNC_LIB_TO_STDLIB="${RNNC_LIB_TO_STDLIB}")

# In the build folder there is no installed copy beside rnnc (and
# librnnc.so): the source tree's stdlib/ is found through this link instead.
if(NOT CMAKE_BINARY_DIR STREQUAL CMAKE_SOURCE_DIR)
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/stdlib ${CMAKE_BINARY_DIR}/stdlib
       SYMBOLIC RESULT link_result)
  if(NOT link_result EQUAL 0)
    message(WARNING "cannot link ${CMAKE_BINARY_DIR}/stdlib to the source tree's "
            "stdlib/ (${link_result}): the build's rnnc needs RNNC_STDLIB")
  endif()
endif()

install(TARGETS rnnc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY stdlib/ DESTINATION ${RNNC_STDLIB_DEST})
install(DIRECTORY models/ DESTINATION ${CMAKE_INSTALL_DATADIR}/rnnc/models)
install(DIRECTORY examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/rnnc/examples)
install(FILES README.md LICENSE docs/language.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# ---- librnnc (its targets are defined with the library's sources) ----
if(TARGET rnnc_shared)
  install(TARGETS rnnc_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  # A program linked with librnnc.so finds it beside itself wherever the
  # prefix is moved.
  file(RELATIVE_PATH bin_to_lib ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})
  set_target_properties(rnnc PROPERTIES INSTALL_RPATH "$ORIGIN/${bin_to_lib}")
endif()
if(TARGET rnnc_static)
  install(TARGETS rnnc_static ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
if(TARGET rnnc_shared OR TARGET rnnc_static)
  install(FILES include/rnnc.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  # rnnc.pc names its prefix relative to its own folder, so that it is
  # right under any --prefix and after the prefix is moved.
  file(RELATIVE_PATH RNNC_PC_TO_PREFIX ${CMAKE_INSTALL_FULL_LIBDIR}/pkgconfig
       ${CMAKE_INSTALL_PREFIX})
  string(REGEX REPLACE "/$" "" RNNC_PC_TO_PREFIX "${RNNC_PC_TO_PREFIX}")
  # What a program linked with librnnc.a needs besides: OpenBLAS and
  # jansson have pkg-config files of their own, LLVM has none.
  # (with RNNC_LLVM_STATIC too: librnnc.a links with the shared libLLVM-19 as well)
  if(RNNC_LLVM_STATIC)
    set(RNNC_PC_LLVM_LIB LLVM-19)
  else()
    get_filename_component(llvm_lib_name ${LLVM_LIB} NAME_WE)
    string(REGEX REPLACE "^lib" "" RNNC_PC_LLVM_LIB ${llvm_lib_name})
  endif()
  set(RNNC_PC_DL_LIBS "")
  foreach(lib ${CMAKE_DL_LIBS})
    string(APPEND RNNC_PC_DL_LIBS " -l${lib}")
  endforeach()
  configure_file(${CMAKE_SOURCE_DIR}/cmake/rnnc.pc.in ${CMAKE_BINARY_DIR}/rnnc.pc @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/rnnc.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endif()

# The Python module (pure Python over librnnc), where Debian's python3 looks:
# from P/lib/python3/dist-packages/rnnc it finds P/lib/librnnc.so.0 beside
# it, else the system's library search (ldconfig, for the package's /usr).
if(TARGET rnnc_shared)
  install(DIRECTORY python/rnnc DESTINATION lib/python3/dist-packages
          FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
endif()

include(${CMAKE_SOURCE_DIR}/cmake/Package.cmake)
