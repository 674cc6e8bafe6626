/* SPDX-License-Identifier: Apache-2.0 */
/* Reader for the golden vectors; see vectors.h. Test-only code. */
#define _GNU_SOURCE
#include "vectors.h"

#include <amplink/errno.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *amp_vec_root(void)
{
	const char *env = getenv("AMP_VECTORS_DIR");
	if (env && *env) {
		return env;
	}
#ifdef AMP_VECTORS_DIR
	return AMP_VECTORS_DIR;
#else
	return "../shared/vectors";
#endif
}

static int amp_vec_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int amp_vec_list(const char *family, char ***names)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", amp_vec_root(), family);
	DIR *d = opendir(path);
	*names = NULL;
	if (!d) {
		fprintf(stderr, "vectors: cannot open %s\n", path);
		return 0;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') {
			continue;
		}
		char cf[8192];
		snprintf(cf, sizeof(cf), "%s/%s/case.txt", path, e->d_name);
		FILE *f = fopen(cf, "r");
		if (!f) {
			continue;
		}
		fclose(f);
		*names = realloc(*names, sizeof(char *) * (size_t)(n + 1));
		(*names)[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(*names, (size_t)n, sizeof(char *), amp_vec_cmp);
	return n;
}

static void amp_vec_tokenize(struct amp_vec_record *r, char *rest)
{
	char *save = NULL;
	for (char *t = strtok_r(rest, " ", &save); t && r->ntok < AMP_VEC_MAX_TOKENS;
	     t = strtok_r(NULL, " ", &save)) {
		struct amp_vec_token *tk = &r->tok[r->ntok++];
		char *eq = strchr(t, '=');
		tk->key = t;
		tk->value = NULL;
		if (eq) {
			*eq = '\0';
			tk->value = eq + 1;
			/* text="..." may contain spaces: glue the pieces back together */
			if (tk->value[0] == '"' && (strlen(tk->value) < 2 || tk->value[strlen(tk->value) - 1] != '"')) {
				char *end = strchr(save ? save : "", '"');
				if (end) {
					tk->value[strlen(tk->value)] = ' ';
					*end = '\0';
					save = end + 1;
				}
			}
		}
	}
}

