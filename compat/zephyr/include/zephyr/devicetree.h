/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/devicetree.h
 * @brief Zephyr's devicetree macros over the header amp_dtgen generated from
 * this core's devicetree (amplink compatibility layer).
 *
 * Node identifiers are Zephyr's: DT_N for the root, then "_S_<name>" per path
 * component, lower case with every other character turned into '_'
 * (`/reserved-memory/shared_ram@20040000` is
 * `DT_N_S_reserved_memory_S_shared_ram_20040000`). Every macro below expands
 * to a compile-time constant; a node, property or label that does not exist
 * is a compile error, as in Zephyr.
 *
 * Property names are written as C tokens: `dcache-alignment` is
 * `dcache_alignment`, `zephyr,buffer-size` is `zephyr_buffer_size`.
 * Value forms: a single cell is an integer, several cells an initialiser
 * `{a, b}`, one string a string literal, several strings `{"a", "b"}`, an empty
 * property 1, a phandle the node identifier it refers to.
 *
 * Not provided: DT_INST_* / DT_DRV_COMPAT instance iteration, DT_FOREACH_*.
 */
#ifndef AMP_ZEPHYR_DEVICETREE_H
#define AMP_ZEPHYR_DEVICETREE_H

#include <zephyr/sys/util.h>

#include <devicetree_generated.h>

/* Pasting helpers (arguments already expanded by the public macros). */
#define DT_CAT(a, b) a##b
#define DT_CAT3(a, b, c) a##b##c
#define DT_CAT4(a, b, c, d) a##b##c##d
#define DT_CAT5(a, b, c, d, e) a##b##c##d##e
#define DT_CAT6(a, b, c, d, e, f) a##b##c##d##e##f
#define DT_CAT7(a, b, c, d, e, f, g) a##b##c##d##e##f##g

/** @name Node identifiers */
/**@{*/
#define DT_ROOT DT_N
#define DT_NODELABEL(label) DT_CAT(DT_N_NODELABEL_, label)
#define DT_ALIAS(alias) DT_CAT(DT_N_ALIAS_, alias)
#define DT_CHOSEN(prop) DT_CAT(DT_N_CHOSEN_, prop)
#define DT_HAS_CHOSEN(prop) IS_ENABLED(DT_CAT3(DT_CHOSEN_, prop, _EXISTS))
#define DT_PATH(...) Z_AMP_DT_PATH_N(__VA_ARGS__, Z_AMP_DT_P4, Z_AMP_DT_P3, Z_AMP_DT_P2, \
				     Z_AMP_DT_P1, ~)(__VA_ARGS__)
#define Z_AMP_DT_PATH_N(a, b, c, d, m, ...) m
#define Z_AMP_DT_P1(a) DT_N_S_##a
#define Z_AMP_DT_P2(a, b) DT_N_S_##a##_S_##b
#define Z_AMP_DT_P3(a, b, c) DT_N_S_##a##_S_##b##_S_##c
#define Z_AMP_DT_P4(a, b, c, d) DT_N_S_##a##_S_##b##_S_##c##_S_##d
/**@}*/

/** @name Existence and status */
/**@{*/
#define DT_NODE_EXISTS(node_id) IS_ENABLED(DT_CAT(node_id, _EXISTS))
#define DT_NODE_HAS_STATUS(node_id, status) IS_ENABLED(DT_CAT3(node_id, _STATUS_, status))
#define DT_NODE_HAS_STATUS_OKAY(node_id) DT_NODE_HAS_STATUS(node_id, okay)
#define DT_NODE_HAS_COMPAT(node_id, compat) IS_ENABLED(DT_CAT3(node_id, _COMPAT_MATCHES_, compat))
#define DT_NODE_HAS_PROP(node_id, prop) IS_ENABLED(DT_CAT4(node_id, _P_, prop, _EXISTS))
#define DT_SAME_NODE(a, b) (DT_DEP_ORD(a) == DT_DEP_ORD(b))
#define DT_DEP_ORD(node_id) DT_CAT(node_id, _ORD)
#define DT_NODE_PATH(node_id) DT_CAT(node_id, _PATH)
#define DT_NODE_FULL_NAME(node_id) DT_CAT(node_id, _FULL_NAME)
/**@}*/

/** @name Properties */
/**@{*/
#define DT_PROP(node_id, prop) DT_CAT3(node_id, _P_, prop)
#define DT_PROP_LEN(node_id, prop) DT_CAT4(node_id, _P_, prop, _LEN)
#define DT_PROP_BY_IDX(node_id, prop, idx) DT_CAT5(node_id, _P_, prop, _IDX_, idx)
#define DT_PROP_HAS_IDX(node_id, prop, idx) IS_ENABLED(DT_CAT6(node_id, _P_, prop, _IDX_, idx, _EXISTS))
#define DT_PROP_OR(node_id, prop, default_value) \
	Z_AMP_COND(DT_NODE_HAS_PROP(node_id, prop), (DT_PROP(node_id, prop)), (default_value))
#define DT_STRING_TOKEN(node_id, prop) DT_CAT4(node_id, _P_, prop, _STRING_TOKEN)
#define DT_PHANDLE(node_id, prop) DT_PHANDLE_BY_IDX(node_id, prop, 0)
#define DT_PHANDLE_BY_IDX(node_id, prop, idx) DT_CAT6(node_id, _P_, prop, _IDX_, idx, _PH)
#define DT_PHANDLE_BY_NAME(node_id, pha, name) DT_CAT6(node_id, _P_, pha, _NAME_, name, _PH)
#define DT_PHA_BY_IDX(node_id, pha, idx, cell) DT_CAT7(node_id, _P_, pha, _IDX_, idx, _VAL_, cell)
#define DT_PHA_BY_NAME(node_id, pha, name, cell) DT_CAT7(node_id, _P_, pha, _NAME_, name, _VAL_, cell)
/**@}*/

/** @name reg */
/**@{*/
#define DT_NUM_REGS(node_id) DT_CAT(node_id, _REG_NUM)
#define DT_REG_HAS_IDX(node_id, idx) IS_ENABLED(DT_CAT4(node_id, _REG_IDX_, idx, _EXISTS))
#define DT_REG_ADDR_BY_IDX(node_id, idx) DT_CAT4(node_id, _REG_IDX_, idx, _VAL_ADDRESS)
#define DT_REG_SIZE_BY_IDX(node_id, idx) DT_CAT4(node_id, _REG_IDX_, idx, _VAL_SIZE)
/** First `reg` address; an unsigned long constant (pointer-sized on Linux and Cortex-M). */
#define DT_REG_ADDR(node_id) DT_REG_ADDR_BY_IDX(node_id, 0)
/** First `reg` size in bytes. */
#define DT_REG_SIZE(node_id) DT_REG_SIZE_BY_IDX(node_id, 0)
/**@}*/

/** @name Mailboxes */
/**@{*/
#define DT_MBOX_CTLR_BY_NAME(node_id, name) DT_PHANDLE_BY_NAME(node_id, mboxes, name)
#define DT_MBOX_CHANNEL_BY_NAME(node_id, name) DT_PHA_BY_NAME(node_id, mboxes, name, channel)
#define DT_MBOX_CTLR_BY_IDX(node_id, idx) DT_PHANDLE_BY_IDX(node_id, mboxes, idx)
#define DT_MBOX_CHANNEL_BY_IDX(node_id, idx) DT_PHA_BY_IDX(node_id, mboxes, idx, channel)
/**@}*/

#endif /* AMP_ZEPHYR_DEVICETREE_H */
