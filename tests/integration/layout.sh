#!/bin/bash
# The tree's includes run one way (init -> modules -> lib), checked by tests/layout-check, with
# controls that plant each kind of wrong-way include in a copy and expect the check to fail.
source "$(dirname "$0")/../lib.sh"

TOP=$TESTS_DIR/..
out=$("$TOP/tests/layout-check" "$TOP" 2>&1)
check "layout: no wrong-way include in lib/, modules/, init/" test $? -eq 0
[ -z "$out" ] || echo "$out"

plant() { # NAME FILE LINE: a copy of the tree with LINE added to FILE must fail the check
        local copy=$SCRATCH/tree-$1
        mkdir -p "$copy"
        cp -r "$TOP/lib" "$TOP/modules" "$TOP/init" "$copy/"
        printf '%s\n' "$3" >>"$copy/$2"
        check_fails "control: $1 is caught" "$TOP/tests/layout-check" "$copy"
}
plant "lib including init/" lib/size.c '#include "../init/options.h"'
plant "lib including a module" lib/plan.c '#include "../modules/module.h"'
plant "a module including another module" modules/oom.c '#include "phpfpm.h"'
plant "init naming a module" init/apply.c '#include "../modules/swap.h"'
exit $T_FAILED
