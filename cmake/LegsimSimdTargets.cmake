# The batch engine's extra SIMD targets (issue 22.2, src/batch/dispatch.hpp, docs/decisions.md).
#
# legsim compiles src/batch/worker.cpp and target.cpp with its own flags (SSE2 in a portable x86-64
# build, -march=native with LEGSIM_NATIVE). legsim_add_simd_targets() compiles them again for each
# extra instruction set, each in an object library with the set's -m flags, its xsimd architecture
# (LEGSIM_BATCH_ARCH) and its own namespace (LEGSIM_BATCH_NS); cmake/legsim_rename_weak.cmake then
# renames the weak code those objects emit, so that no function compiled for AVX-512 can stand in
# for another object's copy; the result is a source of legsim. At run time dispatch.cpp picks the
# widest target the CPU supports (or BatchOptions::simd, or LEGSIM_SIMD).
#
# Extras: x86-64, GCC (the objects' flags and __builtin_cpu_supports; Clang untested), GNU binutils
# for the renaming, no sanitizers (their instrumentation adds weak symbols of its own). Native builds
# get them all (for the tests and the per-target benchmark; their default stays the native worker);
# portable builds all but SSE2, which the library's own worker already is.

# name | xsimd architecture | flags (comma-separated). AVX-512: the F, CD, DQ, BW and VL subsets every
# AVX-512 CPU since Skylake-SP has (xsimd's avx512bw, what -march=native picks on such CPUs); FMA is
# named apart because -mavx512f does not imply it for scalar code.
set(LEGSIM_SIMD_TARGETS
    "sse2|xsimd::sse2|-msse2"
    "avx2|xsimd::fma3<xsimd::avx2>|-mavx2,-mfma"
    "avx512|xsimd::avx512bw|-mavx512f,-mavx512cd,-mavx512dq,-mavx512bw,-mavx512vl,-mavx2,-mfma")

function(legsim_add_simd_targets lib)
  set(LEGSIM_SIMD_TARGETS_BUILT "" PARENT_SCOPE)
  set(why "")
  if(NOT LEGSIM_SIMD_DISPATCH)
    set(why "LEGSIM_SIMD_DISPATCH=OFF")
  elseif(NOT CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(why "not x86-64 (${CMAKE_SYSTEM_PROCESSOR})")
  elseif(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    set(why "not GCC (${CMAKE_CXX_COMPILER_ID})")
  elseif(LEGSIM_SANITIZE OR LEGSIM_TSAN OR LEGSIM_FUZZ)
    set(why "sanitizer build")
  elseif(NOT CMAKE_NM OR NOT CMAKE_OBJCOPY OR NOT CMAKE_READELF)
    set(why "nm, objcopy or readelf not found")
  endif()
  if(why)
    message(STATUS "legsim batch engine: one SIMD target, the library's own (${why})")
    return()
  endif()

  set(sources ${PROJECT_SOURCE_DIR}/src/batch/worker.cpp ${PROJECT_SOURCE_DIR}/src/batch/target.cpp)
  set(built "")
  foreach(entry IN LISTS LEGSIM_SIMD_TARGETS)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 name)
    list(GET fields 1 arch)
    list(GET fields 2 flags)
    string(REPLACE "," ";" flags "${flags}")
    if(name STREQUAL "sse2" AND NOT LEGSIM_NATIVE)
      continue()
    endif()
    set(obj legsim_batch_${name})
    add_library(${obj} OBJECT ${sources})
    # Not linked to legsim: its usage requirements would bring -march=native in native builds.
    target_include_directories(${obj} PRIVATE ${PROJECT_SOURCE_DIR}/include)
    target_link_libraries(${obj} PRIVATE Eigen3::Eigen Boost::headers xsimd tomlplusplus::tomlplusplus
                                         NLopt::nlopt_cxx legsim_warnings)
    target_compile_definitions(${obj} PRIVATE LEGSIM_VERSION="${PROJECT_VERSION}" LEGSIM_BATCH_NS=arch_${name}
                                              "LEGSIM_BATCH_ARCH=${arch}" LEGSIM_BATCH_NAME="${name}")
    target_compile_options(${obj} PRIVATE ${flags})
    set(out ${PROJECT_BINARY_DIR}/simd/batch_${name}.o)
    add_custom_command(
      OUTPUT ${out}
      COMMAND ${CMAKE_COMMAND} "-DOBJECTS=$<TARGET_OBJECTS:${obj}>" -DOUTPUT=${out} -DSUFFIX=legsim_${name}
              -DCXX=${CMAKE_CXX_COMPILER} -DNM=${CMAKE_NM} -DOBJCOPY=${CMAKE_OBJCOPY} -DREADELF=${CMAKE_READELF}
              -P ${PROJECT_SOURCE_DIR}/cmake/legsim_rename_weak.cmake
      DEPENDS ${obj} $<TARGET_OBJECTS:${obj}> ${PROJECT_SOURCE_DIR}/cmake/legsim_rename_weak.cmake
      VERBATIM
      COMMENT "Renaming the weak symbols of the ${name} batch engine")
    set_source_files_properties(${out} PROPERTIES EXTERNAL_OBJECT TRUE GENERATED TRUE)
    target_sources(${lib} PRIVATE ${out})
    string(TOUPPER ${name} up)
    set_property(SOURCE ${PROJECT_SOURCE_DIR}/src/batch/dispatch.cpp APPEND PROPERTY COMPILE_DEFINITIONS
                 LEGSIM_BATCH_HAS_${up})
    list(APPEND built ${name})
  endforeach()
  message(STATUS "legsim batch engine: SIMD targets ${built} besides the library's own")
  set(LEGSIM_SIMD_TARGETS_BUILT ${built} PARENT_SCOPE)
endfunction()
