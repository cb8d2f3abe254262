/* test-hook.h: lets the tests read what the window shows (not example code) */
#pragma once

#include "window.h"

G_BEGIN_DECLS

void example_test_hook_attach (ExampleWindow *window);

G_END_DECLS
