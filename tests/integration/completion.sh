#!/bin/bash
# Bash completion (completion/memprov) in a real bash: "memprov --<TAB>" offers every long
# option getopt accepts (the longopts table in init/options.c), and every option it offers is
# one the binary accepts; option arguments complete (directories, sizes, sections).
source "$(dirname "$0")/../lib.sh"
COMPLETION=$TESTS_DIR/../completion/memprov

complete_words() { # complete_words WORD...: what bash offers for the last word
        bash --norc --noprofile -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
                COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _memprov; printf "%s\n" "${COMPREPLY[@]}"' \
                _ "$COMPLETION" "$@" | sort
}

getopt_opts=$(sed -n '/struct option longopts\[\]/,/^};/s/^ *{"\([a-z-]*\)",.*/--\1/p' \
        "$TESTS_DIR/../init/options.c" | sort)
check "init/options.c lists long options" test "$(wc -l <<<"$getopt_opts")" -ge 10
offered=$(complete_words memprov --)
missing=$(comm -23 <(echo "$getopt_opts") <(echo "$offered"))
check_eq "every long option getopt accepts is offered" "$missing" ""
for opt in $offered; do
        # Accepted options reach --version (exit 0); an unknown one is an error first.
        arg=1G
        [ "$opt" = --assume-cpus ] && arg=2
        if "$MEMPROV" "$opt" "$arg" --version >/dev/null 2>&1; then ok "$opt is accepted"; else
                not_ok "$opt is offered but memprov does not accept it"; fi
done
check_eq "--dr completes to --dry-run" "$(complete_words memprov --dr)" --dry-run
check "--assume-ram offers sizes" grep -qx 512M <<<"$(complete_words memprov --assume-ram "")"
mkdir -p "$SCRATCH/imgroot"
check_eq "--root completes directories" "$(cd "$SCRATCH" && complete_words memprov --root img)" imgroot
check "--set offers sections" grep -qx swap. <<<"$(complete_words memprov --set s)"
exit $T_FAILED
