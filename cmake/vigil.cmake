# vigil_library(NAME SRCS ... DEPS ...): one static library per module. Dependencies are
# explicit, so a cycle between modules is a build error.
function(vigil_library name)
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  add_library(${name} STATIC ${A_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${A_DEPS})
endfunction()

# vigil_test(NAME SRCS ... DEPS ...): a GoogleTest binary registered with CTest. Tests run
# with the test's source folder as working directory so fixtures can be found.
function(vigil_test name)
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${A_SRCS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PRIVATE ${A_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
endfunction()

# vigil_fuzzer(NAME SRCS ... DEPS ...): a libFuzzer target, built only with -DVIGIL_FUZZ=ON
# (clang). Each is also run over its seed corpus in the normal build by a test that feeds
# the corpus files through the same entry point (see src/common/fuzz_main.cc).
function(vigil_fuzzer name)
  cmake_parse_arguments(A "" "" "SRCS;DEPS" ${ARGN})
  if(VIGIL_FUZZ)
    add_executable(${name} ${A_SRCS})
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_libraries(${name} PRIVATE ${A_DEPS})
  else()
    add_executable(${name} ${A_SRCS} ${PROJECT_SOURCE_DIR}/src/common/fuzz_main.cc)
    target_link_libraries(${name} PRIVATE ${A_DEPS})
    add_test(NAME ${name}_corpus COMMAND ${name} ${CMAKE_CURRENT_SOURCE_DIR}/testdata/${name})
  endif()
endfunction()
