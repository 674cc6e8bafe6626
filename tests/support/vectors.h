/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reader for the golden shared-memory vectors (shared/vectors/<family>/<case>/):
 * case.txt parameters and records, and the NN.bin images. Test-only code; it
 * allocates freely.
 */
#ifndef AMP_TEST_VECTORS_H
#define AMP_TEST_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AMP_VEC_MAX_TOKENS 24

/** One `key=value` or bare token of a record line. */
struct amp_vec_token {
	char *key;   /**< text before '=' (or the whole token if there is none) */
	char *value; /**< text after '=', or NULL */
};

/** One `step` or `event` line. */
struct amp_vec_record {
	bool is_event;  /**< false: step line; true: event line */
	int n;          /**< step number */
	char *actor;    /**< "tx", "rx", "A", "B", "host", "remote", "test", ... */
	char *call;     /**< call or event name ("pbuf_write", "bound", ...) */
	struct amp_vec_token tok[AMP_VEC_MAX_TOKENS]; /**< remaining tokens in order */
	int ntok;
	char *storage_; /**< owns the strings above */
};

struct amp_vec_case {
	char *dir;   /**< the case folder */
	char *name;  /**< the case name (folder's last component) */
	char **keys; /**< parameter keys ... */
	char **vals; /**< ... and their values */
	int nparams;
	struct amp_vec_record *rec; /**< records in file order */
	int nrec;
};

/** Directory holding the vector families (AMP_VECTORS_DIR, or $AMP_VECTORS_DIR at run time). */
const char *amp_vec_root(void);

/** List the case folders of a family ("pbuf", "icmsg", "rpmsg_static_vrings"), sorted.
 *  Returns the count; *names is a malloc'd array of malloc'd strings. */
int amp_vec_list(const char *family, char ***names);

/** Load a case; returns 0 or -1 (message on stderr). */
int amp_vec_load(struct amp_vec_case *c, const char *family, const char *name);
void amp_vec_free(struct amp_vec_case *c);

/** Parameter value, or NULL. */
const char *amp_vec_param(const struct amp_vec_case *c, const char *key);
/** Parameter as a number (decimal or 0x hex); @p dflt when absent or "none". */
long amp_vec_param_long(const struct amp_vec_case *c, const char *key, long dflt);

/** Token value of a record by key, or NULL. */
const char *amp_vec_get(const struct amp_vec_record *r, const char *key);
/** Token value as a number (decimal or 0x hex); @p dflt when absent. */
long amp_vec_get_long(const struct amp_vec_record *r, const char *key, long dflt);

/**
 * Parse a `ret=` value: a decimal number, "void" (returns 0 and sets *is_void),
 * "-ENAME" (returns the AMP_E* value of that name) or "0x..." (a 32-bit word).
 * Unknown names make the test fail loudly (returns INT32_MIN).
 */
long amp_vec_ret(const char *text, bool *is_void);

/** Load image file @p file of the case into a malloc'd buffer; *size gets its length. */
uint8_t *amp_vec_image(const struct amp_vec_case *c, const char *file, size_t *size);

/** Payload rule of the vectors: byte k of message m is (m*31 + k) & 0xff. */
void amp_vec_payload(uint8_t *buf, size_t len, long msg);

/** Print the first differing bytes of two images (for failure messages). Returns
 *  true if equal. */
bool amp_vec_compare(const uint8_t *want, const uint8_t *got, size_t size, const char *what);

#endif /* AMP_TEST_VECTORS_H */
