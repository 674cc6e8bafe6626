/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A small vsnprintf for logs and test output. newlib's printf family would
 * add several KiB and floating point to every image; amplink never prints
 * floats, so integers, strings and pointers are enough.
 */
#include <amplink/port_baremetal.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "internal.h"

struct amp_fmt_out {
	char *buf;      /* NULL: stream to the console instead */
	size_t size;
	size_t len;     /* bytes the full output needs */
};

static void amp_fmt_put(struct amp_fmt_out *o, char c)
{
	if (o->buf == NULL) {
		amp_bm_board_putc_raw(c);
	} else if (o->len + 1 < o->size) {
		o->buf[o->len] = c;
	}
	o->len++;
}

static void amp_fmt_pad(struct amp_fmt_out *o, char c, int n)
{
	while (n-- > 0) {
		amp_fmt_put(o, c);
	}
}

struct amp_fmt_spec {
	bool left;
	bool zero;
	int width;
	int prec; /* -1: none */
};

static void amp_fmt_str(struct amp_fmt_out *o, const struct amp_fmt_spec *sp, const char *s)
{
	if (s == NULL) {
		s = "(null)";
	}
	int n = 0;
	while (s[n] != '\0' && (sp->prec < 0 || n < sp->prec)) {
		n++;
	}
	if (!sp->left) {
		amp_fmt_pad(o, ' ', sp->width - n);
	}
	for (int i = 0; i < n; i++) {
		amp_fmt_put(o, s[i]);
	}
	if (sp->left) {
		amp_fmt_pad(o, ' ', sp->width - n);
	}
}

static void amp_fmt_num(struct amp_fmt_out *o, const struct amp_fmt_spec *sp, uint64_t v,
			bool neg, unsigned base, bool upper, const char *prefix)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		/* No 64-bit division (a libgcc routine of ~800 bytes on
		 * Cortex-M): bases 8 and 16 shift, base 10 divides by
		 * multiplying with shifts and adds and corrects the remainder. */
		uint64_t q;
		if (base == 10u) {
			q = (v >> 1) + (v >> 2);
			q += q >> 4;
			q += q >> 8;
			q += q >> 16;
			q += q >> 32;
			q >>= 3;
			uint64_t r = v - q * 10u;
			if (r > 9u) {
				q++;
			}
		} else {
			q = v >> (base == 16u ? 4 : 3);
		}
		tmp[n++] = digits[(unsigned)(v - q * base)];
		v = q;
	} while (v != 0);
	int plen = 0;
	while (prefix[plen] != '\0') {
		plen++;
	}
	int zeros = sp->prec > n ? sp->prec - n : 0;
	int body = n + zeros + plen + (neg ? 1 : 0);
	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > body) {
		zeros += sp->width - body;
		body = sp->width;
	}
	if (!sp->left) {
		amp_fmt_pad(o, ' ', sp->width - body);
	}
	if (neg) {
		amp_fmt_put(o, '-');
	}
	for (int i = 0; i < plen; i++) {
		amp_fmt_put(o, prefix[i]);
	}
	amp_fmt_pad(o, '0', zeros);
	while (n > 0) {
		amp_fmt_put(o, tmp[--n]);
	}
	if (sp->left) {
		amp_fmt_pad(o, ' ', sp->width - body);
	}
}

static size_t amp_fmt(struct amp_fmt_out *o, const char *fmt, va_list ap)
{
	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p != '%') {
			amp_fmt_put(o, *p);
			continue;
		}
		struct amp_fmt_spec sp = { .left = false, .zero = false, .width = 0, .prec = -1 };
		for (p++;; p++) {
			if (*p == '-') {
				sp.left = true;
			} else if (*p == '0') {
				sp.zero = true;
			} else if (*p != '+' && *p != ' ' && *p != '#') {
				break;
			}
		}
		if (*p == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.left = true;
				sp.width = -sp.width;
			}
			p++;
		}
		while (*p >= '0' && *p <= '9') {
			sp.width = sp.width * 10 + (*p++ - '0');
		}
		if (*p == '.') {
			p++;
			sp.prec = 0;
			if (*p == '*') {
				sp.prec = va_arg(ap, int);
				p++;
			}
			while (*p >= '0' && *p <= '9') {
				sp.prec = sp.prec * 10 + (*p++ - '0');
			}
		}
		int lng = 0; /* 0 int, 1 long, 2 long long, 3 intmax_t, 4 size_t/ptrdiff_t */
		while (*p == 'h' || *p == 'l' || *p == 'z' || *p == 't' || *p == 'j') {
			if (*p == 'l') {
				lng++;
			} else if (*p == 'j') {
				lng = 3;
			} else if (*p != 'h') {
				lng = 4;
			}
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v;
			if (lng == 2) {
				v = va_arg(ap, long long);
			} else if (lng == 1) {
				v = va_arg(ap, long);
			} else if (lng == 3) {
				v = (int64_t)va_arg(ap, intmax_t);
			} else if (lng == 4) {
				v = (int64_t)va_arg(ap, ptrdiff_t);
			} else {
				v = va_arg(ap, int);
			}
			bool neg = v < 0;
			amp_fmt_num(o, &sp, neg ? 0u - (uint64_t)v : (uint64_t)v, neg, 10, false, "");
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v;
			if (lng == 2) {
				v = va_arg(ap, unsigned long long);
			} else if (lng == 1) {
				v = va_arg(ap, unsigned long);
			} else if (lng == 3) {
				v = (uint64_t)va_arg(ap, uintmax_t);
			} else if (lng == 4) {
				v = (uint64_t)va_arg(ap, size_t);
			} else {
				v = va_arg(ap, unsigned int);
			}
			unsigned base = *p == 'u' ? 10u : (*p == 'o' ? 8u : 16u);
			amp_fmt_num(o, &sp, v, false, base, *p == 'X', "");
			break;
		}
		case 'p':
			amp_fmt_num(o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false, "0x");
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), '\0' };
			amp_fmt_str(o, &sp, c);
			break;
		}
		case 's':
			amp_fmt_str(o, &sp, va_arg(ap, const char *));
			break;
		case '%':
			amp_fmt_put(o, '%');
			break;
		case '\0':
			p--; /* a lone '%' at the end */
			break;
		default:
			amp_fmt_put(o, '%');
			amp_fmt_put(o, *p);
			break;
		}
	}
	return o->len;
}

int amp_bm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct amp_fmt_out o = { .buf = buf, .size = size, .len = 0 };
	char dummy;
	if (buf == NULL || size == 0) {
		o.buf = &dummy; /* count only */
		o.size = 0;
	}
	size_t n = amp_fmt(&o, fmt, ap);
	if (buf != NULL && size > 0) {
		buf[n < size ? n : size - 1] = '\0';
	}
	return (int)n;
}

size_t amp_bm_vprint_console(const char *fmt, va_list ap)
{
	struct amp_fmt_out o = { .buf = NULL, .size = 0, .len = 0 };
	return amp_fmt(&o, fmt, ap);
}

int amp_bm_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = amp_bm_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
