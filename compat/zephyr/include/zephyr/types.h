/* SPDX-License-Identifier: Apache-2.0 */
/** @file zephyr/types.h @brief Fixed-width types (amplink compatibility layer). */
#ifndef AMP_ZEPHYR_TYPES_H
#define AMP_ZEPHYR_TYPES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif
