#!/usr/bin/env bash
# ansible-test sanity without docker and without the internet.
# ansible-test needs the collection under .../ansible_collections/bsd/jails: we copy
# the files git knows (tracked and untracked-but-not-ignored) into .cache/, which
# is also what ansible-test would lint in a checkout.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dest="$repo/.cache/sanity/ansible_collections/bsd/jails"
cache="$HOME/.ansible/test/cache"
mkdir -p "$cache"
for v in 24_2 24_3 25_0 25_1; do
    cp "$repo/.ci/get_pip_standin.py" "$cache/get_pip_$v.py"
done
rm -rf "$dest"
mkdir -p "$dest"
(cd "$repo" && git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$dest"
cd "$dest"
# A git repository in the copy lets ansible-test list files the same way it would in a checkout.
git init -q . && git add -A >/dev/null && git -c user.email=ci@localhost -c user.name=ci commit -qm sanity
exec "$repo/.venv/bin/ansible-test" sanity --venv --python 3.11 --color no "$@"
