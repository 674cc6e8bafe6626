# SPDX-License-Identifier: Apache-2.0
#
# amp_add_core(): build one "core" program the way Zephyr builds an application:
# sources + a devicetree (board .dts plus overlays) + Kconfig fragments (prj.conf).
#
#   amp_add_core(<name>
#                SOURCES <c files...>
#                DTS <board.dts>
#                [OVERLAYS <overlay files...>]      # applied in order after the board
#                CONF <prj.conf> [<more fragments...>]
#                [DTS_INCLUDE_DIRS <dirs...>]       # for /include/ in the .dts
#                [INCLUDE_DIRS <dirs...>] [LIBS <libs...>] [LINK_OPTIONS <opts...>]
#                [REQUIRED])
#
# What it does:
#  1. reads the CONF files now (configure time): every line is CONFIG_<X>=<value>,
#     a comment, or blank; an unknown option, a value of the wrong type or an
#     unmet dependency stops the configuration with "<file>:<line>: <reason>".
#     The result is <build>/<name>_gen/autoconf.h (-imacros, as in Zephyr) and
#     decides which amplink components and compatibility sources are linked;
#  2. at build time compiles the devicetree with dtc (-@, so labels survive) and
#     runs amp_dtgen on it: devicetree_generated.h (DT_* macros) and
#     amp_dt_devices.c (devices and their static storage); a devicetree error
#     fails the build naming the node and the property;
#  3. builds executable <name> with the Zephyr compatibility headers on the
#     include path. The .dtb path is the target's AMP_DTB property.
#
# The same call works for firmware (AMP_PORT=baremetal, cross toolchain): the
# generator is then built with the host compiler, the mailbox driver is the
# MHU's, and LINK_OPTIONS carries the linker script. If a component the
# configuration needs is not part of this build, the core is skipped with a
# message (sets <name>_SKIPPED in the caller's scope), or is an error with REQUIRED.
#
# The same file, run as a script, checks configuration files:
#   cmake -DAMP_CONF_CHECK=<prj.conf>[;<fragment>...] -P cmake/AmpCore.cmake

if(CMAKE_SCRIPT_MODE_FILE)
  cmake_minimum_required(VERSION 3.20)
endif()

# name|type|default|help. Bools default n unless given y.
set(AMP_KCONFIG_OPTIONS
  "IPC_SERVICE|bool|n|the IPC service API (zephyr/ipc/ipc_service.h)"
  "IPC_SERVICE_BACKEND_ICMSG|bool|n|ICMsg transport (zephyr,ipc-icmsg), depends on IPC_SERVICE, selects MBOX"
  "IPC_SERVICE_BACKEND_RPMSG|bool|n|RPMsg static-vrings transport (zephyr,ipc-openamp-static-vrings), depends on IPC_SERVICE, selects MBOX"
  "MBOX|bool|n|the MBOX API and this port's mailbox driver"
  "IPM|bool|n|the IPM API and this port's mailbox driver"
  "PBUF_RX_READ_BUF_SIZE|int|128|largest ICMsg message a peer receives (sends above it fail with -EMSGSIZE) and our bounce buffer"
  "IPC_SERVICE_ICMSG_BOND_NOTIFY_REPEAT_TO_MS|int|1|ICMsg v1 re-notification period while bonding"
  "IPC_SERVICE_BACKEND_RPMSG_NUM_ENDPOINTS_PER_INSTANCE|int|2|RPMsg endpoints per instance"
  "IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT|int|4|RPMsg static-vrings layout alignment (must match the peer)"
  "IPC_SERVICE_BACKEND_RPMSG_SHMEM_RESET|bool|n|RPMsg host zeroes the shared status area at start"
  "AMP_IPC_SERVICE_AUTO_OPEN|bool|y|register_endpoint opens the instance if nobody did"
  "AMP_IPC_TRACE|bool|n|print every endpoint event (bound, unbound, received, error)"
  "AMP_CORE_ID|int|0|this core's id (k_spinlock holder id, 0..254)"
  "PRINTK|bool|y|accepted, printk is always available"
  "LOG|bool|n|accepted, LOG_* print through printk"
  "OPENAMP|bool|n|accepted, RPMsg needs no external OpenAMP"
)

