/* SPDX-License-Identifier: Apache-2.0 */
/* Names and meanings of the AMP_E* codes; its own file so it links only when used. */
#include <amplink/errno.h>
#include <stddef.h>

struct amp_err_name {
	int code;
	const char *name;
	const char *text;
};

static const struct amp_err_name amp_err_names[] = {
	{ AMP_EPERM, "EPERM", "EPERM (operation not permitted)" },
	{ AMP_ENOENT, "ENOENT", "ENOENT (no such object)" },
	{ AMP_EINTR, "EINTR", "EINTR (interrupted)" },
	{ AMP_EIO, "EIO", "EIO (input/output error)" },
	{ AMP_ENXIO, "ENXIO", "ENXIO (buffer not owned by this endpoint)" },
	{ AMP_EAGAIN, "EAGAIN", "EAGAIN (try again)" },
	{ AMP_ENOMEM, "ENOMEM", "ENOMEM (no room)" },
	{ AMP_EACCES, "EACCES", "EACCES (permission denied)" },
	{ AMP_EFAULT, "EFAULT", "EFAULT (bad address)" },
	{ AMP_EBUSY, "EBUSY", "EBUSY (busy or not bound yet)" },
	{ AMP_EEXIST, "EEXIST", "EEXIST (exists with different properties)" },
	{ AMP_ENODEV, "ENODEV", "ENODEV (no such device)" },
	{ AMP_EINVAL, "EINVAL", "EINVAL (invalid argument)" },
	{ AMP_ENOSPC, "ENOSPC", "ENOSPC (out of space)" },
	{ AMP_ERANGE, "ERANGE", "ERANGE (out of range)" },
	{ AMP_ENOSYS, "ENOSYS", "ENOSYS (not implemented)" },
	{ AMP_ENODATA, "ENODATA", "ENODATA (no data)" },
	{ AMP_EPROTO, "EPROTO", "EPROTO (peer violated the protocol)" },
	{ AMP_EBADMSG, "EBADMSG", "EBADMSG (bad message)" },
	{ AMP_EOVERFLOW, "EOVERFLOW", "EOVERFLOW (value too large)" },
	{ AMP_EMSGSIZE, "EMSGSIZE", "EMSGSIZE (message too long)" },
	{ AMP_EADDRINUSE, "EADDRINUSE", "EADDRINUSE (address range in use)" },
	{ AMP_ENOTSUP, "ENOTSUP", "ENOTSUP (not supported)" },
	{ AMP_ECONNRESET, "ECONNRESET", "ECONNRESET (peer reset)" },
	{ AMP_ENOBUFS, "ENOBUFS", "ENOBUFS (no buffer available)" },
	{ AMP_ENOTCONN, "ENOTCONN", "ENOTCONN (peer not connected)" },
	{ AMP_ETIMEDOUT, "ETIMEDOUT", "ETIMEDOUT (timed out)" },
	{ AMP_EALREADY, "EALREADY", "EALREADY (already in that state)" },
	{ AMP_ECANCELED, "ECANCELED", "ECANCELED (cancelled)" },
};

static const struct amp_err_name *amp_err_find(int err)
{
	for (size_t i = 0; i < sizeof(amp_err_names) / sizeof(amp_err_names[0]); i++) {
		if (amp_err_names[i].code == err) {
			return &amp_err_names[i];
		}
	}
	return NULL;
}

const char *amp_strerror(int err)
{
	if (err >= 0) {
		return "OK";
	}
	const struct amp_err_name *e = amp_err_find(err);
	return e ? e->text : "unknown error";
}

const char *amp_errname(int err)
{
	const struct amp_err_name *e = amp_err_find(err);
	return e ? e->name : NULL;
}
