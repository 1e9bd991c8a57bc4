/* SPDX-License-Identifier: MIT */
/** @file export.h
 *  @brief Symbol visibility and C++ linkage helpers shared by every header. */
#ifndef DEXRT_EXPORT_H
#define DEXRT_EXPORT_H

/** Marks a function as part of the shared library's public ABI. The library is
 *  built with -fvisibility=hidden, so anything without DX_API stays private. */
#if defined(__GNUC__) || defined(__clang__)
#define DX_API __attribute__((visibility("default")))
#else
#define DX_API
#endif

#ifdef __cplusplus
#define DX_BEGIN_DECLS extern "C" {
#define DX_END_DECLS }
#else
#define DX_BEGIN_DECLS
#define DX_END_DECLS
#endif

#endif
