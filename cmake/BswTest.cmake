# bsw_test(NAME <name> SOURCES <files...> LABEL <unit|numeric|net|e2e>
#          [LIBS <targets...>] [TIMEOUT <seconds>] [ARGS <args...>])
# One test file becomes one executable and one CTest test. Exit code 77 means
# "skipped" (missing ../shared data), as CTest's SKIP_RETURN_CODE.
function(bsw_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS;ARGS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS})
  target_include_directories(${T_NAME} PRIVATE ${CMAKE_SOURCE_DIR}/common/util)
  add_test(NAME ${T_NAME} COMMAND ${T_NAME} ${T_ARGS})
  set_tests_properties(${T_NAME} PROPERTIES
    LABELS "${T_LABEL}"
    TIMEOUT ${T_TIMEOUT}
    SKIP_RETURN_CODE 77
    ENVIRONMENT "BSW_SHARED=${BSW_SHARED_DIR};BSW_BIN_DIR=${CMAKE_BINARY_DIR}/bin;BSW_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
