/* SPDX-License-Identifier: Apache-2.0 */
#ifndef AMP_PBUF_TESTS_H
#define AMP_PBUF_TESTS_H

/** Golden-vector replay of every vectors/pbuf case; returns the number of failures. */
int pbuf_run_vector_tests(void);

/** Writer and reader on two threads; cmocka test. */
void test_pbuf_threads(void **state);

#endif
