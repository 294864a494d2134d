# cmake -P script: makes one SIMD target's objects of the batch engine self-contained (issue 22.2,
# cmake/LegsimSimdTargets.cmake). Those objects are compiled with instruction-set flags (-mavx2,
# -mavx512f, ...) the rest of the library is not; the inline functions and template instantiations
# they emit (std::string's, Boost's exception classes', StanceConstants<double>'s, ...) are weak
# symbols in COMDAT groups that the linker merges with other objects' copies, keeping one. Were it
# to keep this object's copy, code of the rest of the library would run AVX-512 instructions on a CPU
# without them. So every weak function and vtable (code, or pointers to code) defined here is renamed
# to <name>.<SUFFIX>, with the COMDAT groups whose signature it is or whose signature is a local
# symbol (GCC's C5/D5 constructor and destructor groups): this object then uses its own copies, and
# nobody else can. Type information, DWARF references and inline/static data (no code) keep their
# names and stay merged.
#
# In: OBJECTS (;-list), OUTPUT, SUFFIX, CXX (the compiler, for the partial link -r), NM, OBJCOPY,
# READELF.
foreach(v OBJECTS OUTPUT SUFFIX CXX NM OBJCOPY READELF)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "legsim_rename_weak.cmake: ${v} is not set")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "legsim_rename_weak.cmake: ${ARGN} failed (${rc}): ${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

get_filename_component(dir "${OUTPUT}" DIRECTORY)
file(MAKE_DIRECTORY "${dir}")
set(combined "${OUTPUT}.combined.o")
run(${CXX} -r -nostdlib -o ${combined} ${OBJECTS})

# Defined symbols, POSIX format: "name type value size".
run(${NM} -P --defined-only ${combined})
string(REPLACE "\n" ";" lines "${out}")
set(renamed "")
set(globals "")
foreach(line IN LISTS lines)
  if(line MATCHES "^([^ ]+) ([A-Za-z]) ")
    set(name "${CMAKE_MATCH_1}")
    set(type "${CMAKE_MATCH_2}")
    if(type MATCHES "^[A-Z]$|^u$")
      list(APPEND globals "${name}")
    endif()
    if(type STREQUAL "W" OR (type STREQUAL "V" AND name MATCHES "^_ZT[VTC]"))
      list(APPEND renamed "${name}")
    endif()
  endif()
endforeach()

# COMDAT group signatures: rename those of renamed symbols (already listed) and the local ones.
run(${READELF} -gW ${combined})
string(REPLACE "\n" ";" lines "${out}")
foreach(line IN LISTS lines)
  if(line MATCHES "COMDAT group section \\[ *[0-9]+\\] `[^']*' \\[([^]]+)\\]")
    set(sig "${CMAKE_MATCH_1}")
    list(FIND globals "${sig}" is_global)
    if(is_global EQUAL -1)
      list(APPEND renamed "${sig}")
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES renamed)

set(map "")
foreach(name IN LISTS renamed)
  string(APPEND map "${name} ${name}.${SUFFIX}\n")
endforeach()
file(WRITE "${OUTPUT}.symbols" "${map}")
run(${OBJCOPY} --redefine-syms=${OUTPUT}.symbols ${combined} ${OUTPUT})
file(REMOVE ${combined})
