/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/errno.h
 * @brief The one error convention of amplink.
 *
 * Every amplink function that can fail returns an `int`: 0 on success, a
 * non-negative count where the function documents one, or one of the negative
 * `AMP_E*` codes below. The codes carry errno names and the numeric values
 * Linux (glibc, musl) uses, fixed here so that the library needs no <errno.h>
 * and means the same thing on every core: newlib (arm-none-eabi) and some
 * RTOSes number several errno values differently, so code must compare against
 * `AMP_E*` only. The Zephyr compatibility layer converts where it hands codes
 * to code compiled against another libc (amp_err_to_errno()).
 */
#ifndef AMPLINK_ERRNO_H
#define AMPLINK_ERRNO_H

#ifdef __cplusplus
extern "C" {
#endif

#define AMP_OK          0    /**< success */
#define AMP_EPERM      (-1)  /**< operation not permitted (file permissions) */
#define AMP_ENOENT     (-2)  /**< no such object (endpoint not registered, region absent) */
#define AMP_EINTR      (-4)  /**< interrupted */
#define AMP_EIO        (-5)  /**< I/O error; also "instance has no backend" as in Zephyr */
#define AMP_ENXIO      (-6)  /**< buffer was not obtained from / held by this endpoint */
#define AMP_EAGAIN    (-11)  /**< try again: incomplete packet, resource momentarily unavailable */
#define AMP_ENOMEM    (-12)  /**< no room: ring full, no free buffer, caller buffer too small */
#define AMP_EACCES    (-13)  /**< permission denied */
#define AMP_EFAULT    (-14)  /**< bad address */
#define AMP_EBUSY     (-16)  /**< busy: not bound yet, previous doorbell data not taken, still in use */
#define AMP_EEXIST    (-17)  /**< exists already, with different properties */
#define AMP_ENODEV    (-19)  /**< no such device */
#define AMP_EINVAL    (-22)  /**< invalid argument or configuration */
#define AMP_ENOSPC    (-28)  /**< out of space (file system backing a region) */
#define AMP_ERANGE    (-34)  /**< value out of range */
#define AMP_ENOSYS    (-38)  /**< operation not implemented by this driver */
#define AMP_ENODATA   (-61)  /**< no data (zero-length message) */
#define AMP_EPROTO    (-71)  /**< the peer violated the protocol / shared state is corrupt */
#define AMP_EBADMSG   (-74)  /**< bad message (invalid length, short write) */
#define AMP_EOVERFLOW (-75)  /**< value too large for the destination */
#define AMP_EMSGSIZE  (-90)  /**< message larger than the channel or peer accepts */
#define AMP_EADDRINUSE (-98) /**< fixed address range already mapped */
#define AMP_ENOTSUP   (-95)  /**< not supported by this transport/driver */
#define AMP_ECONNRESET (-104) /**< the peer reset or closed the connection */
#define AMP_ENOBUFS  (-105)  /**< no buffer available right now */
#define AMP_ENOTCONN (-107)  /**< not connected: the peer is gone */
#define AMP_ETIMEDOUT (-110) /**< a bounded wait expired */
#define AMP_EALREADY (-114)  /**< already in the requested state */
#define AMP_ECANCELED (-125) /**< operation cancelled */

/**
 * @brief Human-readable name and meaning of an amplink return code.
 *
 * @param err a value returned by an amplink function (negative code, 0 or a count)
 * @return a static string such as "EINVAL (invalid argument)"; never NULL.
 *         Unknown negative codes give "unknown error"; values >= 0 give "OK".
 *
 * Context: any (ISR included). Concurrency: reentrant. Lifetime: static string.
 */
const char *amp_strerror(int err);

/**
 * @brief The errno name alone ("EINVAL"), or NULL for an unknown code.
 *
 * Context: any. Concurrency: reentrant. Lifetime: static string.
 */
const char *amp_errname(int err);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_ERRNO_H */
