# SPDX-License-Identifier: Apache-2.0
# Helpers shared by every part of the build: warning flags, sanitizers, and
# amp_add_component(), which makes one small static library per responsibility
# (amplink_<name>, alias amplink::<name>) and records it so that the umbrella
# target amplink::amplink links every component that was built.

set(AMP_WARNING_FLAGS
  -Wall -Wextra -Wpedantic -Wshadow -Wundef -Wstrict-prototypes
  -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wformat=2 -Wvla)

function(amp_target_flags target)
  target_compile_options(${target} PRIVATE ${AMP_WARNING_FLAGS})
  if(AMP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

set(AMP_CONFIG_DEFS "" CACHE STRING
  "Feature switches of include/amplink/config.h as a list of NAME=VALUE (default: all on)")

if(AMP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# amp_add_component(<name> SOURCES <files...> [DEPENDS <components...>] [LIBS <libs...>])
function(amp_add_component name)
  cmake_parse_arguments(C "" "" "SOURCES;DEPENDS;LIBS" ${ARGN})
  add_library(amplink_${name} STATIC ${C_SOURCES})
  add_library(amplink::${name} ALIAS amplink_${name})
  target_include_directories(amplink_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  foreach(dep ${C_DEPENDS})
    target_link_libraries(amplink_${name} PUBLIC amplink_${dep})
  endforeach()
  if(C_LIBS)
    target_link_libraries(amplink_${name} PUBLIC ${C_LIBS})
  endif()
  # Feature switches of include/amplink/config.h for the whole build; public,
  # so applications see the same values as the library.
  if(AMP_CONFIG_DEFS)
    target_compile_definitions(amplink_${name} PUBLIC ${AMP_CONFIG_DEFS})
  endif()
  amp_target_flags(amplink_${name})
  set_property(GLOBAL APPEND PROPERTY AMP_COMPONENTS amplink_${name})
endfunction()