int amp_vec_load(struct amp_vec_case *c, const char *family, const char *name)
{
	memset(c, 0, sizeof(*c));
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s/%s", amp_vec_root(), family, name);
	c->dir = strdup(path);
	c->name = strdup(name);
	char file[8192];
	snprintf(file, sizeof(file), "%s/case.txt", path);
	FILE *f = fopen(file, "r");
	if (!f) {
		fprintf(stderr, "vectors: cannot open %s\n", file);
		return -1;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	while ((len = getline(&line, &cap, f)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
			line[--len] = '\0';
		}
		if (len == 0 || line[0] == '#' || strcmp(line, "end") == 0) {
			continue;
		}
		bool is_step = strncmp(line, "step ", 5) == 0;
		bool is_event = strncmp(line, "event ", 6) == 0;
		if (is_step || is_event) {
			c->rec = realloc(c->rec, sizeof(*c->rec) * (size_t)(c->nrec + 1));
			struct amp_vec_record *r = &c->rec[c->nrec++];
			memset(r, 0, sizeof(*r));
			r->is_event = is_event;
			char *copy = strdup(line + (is_step ? 5 : 6));
			r->storage_ = copy;
			char *save = NULL;
			char *num = strtok_r(copy, " ", &save);
			r->n = num ? atoi(num) : -1;
			r->actor = strtok_r(NULL, " ", &save);
			r->call = strtok_r(NULL, " ", &save);
			if (save) {
				amp_vec_tokenize(r, save);
			}
			continue;
		}
		char *eq = strstr(line, " = ");
		if (!eq) {
			continue;
		}
		*eq = '\0';
		c->keys = realloc(c->keys, sizeof(char *) * (size_t)(c->nparams + 1));
		c->vals = realloc(c->vals, sizeof(char *) * (size_t)(c->nparams + 1));
		c->keys[c->nparams] = strdup(line);
		c->vals[c->nparams] = strdup(eq + 3);
		c->nparams++;
	}
	free(line);
	fclose(f);
	return 0;
}

void amp_vec_free(struct amp_vec_case *c)
{
	for (int i = 0; i < c->nparams; i++) {
		free(c->keys[i]);
		free(c->vals[i]);
	}
	for (int i = 0; i < c->nrec; i++) {
		free(c->rec[i].storage_);
	}
	free(c->keys);
	free(c->vals);
	free(c->rec);
	free(c->dir);
	free(c->name);
	memset(c, 0, sizeof(*c));
}

const char *amp_vec_param(const struct amp_vec_case *c, const char *key)
{
	for (int i = 0; i < c->nparams; i++) {
		if (strcmp(c->keys[i], key) == 0) {
			return c->vals[i];
		}
	}
	return NULL;
}

long amp_vec_param_long(const struct amp_vec_case *c, const char *key, long dflt)
{
	const char *v = amp_vec_param(c, key);
	if (!v || strcmp(v, "none") == 0) {
		return dflt;
	}
	return strtol(v, NULL, 0);
}

const char *amp_vec_get(const struct amp_vec_record *r, const char *key)
{
	for (int i = 0; i < r->ntok; i++) {
		if (strcmp(r->tok[i].key, key) == 0) {
			return r->tok[i].value;
		}
	}
	return NULL;
}

long amp_vec_get_long(const struct amp_vec_record *r, const char *key, long dflt)
{
	const char *v = amp_vec_get(r, key);
	if (!v || strcmp(v, "none") == 0) {
		return dflt;
	}
	return strtol(v, NULL, 0);
}

static const struct {
	const char *name;
	int code;
} amp_vec_errnames[] = {
	{ "EPERM", AMP_EPERM },     { "ENOENT", AMP_ENOENT },   { "EIO", AMP_EIO },
	{ "ENXIO", AMP_ENXIO },     { "EAGAIN", AMP_EAGAIN },   { "ENOMEM", AMP_ENOMEM },
	{ "EBUSY", AMP_EBUSY },     { "EEXIST", AMP_EEXIST },   { "EINVAL", AMP_EINVAL },
	{ "ENODATA", AMP_ENODATA }, { "EBADMSG", AMP_EBADMSG }, { "EMSGSIZE", AMP_EMSGSIZE },
	{ "ENOTSUP", AMP_ENOTSUP }, { "ENOBUFS", AMP_ENOBUFS }, { "ETIMEDOUT", AMP_ETIMEDOUT },
	{ "EALREADY", AMP_EALREADY }, { "ENOSYS", AMP_ENOSYS }, { "EPROTO", AMP_EPROTO },
};

long amp_vec_ret(const char *text, bool *is_void)
{
	if (is_void) {
		*is_void = false;
	}
	if (!text) {
		return INT32_MIN;
	}
	if (strcmp(text, "void") == 0) {
		if (is_void) {
			*is_void = true;
		}
		return 0;
	}
	if (text[0] == '-' && text[1] == 'E') {
		for (size_t i = 0; i < sizeof(amp_vec_errnames) / sizeof(amp_vec_errnames[0]); i++) {
			if (strcmp(text + 1, amp_vec_errnames[i].name) == 0) {
				return amp_vec_errnames[i].code;
			}
		}
		fprintf(stderr, "vectors: unknown error name %s\n", text);
		return INT32_MIN;
	}
	return strtol(text, NULL, 0);
}

uint8_t *amp_vec_image(const struct amp_vec_case *c, const char *file, size_t *size)
{
	char path[8192];
	snprintf(path, sizeof(path), "%s/%s", c->dir, file);
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "vectors: cannot open %s\n", path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*size = (size_t)n;
	return buf;
}

void amp_vec_payload(uint8_t *buf, size_t len, long msg)
{
	for (size_t k = 0; k < len; k++) {
		buf[k] = (uint8_t)((msg * 31 + (long)k) & 0xff);
	}
}

bool amp_vec_compare(const uint8_t *want, const uint8_t *got, size_t size, const char *what)
{
	size_t shown = 0;
	for (size_t i = 0; i < size; i++) {
		if (want[i] != got[i]) {
			if (shown++ < 8) {
				fprintf(stderr, "%s: byte 0x%zx: want 0x%02x got 0x%02x\n", what, i, want[i],
					got[i]);
			}
		}
	}
	return shown == 0;
}
