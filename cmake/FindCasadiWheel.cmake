# FindCasadiWheel: CasADi's C++ library and headers from the PyPI wheel (`pip install casadi`).
#
# The wheel ships everything a C++ build needs inside its package directory
# (site-packages/casadi/): include/casadi/casadi.hpp, libcasadi.so.<soversion> (plus the
# libcasadi.so symlink-copy) and the solver plugins it loads at run time
# (libcasadi_nlpsol_ipopt.so.<soversion> with libipopt.so.3 beside it). Its own CMake package
# (cmake/casadi-config.cmake) computes its prefix one directory too high for this layout, so
# find_package(casadi CONFIG) cannot be used; this module imports the files directly.
#
# Input (cache):
#   CASADI_PACKAGE_DIR  the casadi package directory. Default: asked from Python_EXECUTABLE (if set)
#                       or python3 with `import casadi`.
# Output:
#   CasadiWheel_FOUND, CasadiWheel_VERSION (from include/casadi/config.h)
#   CASADI_LIBRARY      the shared library (the file named by its soname)
#   imported target casadi::casadi (SHARED; INTERFACE_INCLUDE_DIRECTORIES <dir>/include)
include(FindPackageHandleStandardArgs)

include(${CMAKE_CURRENT_LIST_DIR}/LegsimWheelDir.cmake)
if(NOT CASADI_PACKAGE_DIR)
  legsim_wheel_dir(casadi _casadi_dir _casadi_python)
  if(_casadi_dir)
    set(CASADI_PACKAGE_DIR "${_casadi_dir}" CACHE PATH
        "casadi package directory of the PyPI wheel (site-packages/casadi)")
  endif()
endif()

# A changed CASADI_PACKAGE_DIR (another virtual environment) must not keep the old directory's files.
if(DEFINED CACHE{_CASADI_PACKAGE_DIR_SEARCHED} AND NOT _CASADI_PACKAGE_DIR_SEARCHED STREQUAL CASADI_PACKAGE_DIR)
  unset(CASADI_INCLUDE_DIR CACHE)
  unset(CASADI_LIBRARY CACHE)
endif()
set(_CASADI_PACKAGE_DIR_SEARCHED "${CASADI_PACKAGE_DIR}" CACHE INTERNAL "CASADI_PACKAGE_DIR the cached paths belong to")

if(CASADI_PACKAGE_DIR)
  find_path(CASADI_INCLUDE_DIR NAMES casadi/casadi.hpp PATHS "${CASADI_PACKAGE_DIR}/include" NO_DEFAULT_PATH)
  # The wheel's soname is libcasadi.so.<major>.<minor> of the ABI (3.7 in the 3.8.x wheels); link the
  # unversioned name, which the wheel ships as a copy of the same file.
  find_library(CASADI_LIBRARY NAMES casadi PATHS "${CASADI_PACKAGE_DIR}" NO_DEFAULT_PATH)
  if(CASADI_INCLUDE_DIR AND EXISTS "${CASADI_INCLUDE_DIR}/casadi/config.h")
    file(STRINGS "${CASADI_INCLUDE_DIR}/casadi/config.h" _casadi_version_line
         REGEX "^#define CASADI_VERSION_STRING \"[^\"]*\"")
    string(REGEX REPLACE ".*\"([^\"]*)\".*" "\\1" CasadiWheel_VERSION "${_casadi_version_line}")
  endif()
endif()

if(CASADI_PACKAGE_DIR)
  set(_casadi_reason "no include/casadi/casadi.hpp and libcasadi.so in CASADI_PACKAGE_DIR=${CASADI_PACKAGE_DIR}")
else()
  set(_casadi_reason "`import casadi` failed in ${_casadi_python} (pip install casadi, or set CASADI_PACKAGE_DIR)")
endif()
find_package_handle_standard_args(CasadiWheel
  REQUIRED_VARS CASADI_LIBRARY CASADI_INCLUDE_DIR
  VERSION_VAR CasadiWheel_VERSION
  REASON_FAILURE_MESSAGE "${_casadi_reason}")

if(CasadiWheel_FOUND AND NOT TARGET casadi::casadi)
  add_library(casadi::casadi SHARED IMPORTED)
  # Imported include directories are SYSTEM: CasADi's headers do not stop a -Werror build.
  set_target_properties(casadi::casadi PROPERTIES
    IMPORTED_LOCATION "${CASADI_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CASADI_INCLUDE_DIR}")
  # The wheel is built with the C++11 string ABI (its casadi-config.cmake leaves
  # _GLIBCXX_USE_CXX11_ABI alone), the default of GCC ≥ 5, so no define is needed.
  # Its threading switches, though, change inline header code — with CASADI_WITH_THREADSAFE_SYMBOLICS
  # the reference counts of shared expression nodes are atomic and guarded — so code compiled
  # against the headers must see the switches the library was built with (config.h records them in
  # CASADI_COMPILER_FLAGS). Without them, two threads building problems raced on the counts of the
  # nodes CasADi shares between expressions and crashed in SXElem::op() (legsim_c_predict's
  # two-thread test, 2026-12-06).
  file(STRINGS "${CASADI_INCLUDE_DIR}/casadi/config.h" _casadi_flags REGEX "define CASADI_COMPILER_FLAGS")
  string(REGEX MATCHALL "-DCASADI_WITH_[A-Z_]+" _casadi_thread_defs "${_casadi_flags}")
  list(TRANSFORM _casadi_thread_defs REPLACE "^-D" "")
  set_property(TARGET casadi::casadi PROPERTY INTERFACE_COMPILE_DEFINITIONS ${_casadi_thread_defs})
endif()
mark_as_advanced(CASADI_INCLUDE_DIR CASADI_LIBRARY)
