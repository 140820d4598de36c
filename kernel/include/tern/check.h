// TERN_CHECK: an always-on invariant check. When the condition is false the process
// prints what broke, where, and aborts. It is for states that cannot happen unless the
// code is wrong; expected failures (bad input, I/O errors) return a Status instead.
#pragma once

#include <cstdio>
#include <cstdlib>

#define TERN_CHECK(cond, what)                                                      \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "tern: check failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   #cond, what);                                                    \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)
