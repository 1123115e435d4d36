/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A recorded trace held in memory (src/sources/replay.c), fed to a sink a
 * slice at a time as a replay clock advances: the source of kfrag top
 * --input, opened by src/run.
 */
#ifndef KF_REPLAY_H
#define KF_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kf_source.h"
#include "kf_symbols.h"

struct kf_top_replay;

/* reads the whole trace (any format kfrag reads) into memory */
struct kf_top_replay *kf_top_replay_load(const char *path, struct kf_symbols *syms,
					 struct kf_source_info *info, char *err, size_t errlen);
/* the same, telling progress(ctx, bytes read, the file's size or 0 for a
 * pipe) every so often while it reads */
struct kf_top_replay *kf_top_replay_load_told(const char *path, struct kf_symbols *syms,
					      struct kf_source_info *info,
					      void (*progress)(void *ctx, uint64_t done, uint64_t total),
					      void *ctx, char *err, size_t errlen);
/* feeds every event with a timestamp <= first + offset_ns; returns events fed */
long kf_top_replay_feed(struct kf_top_replay *r, uint64_t offset_ns, const struct kf_sink *sink);
uint64_t kf_top_replay_length_ns(const struct kf_top_replay *r);
bool kf_top_replay_done(const struct kf_top_replay *r);
void kf_top_replay_free(struct kf_top_replay *r);

#endif
