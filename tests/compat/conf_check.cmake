# SPDX-License-Identifier: Apache-2.0
# Check one configuration file with cmake/AmpCore.cmake in script mode.
#   cmake -DCORE=<AmpCore.cmake> -DCONF=<file> -DEXPECT=<regex> [-DSHOULD_FAIL=1] -P conf_check.cmake
cmake_minimum_required(VERSION 3.20)
execute_process(COMMAND ${CMAKE_COMMAND} -DAMP_CONF_CHECK=${CONF} -P ${CORE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
set(all "${out}${err}")
message("${all}")
# CMake wraps long messages: compare with all whitespace runs as one space.
string(REGEX REPLACE "[ \t\r\n]+" " " all "${all}")
if(SHOULD_FAIL AND rc EQUAL 0)
  message(FATAL_ERROR "expected ${CONF} to be refused, it was accepted")
endif()
if(NOT SHOULD_FAIL AND NOT rc EQUAL 0)
  message(FATAL_ERROR "expected ${CONF} to be accepted, it was refused")
endif()
if(NOT all MATCHES "${EXPECT}")
  message(FATAL_ERROR "output does not match '${EXPECT}'")
endif()
message("conf_check: ok")
