/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A tiny TAP-like unit test harness: each TEST() is listed in tests/unit/main.c. */
#pragma once

#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

struct test_result {
        unsigned checks;
        unsigned failures;
};

extern struct test_result *test_current;

#define CHECK(cond)                                                                                \
        do {                                                                                       \
                test_current->checks++;                                                            \
                if (!(cond)) {                                                                     \
                        test_current->failures++;                                                  \
                        fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
                }                                                                                  \
        } while (0)

#define CHECK_U64(a, b)                                                                            \
        do {                                                                                       \
                uint64_t _a = (a), _b = (b);                                                       \
                test_current->checks++;                                                            \
                if (_a != _b) {                                                                    \
                        test_current->failures++;                                                  \
                        fprintf(stderr, "  %s:%d: %s == %" PRIu64 ", expected %" PRIu64 "\n",      \
                                __FILE__, __LINE__, #a, _a, _b);                                   \
                }                                                                                  \
        } while (0)

#define CHECK_STR(a, b)                                                                            \
        do {                                                                                       \
                const char *_a = (a), *_b = (b);                                                   \
                test_current->checks++;                                                            \
                if (!_a || !_b || strcmp(_a, _b) != 0) {                                           \
                        test_current->failures++;                                                  \
                        fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,      \
                                __LINE__, #a, _a ? _a : "(null)", _b ? _b : "(null)");             \
                }                                                                                  \
        } while (0)

/* TEST(name) { ... } defines a test and registers it at load time: no list to edit. */
struct test_case {
        const char *name;
        void (*fn)(void);
        struct test_case *next;
};
void test_register(struct test_case *t);

#define TEST(name)                                                                                 \
        static void test_##name(void);                                                             \
        static struct test_case test_case_##name = {#name, test_##name, NULL};                     \
        __attribute__((constructor)) static void test_register_##name(void)                        \
        {                                                                                          \
                test_register(&test_case_##name);                                                  \
        }                                                                                          \
        static void test_##name(void)

/* A scratch directory for a test, removed by test_rmtree. */
char *test_mkdtemp(void);
void test_rmtree(const char *dir);
/* Writes a file (creating parent directories) below dir. */
void test_write(const char *dir, const char *path, const char *content);
/* A symbolic link at path below dir pointing to target (taken as given: relative or absolute). */
void test_symlink(const char *dir, const char *target, const char *path);
/* A unit file under usr/lib/systemd/system and the multi-user.target.wants link `systemctl
 * enable` makes for it (WantedBy=multi-user.target, as Debian's and EL's web servers ship). */
void test_enable_unit(const char *dir, const char *unit);
struct services;
/* Detection only: what services_detect() reads from the root at dir (1G, 2 vCPUs, Debian). */
void test_detect_services(const char *dir, struct services *s);
