/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/sys/util.h
 * @brief The small utility macros Zephyr IPC code uses (amplink compatibility layer).
 */
#ifndef AMP_ZEPHYR_SYS_UTIL_H
#define AMP_ZEPHYR_SYS_UTIL_H

#include <stddef.h>
#include <stdint.h>

#ifndef BIT
#define BIT(n) (1UL << (n))
#endif
#define BIT_MASK(n) (BIT(n) - 1UL)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#ifndef MIN
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) (((a) > (b)) ? (a) : (b))
#endif
#define ROUND_UP(x, align) ((((x) + (align) - 1) / (align)) * (align))
#define ROUND_DOWN(x, align) (((x) / (align)) * (align))
#define DIV_ROUND_UP(n, d) (((n) + (d) - 1) / (d))
#define CONTAINER_OF(ptr, type, field) ((type *)(void *)(((char *)(ptr)) - offsetof(type, field)))
#define ARG_UNUSED(x) (void)(x)

/* Token pasting that expands its arguments first. */
#define Z_AMP_CAT(a, b) Z_AMP_CAT_(a, b)
#define Z_AMP_CAT_(a, b) a##b

/*
 * IS_ENABLED(CONFIG_X): 1 when CONFIG_X is defined as 1, else 0, usable in C
 * expressions and #if. A macro defined as 1 turns the placeholder into "0,"
 * which shifts the argument list so the second slot holds 1.
 */
#define Z_AMP_PLACEHOLDER_1 0,
#define Z_AMP_IS_ENABLED1(x) Z_AMP_IS_ENABLED2(Z_AMP_PLACEHOLDER_##x)
#define Z_AMP_IS_ENABLED2(arg) Z_AMP_IS_ENABLED3(arg 1, 0, 0)
#define Z_AMP_IS_ENABLED3(skip, val, ...) val
#define IS_ENABLED(config) Z_AMP_IS_ENABLED1(config)

/* Z_AMP_COND(flag, (a), (b)): a when flag expands to 1, b when it expands to 0. */
#define Z_AMP_STRIP(...) __VA_ARGS__
#define Z_AMP_COND(flag, a, b) Z_AMP_COND_(flag, a, b)
#define Z_AMP_COND_(flag, a, b) Z_AMP_COND_##flag(a, b)
#define Z_AMP_COND_1(a, b) Z_AMP_STRIP a
#define Z_AMP_COND_0(a, b) Z_AMP_STRIP b
#define COND_CODE_1(flag, a, b) Z_AMP_COND(flag, a, b)

#endif /* AMP_ZEPHYR_SYS_UTIL_H */
