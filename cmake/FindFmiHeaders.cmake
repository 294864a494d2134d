# FindFmiHeaders: the FMI 2.0 (and 3.0) C headers from the FMPy wheel (`pip install fmpy`), which
# ships the Modelica Association's headers in site-packages/fmpy/c-code/. legsim does not vendor them.
#
# Input (cache):
#   FMI_HEADERS_DIR  the directory holding fmi2Functions.h. Default: <fmpy package>/c-code, asked
#                    from Python_EXECUTABLE (if set) or python3 with `import fmpy`.
# Output:
#   FmiHeaders_FOUND, imported target fmi::headers (INTERFACE, the headers as system includes)
include(FindPackageHandleStandardArgs)

include(${CMAKE_CURRENT_LIST_DIR}/LegsimWheelDir.cmake)
if(NOT FMI_HEADERS_DIR)
  legsim_wheel_dir(fmpy _fmpy_dir _fmi_python)
  if(_fmpy_dir AND EXISTS "${_fmpy_dir}/c-code/fmi2Functions.h")
    set(FMI_HEADERS_DIR "${_fmpy_dir}/c-code" CACHE PATH "directory of fmi2Functions.h (the fmpy wheel's c-code/)")
  endif()
endif()

find_package_handle_standard_args(FmiHeaders
  REQUIRED_VARS FMI_HEADERS_DIR
  REASON_FAILURE_MESSAGE "`import fmpy` failed in ${_fmi_python} (pip install fmpy, or set FMI_HEADERS_DIR)")

if(FmiHeaders_FOUND AND NOT TARGET fmi::headers)
  add_library(fmi::headers INTERFACE IMPORTED)
  set_target_properties(fmi::headers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES "${FMI_HEADERS_DIR}"
                                                INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${FMI_HEADERS_DIR}")
endif()
