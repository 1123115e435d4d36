/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers of the libFuzzer targets (make fuzz): the readers under test take
 * paths, so each input is written to a file in a private directory first.
 */
#ifndef KF_FUZZ_COMMON_H
#define KF_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* a private directory for this process's files, made once */
const char *fuzz_dir(void);
/* writes data to fuzz_dir()/name; returns the path (static) or NULL */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);

#endif
