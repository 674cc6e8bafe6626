/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AMP_ICMSG_TESTS_H
#define AMP_ICMSG_TESTS_H

/* Golden-vector replay of every icmsg case (icmsg_vectors.c). */
void icmsg_test_vectors(void **state);

#endif
