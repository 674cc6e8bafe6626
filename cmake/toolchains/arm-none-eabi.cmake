# SPDX-License-Identifier: Apache-2.0
# Cross toolchain for bare-metal Cortex-M (Debian: gcc-arm-none-eabi, libnewlib-arm-none-eabi).
#
#   cmake -S . -B build-fw -DAMP_PORT=baremetal \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/arm-none-eabi.cmake -DCMAKE_BUILD_TYPE=MinSizeRel
#
# AMP_CPU selects the core (default cortex-m33+nofp: the SSE-200 core 0 of
# mps2-an521 has no FPU, so every image is soft-float and runs on either core).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(AMP_TOOLCHAIN_PREFIX arm-none-eabi- CACHE STRING "Cross tool prefix")
set(CMAKE_C_COMPILER ${AMP_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_ASM_COMPILER ${AMP_TOOLCHAIN_PREFIX}gcc)
set(CMAKE_AR ${AMP_TOOLCHAIN_PREFIX}ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${AMP_TOOLCHAIN_PREFIX}ranlib CACHE FILEPATH "")
set(CMAKE_OBJCOPY ${AMP_TOOLCHAIN_PREFIX}objcopy CACHE FILEPATH "")
set(CMAKE_SIZE ${AMP_TOOLCHAIN_PREFIX}size CACHE FILEPATH "")

# Compiler checks cannot link a program without our start-up code.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(AMP_CPU "cortex-m33+nofp" CACHE STRING "-mcpu value for the firmware build")
set(AMP_CPU_FLAGS "-mcpu=${AMP_CPU} -mthumb -mfloat-abi=soft")

# -ffunction-sections/-fdata-sections + --gc-sections: only what an image calls
# is linked. -fstack-usage writes a .su file beside every object for
# scripts/size-report.sh. No exceptions/unwind tables on bare metal.
# __FILE__ (assert messages) relative to the source tree: shorter strings in
# flash and no build-machine paths in the image.
get_filename_component(AMP_SOURCE_ROOT "${CMAKE_CURRENT_LIST_DIR}/../.." REALPATH)

set(CMAKE_C_FLAGS_INIT
    "${AMP_CPU_FLAGS} -fmacro-prefix-map=${AMP_SOURCE_ROOT}/= -ffunction-sections -fdata-sections -ffreestanding -fno-common -fstack-usage -fcallgraph-info=su -fno-asynchronous-unwind-tables")
set(CMAKE_ASM_FLAGS_INIT "${AMP_CPU_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "${AMP_CPU_FLAGS} -nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,--no-warn-rwx-segments")

set(CMAKE_C_FLAGS_MINSIZEREL_INIT "-Os -DNDEBUG")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
