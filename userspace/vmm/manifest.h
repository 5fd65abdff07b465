/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * wpvmm: the work-phone image manifest (manifest.json), specified in
 * Documentation/image-format.rst.
 *
 * Copyright (C) 2026 The Workphone Authors
 */
#ifndef WPVMM_MANIFEST_H
#define WPVMM_MANIFEST_H

#include "config.h"

#define MANIFEST_NAME		"manifest.json"
#define MANIFEST_FORMAT		"workphone-image"
#define MANIFEST_VERSION	1
/* A manifest larger than this is not a manifest. */
#define MANIFEST_MAX_SIZE	(256 * 1024)

/*
 * Read image_dir/manifest.json into cfg (paths resolved inside image_dir).
 * The caller applies command-line overrides afterwards.  Every error
 * names the field and why.  0 or -EINVAL.
 */
int manifest_load(const char *image_dir, struct vmm_config *cfg);

/* The same from text, for tests; path is only used in messages. */
int manifest_parse(const char *image_dir, const char *path, const char *text,
		   struct vmm_config *cfg);

#endif /* WPVMM_MANIFEST_H */
