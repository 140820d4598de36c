# tern_add_fuzzer(<name> SOURCES <src>... [LIBRARIES <lib>...])
#
# A libFuzzer target (fuzz preset, clang). Every object of that build already carries the
# fuzzer's coverage instrumentation (top-level CMakeLists.txt); the target adds libFuzzer's
# main. Name targets fuzz_<what>: tests/fuzz/run_fuzzers.sh runs every bin/fuzz_* binary.
function(tern_add_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  tern_fuzzers_target_add(${name})
endfunction()

# `fuzzers`: every fuzz target and only what they link (scripts/test.sh builds just this,
# so CI does not compile the broker's apps, plugins' modules and tools a second time).
function(tern_fuzzers_target_add name)
  if(NOT TARGET fuzzers)
    add_custom_target(fuzzers)
  endif()
  add_dependencies(fuzzers ${name})
endfunction()