# Parse CONF files; sets <out>_NAMES (enabled/valued options) and <out>_<NAME> values
# in the caller's scope. On error: FATAL_ERROR "<file>:<line>: <reason>".
function(amp_kconfig_parse out)
  set(known "")
  foreach(opt ${AMP_KCONFIG_OPTIONS})
    string(REPLACE "|" ";" f "${opt}")
    list(GET f 0 n)
    list(GET f 1 t)
    list(GET f 2 d)
    list(APPEND known ${n})
    set(type_${n} ${t})
    set(val_${n} ${d})
    set(where_${n} "default")
  endforeach()

  foreach(file ${ARGN})
    if(NOT EXISTS "${file}")
      message(FATAL_ERROR "${file}: configuration file not found")
    endif()
    file(READ "${file}" content)
    # ';' separates CMake list items: hide it while splitting into lines.
    string(REPLACE ";" "@AMP_SEMICOLON@" content "${content}")
    string(REPLACE "\n" ";" lines "${content}")
    set(lineno 0)
    foreach(line IN LISTS lines)
      math(EXPR lineno "${lineno} + 1")
      string(REPLACE "@AMP_SEMICOLON@" "\\;" line "${line}")
      string(STRIP "${line}" line)
      if(line STREQUAL "")
        continue()
      endif()
      if(line MATCHES "^# (CONFIG_[A-Za-z0-9_]+) is not set$")
        set(name "${CMAKE_MATCH_1}")
        set(value "n")
      elseif(line MATCHES "^#")
        continue()
      elseif(line MATCHES "^(CONFIG_[A-Za-z0-9_]+)=(.*)$")
        set(name "${CMAKE_MATCH_1}")
        set(value "${CMAKE_MATCH_2}")
      else()
        message(FATAL_ERROR "${file}:${lineno}: cannot parse '${line}' (expected CONFIG_<NAME>=<value>)")
      endif()
      string(REGEX REPLACE "^CONFIG_" "" n "${name}")
      if(NOT n IN_LIST known)
        message(FATAL_ERROR "${file}:${lineno}: unknown option ${name} (supported options are listed in docs/ZEPHYR-COMPAT.md)")
      endif()
      set(t ${type_${n}})
      if(t STREQUAL "bool" AND NOT value MATCHES "^[yn]$")
        message(FATAL_ERROR "${file}:${lineno}: ${name} is a bool: expected y or n, got '${value}'")
      elseif(t STREQUAL "int" AND NOT value MATCHES "^(-?[0-9]+|0x[0-9a-fA-F]+)$")
        message(FATAL_ERROR "${file}:${lineno}: ${name} is an int: expected a number, got '${value}'")
      elseif(t STREQUAL "string" AND NOT value MATCHES "^\".*\"$")
        message(FATAL_ERROR "${file}:${lineno}: ${name} is a string: expected \"...\", got '${value}'")
      endif()
      set(val_${n} "${value}")
      set(where_${n} "${file}:${lineno}")
    endforeach()
  endforeach()

  # Dependencies and selections, as in Zephyr's Kconfig.
  foreach(be ICMSG RPMSG)
    if(val_IPC_SERVICE_BACKEND_${be} STREQUAL "y")
      if(NOT val_IPC_SERVICE STREQUAL "y")
        message(FATAL_ERROR "${where_IPC_SERVICE_BACKEND_${be}}: CONFIG_IPC_SERVICE_BACKEND_${be} depends on CONFIG_IPC_SERVICE=y")
      endif()
      set(val_MBOX y)
    endif()
  endforeach()
  if(val_PBUF_RX_READ_BUF_SIZE LESS 8)
    message(FATAL_ERROR "${where_PBUF_RX_READ_BUF_SIZE}: CONFIG_PBUF_RX_READ_BUF_SIZE must be at least 8")
  endif()
  if(val_AMP_CORE_ID LESS 0 OR val_AMP_CORE_ID GREATER 254)
    message(FATAL_ERROR "${where_AMP_CORE_ID}: CONFIG_AMP_CORE_ID must be 0..254")
  endif()
  math(EXPR a "${val_IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT}")
  math(EXPR pow2 "${a} & (${a} - 1)")
  if(a LESS 1 OR NOT pow2 EQUAL 0)
    message(FATAL_ERROR "${where_IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT}: CONFIG_IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT must be a power of two")
  endif()

  set(names "")
  foreach(n ${known})
    if(NOT val_${n} STREQUAL "n")
      list(APPEND names ${n})
    endif()
    set(${out}_${n} "${val_${n}}" PARENT_SCOPE)
  endforeach()
  set(${out}_NAMES ${names} PARENT_SCOPE)
