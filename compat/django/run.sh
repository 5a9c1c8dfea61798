#!/bin/sh
# Run Django's own session tests against sessionware's engines on one Django version.
#   compat/django/run.sh VERSION PYTHON
# Fetches Django's sdist from PyPI into .compat/ (gitignored), makes a venv there with
# that Django and sessionware (editable), and runs compat/django/run.py.
set -eu
version=$1
python=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$root/.compat/django-$version
mkdir -p "$dir"
if [ ! -d "$dir/django-$version/tests/sessions_tests" ]; then
    "$python" -m pip download --quiet --no-deps --no-binary :all: "django==$version" -d "$dir"
    tar -xzf "$dir/django-$version.tar.gz" -C "$dir"
fi
if [ ! -x "$dir/venv/bin/python" ]; then
    "$python" -m venv "$dir/venv"
    "$dir/venv/bin/python" -m pip install --quiet "django==$version" \
        redis==8.1.0 sqlalchemy==2.1.9 'psycopg[binary]==3.3.9'
    "$dir/venv/bin/python" -m pip install --quiet --no-deps -e "$root"
    "$dir/venv/bin/python" -m pip install --quiet itsdangerous werkzeug
fi
# Django's files are run as shipped: check them against the sdist before each run.
for f in tests.py models.py __init__.py no_clear_expired.py; do
    member=django-$version/tests/sessions_tests/$f
    shipped=$(tar -xOzf "$dir/django-$version.tar.gz" "$member" | sha256sum | cut -d' ' -f1)
    here=$(sha256sum "$dir/$member" | cut -d' ' -f1)
    if [ "$shipped" != "$here" ]; then
        echo "$dir/$member differs from the sdist; remove $dir to fetch it again" >&2
        exit 1
    fi
done
echo "Django $version: tests/sessions_tests is byte-identical to the sdist"
cd "$root"
PYTHONPATH="$root/compat/django:$dir/django-$version/tests" \
    "$dir/venv/bin/python" compat/django/run.py
