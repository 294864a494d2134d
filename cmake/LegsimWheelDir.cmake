# legsim_wheel_dir(<module> <out_var> <python_var>): the package directory of a Python module
# installed from a wheel (site-packages/<module>), asked from Python_EXECUTABLE if set, else from
# python3 found on PATH (cached as <MODULE>_PYTHON_EXECUTABLE). <out_var> is empty when the import
# fails; <python_var> receives the interpreter asked (for the caller's not-found message). Used by
# FindCasadiWheel (CasADi's C++ library) and FindFmiHeaders (FMPy's FMI headers).
function(legsim_wheel_dir module out_var python_var)
  if(Python_EXECUTABLE)
    set(_python "${Python_EXECUTABLE}")
  else()
    string(TOUPPER "${module}" _upper)
    find_program(${_upper}_PYTHON_EXECUTABLE NAMES python3 python DOC "Python used to locate the ${module} wheel")
    mark_as_advanced(${_upper}_PYTHON_EXECUTABLE)
    set(_python "${${_upper}_PYTHON_EXECUTABLE}")
  endif()
  set(_dir "")
  if(_python)
    execute_process(
      COMMAND "${_python}" -c "import ${module}, os; print(os.path.dirname(${module}.__file__), end='')"
      RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_QUIET)
    if(_rc EQUAL 0 AND IS_DIRECTORY "${_out}")
      set(_dir "${_out}")
    endif()
  endif()
  set(${out_var} "${_dir}" PARENT_SCOPE)
  set(${python_var} "${_python}" PARENT_SCOPE)
endfunction()