endfunction()

# Write autoconf.h for a parsed configuration.
function(amp_kconfig_write prefix path)
  set(text "/* Generated from the configuration files by amp_add_core(). Do not edit. */\n")
  foreach(n ${${prefix}_NAMES})
    set(v "${${prefix}_${n}}")
    if(v STREQUAL "y")
      set(v 1)
    endif()
    string(APPEND text "#define CONFIG_${n} ${v}\n")
  endforeach()
  if(EXISTS "${path}")
    file(READ "${path}" old)
  endif()
  if(NOT old STREQUAL text)
    file(WRITE "${path}" "${text}")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  if(AMP_CONF_CHECK)
    amp_kconfig_parse(CHK ${AMP_CONF_CHECK})
    foreach(n ${CHK_NAMES})
      message("CONFIG_${n}=${CHK_${n}}")
    endforeach()
  endif()
  return()
endif()

set(AMP_CORE_COMPAT_DIR ${CMAKE_CURRENT_LIST_DIR}/../compat/zephyr)
get_filename_component(AMP_CORE_COMPAT_DIR ${AMP_CORE_COMPAT_DIR} ABSOLUTE)

function(amp_add_core name)
  cmake_parse_arguments(A "REQUIRED" "DTS"
    "SOURCES;OVERLAYS;CONF;DTS_INCLUDE_DIRS;INCLUDE_DIRS;LIBS;LINK_OPTIONS" ${ARGN})
  if(NOT A_DTS OR NOT A_CONF OR NOT A_SOURCES)
    message(FATAL_ERROR "amp_add_core(${name}): SOURCES, DTS and CONF are required")
  endif()
  set(gen ${CMAKE_CURRENT_BINARY_DIR}/${name}_gen)
  file(MAKE_DIRECTORY ${gen})

  # 1. Configuration.
  set(conf_files "")
  foreach(f ${A_CONF})
    get_filename_component(f ${f} ABSOLUTE)
    list(APPEND conf_files ${f})
  endforeach()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${conf_files})
  amp_kconfig_parse(K ${conf_files})
  amp_kconfig_write(K ${gen}/autoconf.h)

  set(components base port spinlock)
  set(compat_src ${AMP_CORE_COMPAT_DIR}/src/kernel.c ${AMP_CORE_COMPAT_DIR}/src/dt_init.c)
  if(K_IPC_SERVICE STREQUAL "y")
    list(APPEND components service)
    list(APPEND compat_src ${AMP_CORE_COMPAT_DIR}/src/ipc_service.c)
  endif()
  if(K_IPC_SERVICE_BACKEND_ICMSG STREQUAL "y")
    list(APPEND components icmsg pbuf)
  endif()
  if(K_IPC_SERVICE_BACKEND_RPMSG STREQUAL "y")
    list(APPEND components rpmsg vring)
  endif()
  if(K_MBOX STREQUAL "y" OR K_IPM STREQUAL "y")
    list(APPEND components mbox)
    if(AMP_PORT STREQUAL "posix")
      list(APPEND components mbox_linux)
    else()
      list(APPEND components mbox_mhu)
    endif()
    list(APPEND compat_src ${AMP_CORE_COMPAT_DIR}/src/drivers.c)
  endif()
  set(libs "")
  set(missing "")
  foreach(c ${components})
    if(TARGET amplink_${c})
      list(APPEND libs amplink_${c})
    else()
      list(APPEND missing amplink_${c})
    endif()
  endforeach()
  if(NOT AMP_DTGEN_TARGET OR NOT AMP_DTC)
    list(APPEND missing "amp_dtgen/dtc (libfdt-dev, device-tree-compiler)")
  endif()
  if(missing)
    if(A_REQUIRED)
      message(FATAL_ERROR "amp_add_core(${name}): this build lacks ${missing}")
    endif()
    message(STATUS "amp_add_core(${name}): skipped, this build lacks ${missing}")
    set(${name}_SKIPPED TRUE PARENT_SCOPE)
    return()
  endif()

  # 2. Devicetree: board + overlays -> one .dts -> .dtb -> generated header/source.
  get_filename_component(board ${A_DTS} ABSOLUTE)
  get_filename_component(board_dir ${board} DIRECTORY)
  set(top "/* Generated by amp_add_core(${name}). */\n/include/ \"${board}\"\n")
  set(dts_deps ${board})
  set(dts_dirs ${board_dir})
  set(shown ${A_DTS})
  foreach(o ${A_OVERLAYS})
    get_filename_component(o ${o} ABSOLUTE)
    get_filename_component(odir ${o} DIRECTORY)
    string(APPEND top "/include/ \"${o}\"\n")
    list(APPEND dts_deps ${o})
    list(APPEND dts_dirs ${odir})
    get_filename_component(oname ${o} NAME)
    string(APPEND shown "+${oname}")
  endforeach()
  foreach(d ${A_DTS_INCLUDE_DIRS})
    get_filename_component(d ${d} ABSOLUTE)
    list(APPEND dts_dirs ${d})
  endforeach()
  list(REMOVE_DUPLICATES dts_dirs)
  set(inc_args "")
  foreach(d ${dts_dirs})
    list(APPEND inc_args -i ${d})
    file(GLOB dtsi ${d}/*.dtsi)
    list(APPEND dts_deps ${dtsi})
  endforeach()
  file(WRITE ${gen}/${name}.dts.tmp "${top}")
  file(COPY_FILE ${gen}/${name}.dts.tmp ${gen}/${name}.dts ONLY_IF_DIFFERENT)
  add_custom_command(OUTPUT ${gen}/${name}.dtb
    COMMAND ${AMP_DTC} -q -@ -I dts -O dtb ${inc_args} -o ${gen}/${name}.dtb ${gen}/${name}.dts
    DEPENDS ${gen}/${name}.dts ${dts_deps}
    COMMENT "Devicetree of ${name}: ${shown}")
  add_custom_command(OUTPUT ${gen}/devicetree_generated.h ${gen}/amp_dt_devices.c
    COMMAND ${AMP_DTGEN_EXE} --dtb ${gen}/${name}.dtb --header ${gen}/devicetree_generated.h
            --source ${gen}/amp_dt_devices.c --name ${shown}
    DEPENDS ${gen}/${name}.dtb ${AMP_DTGEN_TARGET} ${AMP_DTGEN_EXE}
    COMMENT "Generating devicetree header and devices of ${name}")

  # 3. The program.
  add_executable(${name} ${A_SOURCES} ${gen}/amp_dt_devices.c ${gen}/devicetree_generated.h
    ${compat_src})
  target_include_directories(${name} PRIVATE ${gen} ${AMP_CORE_COMPAT_DIR}/include
    ${AMP_CORE_COMPAT_DIR}/src ${PROJECT_SOURCE_DIR}/include ${A_INCLUDE_DIRS})
  target_compile_options(${name} PRIVATE -imacros ${gen}/autoconf.h)
  if(AMP_PORT STREQUAL "posix")
    target_compile_definitions(${name} PRIVATE AMP_PORT_POSIX=1)
  else()
    target_compile_definitions(${name} PRIVATE AMP_PORT_BAREMETAL=1)
  endif()
  target_link_libraries(${name} PRIVATE ${libs} ${A_LIBS})
  if(A_LINK_OPTIONS)
    target_link_options(${name} PRIVATE ${A_LINK_OPTIONS})
  endif()
  amp_target_flags(${name})
  set_target_properties(${name} PROPERTIES AMP_DTB ${gen}/${name}.dtb AMP_GEN_DIR ${gen})
  set(${name}_SKIPPED FALSE PARENT_SCOPE)
endfunction()
